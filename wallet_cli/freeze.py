"""The owner's emergency freeze: `wallets/<name>/frozen.json` stops every signing path.

Freezing needs no passphrase, so an owner who suspects theft can do it at once. The check sits
where keys leave the wallet (`Wallet.private_key`, `Wallet.unlocked_secret`), not in each
command, so scripts through the library API and every chain's signing stop alike; a batch
already running stops at its next signature. The file is read at every key access: another
process's freeze takes effect mid-command. A marker that cannot be read (malformed, a link,
unsafe permissions) counts as frozen: failing closed is the point. Lifting a freeze
(`unfreeze`) needs the unlocked vault and the second factor; both are audited.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wallet_cli.errors import WalletError
from wallet_cli.store.home import Home

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet

FROZEN_FILE = "frozen.json"
MAX_MARKER_BYTES = 4096


class WalletFrozen(WalletError):
    """The owner froze this wallet: nothing signs until `wallet unfreeze`."""

    code = "frozen"
    kind = "refused"


@dataclass(frozen=True)
class FreezeState:
    at: str  # ISO time of the freeze, or "an unknown time" for an unreadable marker
    damaged: bool = False


def _marker(home: Home, name: str) -> Path:
    return home.wallet_dir(name) / FROZEN_FILE


def state(home: Home, name: str) -> FreezeState | None:
    """The freeze on wallet `name`, or None. An unreadable marker is a freeze."""
    path = _marker(home, name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError:
        return FreezeState("an unknown time", damaged=True)
    try:
        with os.fdopen(fd, "rb") as handle:
            document = json.loads(handle.read(MAX_MARKER_BYTES))
        at = document["at"]
        if not isinstance(at, str) or not at:
            raise ValueError(at)
        datetime.fromisoformat(at)
    except (OSError, ValueError, KeyError, TypeError):
        return FreezeState("an unknown time", damaged=True)
    return FreezeState(at)


def message(name: str, frozen: FreezeState) -> str:
    damaged = " (its freeze file is unreadable)" if frozen.damaged else ""
    return (
        f"wallet '{name}' is frozen by the owner at {frozen.at}{damaged}: nothing signs until "
        "'wallet unfreeze' (passphrase and second factor)"
    )


def check(home: Home, name: str) -> None:
    """Raise `WalletFrozen` (exit 3) if the owner froze wallet `name`."""
    frozen = state(home, name)
    if frozen is not None:
        raise WalletFrozen(message(name, frozen))


def freeze(home: Home, name: str) -> tuple[FreezeState, bool]:
    """Freeze wallet `name` (no passphrase); returns the freeze and whether it is new.
    Freezing a frozen wallet keeps the first time, and is audited again."""
    from wallet_cli.store.atomic import write_atomic
    from wallet_cli.store.audit import record

    folder = home.wallet_dir(name)
    if not (folder / "vault.json").exists():
        from wallet_cli.errors import WalletNotFound

        raise WalletNotFound(f"no wallet named {name!r} in {home.root}")
    with home.lock():
        existing = state(home, name)
        if existing is None or existing.damaged:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            write_atomic(folder / FROZEN_FILE, json.dumps({"at": now}).encode() + b"\n")
            current, new = FreezeState(now), True
        else:
            current, new = existing, False
    record(home, name, "freeze", at=current.at, already=not new)
    return current, new


def unfreeze(wallet: Wallet, code: str | None) -> FreezeState | None:
    """Lift the freeze of an unlocked wallet after its second factor (if enabled) accepts
    `code`; returns the freeze lifted (None if it was not frozen). The caller unlocked the
    wallet with a passphrase the owner gave (not the keyring)."""
    from wallet_cli import second_factor
    from wallet_cli.store.audit import record

    if not wallet.is_unlocked():
        from keystore.errors import WrongPassphrase

        raise WrongPassphrase(f"wallet '{wallet.name}' must be unlocked first")
    second_factor.require(wallet, code)
    home = wallet.home
    with home.lock():
        existing = state(home, wallet.name)
        if existing is not None:
            os.unlink(_marker(home, wallet.name))
            from wallet_cli.store.atomic import fsync_dir

            fsync_dir(home.wallet_dir(wallet.name))
    if existing is not None:
        record(home, wallet.name, "unfreeze", frozen_at=existing.at)
    return existing
