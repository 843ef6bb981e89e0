"""Bounded reads of what a user hands over: files, standard input, JSON.

Every such input is hostile until parsed. A read takes at most `limit + 1` bytes, so a
100 GB file or `/dev/zero` is refused at once without growing memory; JSON nested deeper
than a sane document is refused rather than crashing the decoder. Secret-bearing files
(passphrase files) must also be private, as ssh demands of private keys: a file others can
read has already leaked, and one others can write can be swapped.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO

from keystore.errors import FileTooLarge, InsecureFile, UnreadableFile

KIB = 1024
MIB = 1024 * KIB

# A passphrase is one line; a mnemonic or hex key fits in a few hundred bytes.
SECRET_TEXT_LIMIT = 64 * KIB
# A v3 key file is about 500 bytes; 64 KiB leaves room for any tool's extra fields.
KEYSTORE_LIMIT = 64 * KIB
# EIP-712 documents are a few KiB; nothing a wallet shows a person for signing is larger.
JSON_DEPTH_LIMIT = 64

_CHUNK = 64 * KIB


def size_text(size: int) -> str:
    """`64 KiB`, `16 MiB`: how limits are named in messages and docs."""
    if size >= MIB and size % MIB == 0:
        return f"{size // MIB} MiB"
    if size >= KIB and size % KIB == 0:
        return f"{size // KIB} KiB"
    return f"{size} bytes"


def read_limited(path: Path, limit: int, what: str, *, private: bool = False) -> bytes:
    """The whole of `path`, refused (exit 2) if it is longer than `limit` bytes.

    `what` names the kind of file in messages ("batch file", "key file"). With `private`, the
    file must pass `check_private` first.
    """
    fd = _open(path, what)
    try:
        info = os.fstat(fd)
        if private:
            check_private(path, info, what)
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _too_large(what, path, limit)
        data = _read_up_to(fd, limit + 1, what, path)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_large(what, path, limit)
    return data


def read_first_line(path: Path, what: str, limit: int = SECRET_TEXT_LIMIT) -> str:
    """The first line of a private, UTF-8 secret file, without its line ending.

    Only as much is read as it takes to find the end of the first line, at most `limit`
    bytes, so the rest of a big file (or an endless device) is never read.
    """
    fd = _open(path, what)
    try:
        check_private(path, os.fstat(fd), what)
        data = b""
        while len(data) <= limit and b"\n" not in data and b"\r" not in data:
            chunk = _read(fd, min(_CHUNK, limit + 1 - len(data)), what, path)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    lines = data.splitlines()
    first = lines[0] if lines else b""
    if len(first) > limit:
        raise FileTooLarge(f"the first line of {what} {path} is longer than {size_text(limit)}")
    try:
        return first.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableFile(f"cannot read {what} {path}: not UTF-8 text") from None


def read_stream(stream: BinaryIO, limit: int, what: str) -> bytes:
    """The bytes of a stream such as standard input, refused past `limit` bytes."""
    data = b""
    while len(data) <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    if len(data) > limit:
        raise FileTooLarge(f"{what} is longer than {size_text(limit)}; refused")
    return data


def read_stream_text(stream: BinaryIO, limit: int, what: str) -> str:
    """UTF-8 text from a stream, at most `limit` bytes."""
    try:
        return read_stream(stream, limit, what).decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableFile(f"{what} is not UTF-8 text") from None


def check_private(path: Path, info: os.stat_result, what: str) -> None:
    """Refuse a regular file that group or others may use, or that another user owns.

    Pipes (`--passphrase-file <(pass show wallet)`) and devices hold nothing that lasts, so
    only regular files are checked; root's files are trusted, as ssh does.
    """
    if not stat.S_ISREG(info.st_mode):
        return
    if info.st_uid not in (os.getuid(), 0):
        raise InsecureFile(
            f"{what} {path} belongs to another user (uid {info.st_uid}); "
            "use a file of your own with mode 600"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise InsecureFile(
            f"{what} {path} is open to group or others (mode {mode:04o}); run: chmod 600 {path}"
        )


class JsonRejected(ValueError):
    """Why a document is not acceptable JSON; callers wrap it in their own error."""


# A JSON string (escapes included, closing quote optional so an unterminated one is consumed
# in one step, never rescanned), or one bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def load_json(data: bytes | str, max_depth: int = JSON_DEPTH_LIMIT) -> Any:
    """Parsed JSON nested at most `max_depth` levels (arrays and objects).

    The depth is measured before parsing: the C decoder recurses once per level, and with a
    raised recursion limit a deep document crashes the process instead of raising.
    """
    try:
        text = data if isinstance(data, str) else data.decode(json.detect_encoding(data))
    except UnicodeDecodeError:
        raise JsonRejected("not valid JSON") from None
    if _nesting_exceeds(text, max_depth):
        raise JsonRejected(f"nested more than {max_depth} levels deep")
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonRejected(f"nested more than {max_depth} levels deep") from None
    except ValueError:
        raise JsonRejected("not valid JSON") from None


def _nesting_exceeds(text: str, max_depth: int) -> bool:
    if text.count("[") + text.count("{") <= max_depth:
        return False  # most documents: too few brackets to nest that deep
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _open(path: Path, what: str) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {what} {path}: {exc.strerror}") from None


def _read_up_to(fd: int, size: int, what: str, path: Path) -> bytes:
    parts: list[bytes] = []
    left = size
    while left > 0:
        chunk = _read(fd, min(left, 1 * MIB), what, path)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _read(fd: int, size: int, what: str, path: Path) -> bytes:
    try:
        return os.read(fd, size)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {what} {path}: {exc.strerror}") from None


def _too_large(what: str, path: Path, limit: int) -> FileTooLarge:
    return FileTooLarge(f"{what} {path} is larger than {size_text(limit)}; refused")
