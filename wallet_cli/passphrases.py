"""Where passphrases come from, and the OS keyring that may hold one per wallet.

Sources follow the contract's order (file, `WALLET_PASSPHRASE`, keyring where turned on,
prompt); the caller supplies the prompt and the notice callbacks, so nothing here talks to a
person. Only wallets turned on in config.toml ([wallets.NAME] keyring = true) use the keyring.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from keystore.passphrase import PassphraseSources
from wallet_cli.store.config import Config
from wallet_cli.store.home import Home
from wallet_cli.wallet import Wallet, keyring_account

Prompt = Callable[[], str]
Notice = Callable[[str], None]


def unlock_sources(
    home: Home,
    config: Config,
    name: str,
    *,
    file: Path | None = None,
    prompt: Prompt | None = None,
    notice: Notice | None = None,
    environ: Mapping[str, str] | None = None,
) -> PassphraseSources:
    """Every source for unlocking wallet `name`; the keyring only if config turns it on."""
    use_keyring = config.keyring_enabled(name)
    return PassphraseSources(
        file=file,
        environ=os.environ if environ is None else environ,
        keyring_account=keyring_account(home, name) if use_keyring else None,
        prompt=prompt,
        notice=notice,
    )


def new_sources(
    file: Path | None = None,
    *,
    prompt: Prompt | None = None,
    notice: Notice | None = None,
    environ: Mapping[str, str] | None = None,
) -> PassphraseSources:
    """Sources for a new passphrase: never the keyring, which holds only existing ones.
    `environ={}` leaves out `WALLET_PASSPHRASE` (a replacement must not be the old one)."""
    return PassphraseSources(
        file=file,
        environ=os.environ if environ is None else environ,
        prompt=prompt,
        notice=notice,
    )


def resolve_passphrase(sources: PassphraseSources, purpose: str) -> str:
    """The first source that gives one; `NoPassphrase` at once when none can."""
    from keystore.passphrase import resolve

    return resolve(sources, purpose).value


def read_passphrase_file(
    path: Path, what: str, *, allow_empty: bool = False, notice: Notice | None = None
) -> str:
    """The first line of a private file (a BOM removed, `notice` told); empty refused unless
    `allow_empty` (a v3 key file may have the empty password)."""
    from keystore.passphrase import read_passphrase_file as read_first

    return read_first(path, what, allow_empty=allow_empty, notice=notice)


@dataclass(frozen=True)
class KeyringStatus:
    backend: str
    available: bool
    enabled: bool
    stored: bool


def keyring_enable(wallet: Wallet, passphrase: str) -> None:
    """Check `passphrase` against the vault (unlocking it), store it, turn the lookup on."""
    from keystore.passphrase import keyring_set

    wallet.unlock(passphrase)
    keyring_set(keyring_account(wallet.home, wallet.name), passphrase)
    _set_enabled(wallet.home, wallet.name, True)


def keyring_disable(home: Home, name: str) -> bool:
    """Stop the lookup first, then remove the stored passphrase: whether one was removed.
    Raises `KeyringUnavailable` (the lookup is already off) when the keyring does not answer."""
    from keystore.passphrase import keyring_delete

    _set_enabled(home, name, False)
    return keyring_delete(keyring_account(home, name))


def keyring_update(home: Home, config: Config, name: str, passphrase: str) -> bool:
    """After a passphrase change: store the new one if this wallet uses the keyring (then
    True). Raises `KeyringUnavailable` if the keyring refuses: it still holds the old one."""
    from keystore.passphrase import keyring_set

    if not config.keyring_enabled(name):
        return False
    keyring_set(keyring_account(home, name), passphrase)
    return True


def keyring_status(home: Home, config: Config, name: str) -> KeyringStatus:
    from keystore.errors import KeyringUnavailable
    from keystore.passphrase import keyring_backend, keyring_get

    available, backend = keyring_backend()
    enabled = config.keyring_enabled(name)
    stored = False
    if available and enabled:
        try:
            stored = keyring_get(keyring_account(home, name)) is not None
        except KeyringUnavailable:
            stored = False
    return KeyringStatus(backend, available, enabled, stored)


def _set_enabled(home: Home, name: str, enabled: bool) -> None:
    with home.lock():
        config = Config.load(home)
        config.wallet_settings(name)["keyring"] = enabled
        config.save(home)
