"""Crash-safe file writes: temp file in the same folder, fsync, rename, fsync the folder.

A reader (or a process killed mid-write) sees the old file or the new one, never a mix.
Files are created 0600 by `os.open`'s mode, never chmod'ed after the fact.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_file(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (O_EXCL), fsynced, 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically; the caller holds the home lock."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    write_new_file(temp, data)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(path.parent)


def make_private_dir(path: Path) -> None:
    """Create a 0700 folder (and 0700 parents); an existing one is left as it is."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, DIR_MODE)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_output(path: Path, data: bytes) -> None:
    """A file the user asked for (`--out`): new, 0600, never over an existing one (one-line
    errors: `output-exists`, or `bad-input` naming the system's reason)."""
    from wallet_cli.errors import BadInput, OutputExists

    try:
        write_new_file(path, data)
    except FileExistsError:
        raise OutputExists(f"{path} already exists; it was not overwritten") from None
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from None
