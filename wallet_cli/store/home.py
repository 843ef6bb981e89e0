"""The home folder: where each file lives, the lock, and creating a wallet folder whole.

Layout (docs/formats.md): config.toml, wallets/<name>/vault.json, wallets/<name>/public.json,
.lock. Every read-modify-write holds the exclusive lock on `.lock` (flock), so two `wallet`
processes never lose each other's changes. A new wallet is written into a staging folder and
renamed into place, so a crash leaves either no wallet or a whole one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wallet_cli.errors import HomeUnusable, InvalidName, LockTimeout, WalletExists
from wallet_cli.store.atomic import FILE_MODE, fsync_dir, make_private_dir, write_new_file
from wallet_cli.store.permissions import check_dir

VAULT_FILE = "vault.json"
PUBLIC_FILE = "public.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_STAGING_PREFIX = ".staging-"
LOCK_TIMEOUT = 60.0  # seconds a command waits for another wallet process before giving up
LOCK_NOTICE_AFTER = 1.0  # seconds before a waiting command says what it waits for
LOCK_TIMEOUT_ENV = "WALLET_LOCK_TIMEOUT"


def validate_name(name: str) -> str:
    if not _NAME.fullmatch(name) or ".." in name:
        raise InvalidName(
            f"wallet name {name!r} is not allowed: use up to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class Home:
    root: Path
    notice: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    lock_timeout: float = field(default=LOCK_TIMEOUT, compare=False)

    @classmethod
    def locate(
        cls,
        explicit: str | None,
        environ: Mapping[str, str],
        notice: Callable[[str], None] | None = None,
    ) -> Home:
        """The home named by `--home`, `WALLET_HOME` or the platform's data folder;
        `notice` hears what a command waits for, and folder modes it put right."""
        timeout = LOCK_TIMEOUT
        if environ.get(LOCK_TIMEOUT_ENV):
            try:
                timeout = max(0.0, float(environ[LOCK_TIMEOUT_ENV]))
            except ValueError:
                raise HomeUnusable(f"{LOCK_TIMEOUT_ENV} must be a number of seconds") from None
        chosen = explicit or environ.get("WALLET_HOME")
        if chosen:
            root = Path(chosen).expanduser().absolute()
        else:
            from platformdirs import user_data_dir

            root = Path(user_data_dir("wallet", appauthor=False))
        return cls(root, notice, timeout)

    @property
    def wallets_dir(self) -> Path:
        return self.root / "wallets"

    @property
    def config_path(self) -> Path:
        return self.root / "config.toml"

    def wallet_dir(self, name: str) -> Path:
        return self.wallets_dir / validate_name(name)

    def vault_path(self, name: str) -> Path:
        return self.wallet_dir(name) / VAULT_FILE

    def public_path(self, name: str) -> Path:
        return self.wallet_dir(name) / PUBLIC_FILE

    def ensure(self) -> None:
        self.check_permissions()
        try:
            make_private_dir(self.wallets_dir)
        except OSError as exc:
            raise HomeUnusable(
                f"cannot create the home folder {self.root}: {exc.strerror}"
            ) from None

    def check_permissions(self) -> None:
        """The home and its wallets folder: no other user may write them (or read them)."""
        ours = (self.root / "wallets").is_dir() or (self.root / ".lock").exists()
        check_dir(self.root, ours=ours, notice=self.notice)
        check_dir(self.wallets_dir, ours=True, notice=self.notice)

    def wallet_names(self) -> list[str]:
        if not self.wallets_dir.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.wallets_dir.iterdir()
            if not entry.name.startswith(".") and (entry / VAULT_FILE).exists()
        )

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock over the whole home, held for one read-modify-write. Whoever takes
        it first sweeps what a killed writer left (temp files, staging folders)."""
        self.ensure()
        with self._flock(self.root / ".lock", "the home folder's lock"):
            self.sweep_staging()
            yield

    @contextlib.contextmanager
    def account_lock(self, key: str) -> Iterator[None]:
        """Exclusive lock for one sending account (or one batch file): held from reading the
        nonce to broadcast, so two processes never reuse a nonce or pay a row twice."""
        folder = self.root / "locks"
        make_private_dir(folder)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
        what = "another run of this batch" if key.startswith("batch-") else "the account"
        with self._flock(folder / f"{safe}.lock", what):
            yield

    @contextlib.contextmanager
    def _flock(self, path: Path, what: str) -> Iterator[None]:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
        try:
            self._wait_for(fd, what)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)  # who holds it, for waiters' messages
            yield
        finally:
            os.close(fd)

    def _wait_for(self, fd: int, what: str) -> None:
        """Take the lock, saying after a second what is awaited; give up after the timeout."""
        started = time.monotonic()
        told, pause = False, 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            waited = time.monotonic() - started
            holder = os.pread(fd, 16, 0).decode(errors="replace").strip()
            by = f" (held by wallet process {holder})" if holder.isdigit() else ""
            if waited >= self.lock_timeout:
                raise LockTimeout(
                    f"gave up after {self.lock_timeout:g} s waiting for {what}{by}; "
                    "nothing was changed, try again when that command has finished"
                )
            if not told and waited >= LOCK_NOTICE_AFTER and self.notice is not None:
                self.notice(f"waiting for {what}{by}...")
                told = True
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def create_wallet_dir(self, name: str, files: Mapping[str, bytes]) -> Path:
        """Write a whole wallet folder, or nothing. The caller must hold the lock."""
        target = self.wallet_dir(name)
        if target.exists():
            raise WalletExists(f"a wallet named {name!r} already exists in {self.root}")
        self.sweep_staging()
        staging = self.wallets_dir / f"{_STAGING_PREFIX}{secrets.token_hex(6)}"
        os.mkdir(staging, 0o700)
        try:
            for file_name, data in files.items():
                write_new_file(staging / file_name, data)
            fsync_dir(staging)
            os.rename(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        fsync_dir(self.wallets_dir)
        return target

    def sweep_staging(self) -> None:
        """Remove folders and temp files a killed process left behind (home lock held: every
        temp file is written under it, so none of these belongs to a live writer)."""
        for entry in self.wallets_dir.glob(f"{_STAGING_PREFIX}*"):
            shutil.rmtree(entry, ignore_errors=True)
        folders = ("history", "audit", "lists", "sync")
        for folder in (self.root, *(self.root / name for name in folders)):
            for temp in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    temp.unlink()
        for temp in (*self.wallets_dir.glob("*/.*.tmp"), *self.wallets_dir.glob("*/chains/.*.tmp")):
            with contextlib.suppress(OSError):
                temp.unlink()
