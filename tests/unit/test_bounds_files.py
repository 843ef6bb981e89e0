"""Bounded reads of user files and hostile text: sizes, endless devices, nesting, modes.

Everything a user hands over is read through keystore/files.py; these tests hold its limits
and the per-kind parsers (batch CSV, user lists, amounts, PSBT text) to clean input errors.
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from chains.amounts import MAX_AMOUNT_TEXT, parse_amount
from chains.errors import InvalidAmount
from keystore import files
from keystore.errors import FileTooLarge, InsecureFile, UnreadableFile
from keystore.passphrase import read_passphrase_file
from wallet_cli.batch import MAX_FIELD, MAX_ROWS, read_rows
from wallet_cli.errors import BadBatchFile

ZERO = Path("/dev/zero")
ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_read_limited_takes_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1000)
    assert files.read_limited(path, 1000, "test file") == b"x" * 1000
    with pytest.raises(FileTooLarge, match=r"test file .*/f is larger than 999 bytes"):
        files.read_limited(path, 999, "test file")


def test_endless_device_is_refused_without_growing_memory() -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FileTooLarge, match="larger than 1 MiB"):
            files.read_limited(ZERO, files.MIB, "batch file")
        with pytest.raises(FileTooLarge, match=r"first line .* longer than 64 KiB"):
            files.read_first_line(ZERO, "passphrase file")
        with ZERO.open("rb") as endless, pytest.raises(FileTooLarge, match="longer than 64 KiB"):
            files.read_stream(endless, files.SECRET_TEXT_LIMIT, "the mnemonic on standard input")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 1
    assert peak < 4 * files.MIB


def test_first_line_only_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    with path.open("wb") as handle:
        handle.write(b"secret one\r\n")
        handle.write(b"y" * (10 * files.MIB))  # never read
    assert read_passphrase_file(path) == "secret one"
    path.write_bytes(b"no newline at the end")
    assert read_passphrase_file(path) == "no newline at the end"
    path.write_bytes(b"\n")
    with pytest.raises(UnreadableFile, match="is empty"):
        read_passphrase_file(path)
    path.write_bytes(b"\xff\xfe\n")
    with pytest.raises(UnreadableFile, match="not UTF-8"):
        read_passphrase_file(path)
    path.write_bytes(b"z" * (files.SECRET_TEXT_LIMIT + 1))
    with pytest.raises(FileTooLarge, match="first line"):
        read_passphrase_file(path)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o602, 0o644, 0o610])
def test_secret_files_open_to_others_are_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "pw"
    path.write_text("hunter2\n")
    path.chmod(mode)
    with pytest.raises(InsecureFile) as caught:
        read_passphrase_file(path, "keystore passphrase file")
    message = caught.value.message
    assert f"mode {mode:04o}" in message
    assert f"chmod 600 {path}" in message
    assert "hunter2" not in message
    assert caught.value.kind == "input"


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_private_secret_files_are_read(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "pw"
    path.write_text("secret\n")
    path.chmod(mode)
    assert read_passphrase_file(path) == "secret"


def test_another_users_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("secret\n")
    info = os.stat(path)
    foreign = os.stat_result((info.st_mode, *info[1:4], os.getuid() + 1, *info[5:]))
    with pytest.raises(InsecureFile, match=f"belongs to another user .uid {os.getuid() + 1}"):
        files.check_private(path, foreign, "passphrase file")
    root = os.stat_result((info.st_mode, *info[1:4], 0, *info[5:]))
    files.check_private(path, root, "passphrase file")


def test_a_pipe_needs_no_mode_check() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"from a pipe\n")
    os.close(write_end)
    try:
        assert read_passphrase_file(Path(f"/proc/self/fd/{read_end}")) == "from a pipe"
    finally:
        os.close(read_end)


def test_stream_text() -> None:
    assert files.read_stream_text(io.BytesIO(b"abc"), 3, "stdin") == "abc"
    with pytest.raises(FileTooLarge):
        files.read_stream_text(io.BytesIO(b"abcd"), 3, "stdin")
    with pytest.raises(UnreadableFile, match="not UTF-8"):
        files.read_stream_text(io.BytesIO(b"\xff"), 3, "stdin")


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_json_is_refused(depth: int) -> None:
    with pytest.raises(files.JsonRejected, match="nested more than 64 levels"):
        files.load_json("[" * depth + "]" * depth)
    with pytest.raises(files.JsonRejected, match="nested more than 64 levels"):
        files.load_json('{"a":' * depth + "1" + "}" * depth)


def test_deep_json_cannot_crash_a_process_with_a_raised_recursion_limit() -> None:
    # Some libraries raise the limit; the C decoder then overflows the C stack (a segfault)
    # instead of raising RecursionError, so depth is measured before parsing.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    try:
        with pytest.raises(files.JsonRejected, match="nested more than 64 levels"):
            files.load_json("[" * 500_000 + "]" * 500_000)
    finally:
        sys.setrecursionlimit(limit)


def test_brackets_inside_strings_do_not_count() -> None:
    text = '["' + "[{" * 1000 + '", "\\"[[[[", {"a": "]]]]"}]'
    assert files.load_json(text)[0] == "[{" * 1000


def test_json_at_the_depth_limit_is_read() -> None:
    assert files.load_json("[" * 64 + "]" * 64) is not None
    with pytest.raises(files.JsonRejected, match="not valid JSON"):
        files.load_json(b"{nope")


def test_amount_text_is_bounded() -> None:
    longest = "115792089237316195423570985008687907853269984665640564039457.584007913129639935"
    assert parse_amount(longest, 18) == 2**256 - 1
    assert len(longest) < MAX_AMOUNT_TEXT
    for text in ("9" * 5000, "1" * (MAX_AMOUNT_TEXT + 1), "0." + "0" * 5000 + "1wei"):
        with pytest.raises(InvalidAmount, match="characters long"):
            parse_amount(text, 18)


def test_batch_csv_fields_and_rows_are_bounded() -> None:
    where = Path("pay.csv")
    huge = f"{ADDRESS},{'1' * 200_000}\n".encode()
    with pytest.raises(BadBatchFile, match="row 1: not valid CSV"):
        read_rows(huge, where)
    long_field = f"{ADDRESS},{'1' * (MAX_FIELD + 1)}\n".encode()
    with pytest.raises(BadBatchFile, match=f"longer than {MAX_FIELD} characters"):
        read_rows(long_field, where)
    many = f"{ADDRESS},1\n".encode() * (MAX_ROWS + 1)
    with pytest.raises(BadBatchFile, match=f"more than {MAX_ROWS} rows"):
        read_rows(many, where)
    assert len(read_rows(f"{ADDRESS},1\n".encode() * MAX_ROWS, where)) == MAX_ROWS
    wide = (",".join(["x" * 10] * 1000) + "\n").encode()
    with pytest.raises(BadBatchFile, match="got 1000 fields"):
        read_rows(wide, where)


def test_psbt_text_is_bounded() -> None:
    from chains.btc.psbt import MAX_PSBT_TEXT, InvalidPsbt, load

    with pytest.raises(InvalidPsbt, match="longer than 16 MiB"):
        load("A" * (MAX_PSBT_TEXT + 4))
