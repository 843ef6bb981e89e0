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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from wallet_cli.errors import HomeUnusable, InvalidName, WalletExists
from wallet_cli.store.atomic import FILE_MODE, fsync_dir, make_private_dir, write_new_file

VAULT_FILE = "vault.json"
PUBLIC_FILE = "public.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_STAGING_PREFIX = ".staging-"


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

    @classmethod
    def locate(cls, explicit: str | None, environ: Mapping[str, str]) -> Home:
        chosen = explicit or environ.get("WALLET_HOME")
        if chosen:
            return cls(Path(chosen).expanduser().absolute())
        from platformdirs import user_data_dir

        return cls(Path(user_data_dir("wallet", appauthor=False)))

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
        try:
            make_private_dir(self.wallets_dir)
        except OSError as exc:
            raise HomeUnusable(
                f"cannot create the home folder {self.root}: {exc.strerror}"
            ) from None

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
        """Exclusive lock over the whole home, held for one read-modify-write."""
        self.ensure()
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def account_lock(self, key: str) -> Iterator[None]:
        """Exclusive lock for one sending account: held from reading the nonce to broadcast,
        so two processes sending from the same account never reuse a nonce."""
        folder = self.root / "locks"
        make_private_dir(folder)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
        fd = os.open(folder / f"{safe}.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

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
        """Remove folders and temp files a killed process left behind (lock held)."""
        for entry in self.wallets_dir.glob(f"{_STAGING_PREFIX}*"):
            shutil.rmtree(entry, ignore_errors=True)
        for temp in self.root.glob("**/.*.tmp"):
            with contextlib.suppress(OSError):
                temp.unlink()
