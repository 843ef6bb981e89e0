"""Modes and owners of the home's folders and files, checked before they are trusted.

A file someone else can write can be swapped (a config pointing at a hostile node, a vault
to phish a passphrase, a history without the last transfer), and one someone else can read
leaks what it holds. Like ssh with private keys, the wallet refuses such files and says how
to fix them. A folder the wallet created that has merely become readable by others is put
back to 0700 (and said so); one that others can write is refused, since files may already
have been planted in it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from wallet_cli.errors import HomeUnusable, UnsafePermissions

Notice = Callable[[str], None]

_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH
_OTHERS_ANY = 0o077


def _owner_ok(st: os.stat_result) -> bool:
    return st.st_uid in (os.getuid(), 0)


def check_dir(path: Path, *, ours: bool, notice: Notice | None = None) -> None:
    """Refuse a folder others can write or another user owns; make one of ours 0700 again."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HomeUnusable(f"cannot use {path}: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise HomeUnusable(f"{path} is not a folder")
    mode = stat.S_IMODE(st.st_mode)
    if not _owner_ok(st):
        raise UnsafePermissions(
            f"{path} belongs to another user (uid {st.st_uid}); the wallet only uses "
            "folders of its own user"
        )
    if mode & _OTHERS_WRITE:
        raise UnsafePermissions(
            f"{path} can be written by other users (mode {mode:04o}); check what is in it, "
            f"then run: chmod 700 {path}"
        )
    if mode & _OTHERS_ANY:
        if not ours:
            raise UnsafePermissions(
                f"{path} can be read by other users (mode {mode:04o}); run: chmod 700 {path}"
            )
        os.chmod(path, 0o700)
        if notice is not None:
            notice(f"note: {path} was readable by other users (mode {mode:04o}); set to 0700")


def check_file(path: Path) -> None:
    """Refuse a file in the home that others can read or write, or a link to elsewhere."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HomeUnusable(f"cannot use {path}: {exc.strerror}") from None
    check_stat(path, st)


def check_stat(path: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise HomeUnusable(
            f"{path} is a symbolic link; the wallet does not follow links in its home "
            "(replace it with the real file)"
        )
    mode = stat.S_IMODE(st.st_mode)
    if not _owner_ok(st):
        raise UnsafePermissions(
            f"{path} belongs to another user (uid {st.st_uid}); the wallet only uses files "
            "of its own user"
        )
    if mode & _OTHERS_ANY:
        who = "written" if mode & _OTHERS_WRITE else "read"
        raise UnsafePermissions(
            f"{path} can be {who} by other users (mode {mode:04o}); run: chmod 600 {path}"
        )
