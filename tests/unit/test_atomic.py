"""store/atomic.py: permissions at creation, no clobbering, and replace-or-nothing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from wallet_cli.store.atomic import make_private_dir, write_atomic, write_new_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_is_0600_even_with_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        write_new_file(tmp_path / "f", b"data")
        write_atomic(tmp_path / "g", b"data")
        make_private_dir(tmp_path / "a" / "b")
    finally:
        os.umask(old)
    assert mode(tmp_path / "f") == 0o600
    assert mode(tmp_path / "g") == 0o600
    assert mode(tmp_path / "a") == 0o700
    assert mode(tmp_path / "a" / "b") == 0o700


def test_new_file_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        write_new_file(target, b"new")
    assert target.read_bytes() == b"keep"


def test_atomic_replace_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "f"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]
