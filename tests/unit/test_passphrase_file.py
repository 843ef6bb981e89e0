"""Passphrase files: the first line, a UTF-8 byte-order mark removed and said, the empty
password only where a caller allows it (a v3 key file's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore.errors import UnreadableFile
from keystore.passphrase import PassphraseSources, read_passphrase_file, resolve


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "pw"
    path.write_bytes(data)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    "data", [b"\xef\xbb\xbfsecret\n", b"\xef\xbb\xbfsecret\r\nrest", b"\xef\xbb\xbfsecret"]
)
def test_byte_order_mark_is_removed_and_said(tmp_path: Path, data: bytes) -> None:
    notes: list[str] = []
    value = read_passphrase_file(_file(tmp_path, data), "passphrase file", notice=notes.append)
    assert value == "secret"
    assert len(notes) == 1
    assert "byte-order mark" in notes[0]
    assert "secret" not in notes[0]


def test_byte_order_mark_is_removed_without_a_listener(tmp_path: Path) -> None:
    assert read_passphrase_file(_file(tmp_path, b"\xef\xbb\xbfsecret\n")) == "secret"


def test_no_mark_no_note(tmp_path: Path) -> None:
    notes: list[str] = []
    path = _file(tmp_path, "s\ufeffecret\n".encode())  # only a leading mark is one
    assert read_passphrase_file(path, notice=notes.append) == "s\ufeffecret"
    assert notes == []


def test_resolve_passes_the_notice_on(tmp_path: Path) -> None:
    notes: list[str] = []
    sources = PassphraseSources(
        file=_file(tmp_path, b"\xef\xbb\xbfsecret\n"), environ={}, notice=notes.append
    )
    assert resolve(sources, "test").value == "secret"
    assert len(notes) == 1


@pytest.mark.parametrize("data", [b"\n", b"", b"\nsecond line\n", b"\xef\xbb\xbf\n"])
def test_empty_first_line(tmp_path: Path, data: bytes) -> None:
    path = _file(tmp_path, data)
    with pytest.raises(UnreadableFile, match="is empty"):
        read_passphrase_file(path)
    assert read_passphrase_file(path, allow_empty=True) == ""
