"""The entry points a script needs, in one import (docs/library.md).

Opening a home, its config, a network and a wallet takes what the CLI's global options
would give; everything else is a method of `Wallet`. Errors are the three families below,
each with a stable `code`, a `kind` (which the CLI maps to its exit code) and a `message`
that never holds a secret. Nothing here prints or prompts.
"""

from __future__ import annotations

import os
from pathlib import Path

from chains.base import Network
from chains.errors import ChainError
from keystore.errors import KeystoreError
from keystore.passphrase import PassphraseSources
from wallet_cli.balances import Balance
from wallet_cli.errors import WalletError
from wallet_cli.store.config import Config
from wallet_cli.store.home import Home
from wallet_cli.transfer import SendRequest, SendResult
from wallet_cli.wallet import Wallet, select_name

# Every error the library raises on purpose derives from one of these.
Errors = (WalletError, KeystoreError, ChainError)

__all__ = [
    "Balance",
    "ChainError",
    "Config",
    "Errors",
    "Home",
    "KeystoreError",
    "Network",
    "PassphraseSources",
    "SendRequest",
    "SendResult",
    "Wallet",
    "WalletError",
    "load_config",
    "open_home",
    "open_network",
    "open_wallet",
    "passphrase_file",
]


def open_home(path: str | Path | None = None) -> Home:
    """The home at `path`, else `WALLET_HOME`, else the platform's data folder (as `--home`)."""
    return Home.locate(str(path) if path is not None else None, os.environ)


def load_config(home: Home) -> Config:
    """The home's config.toml (refused if others can write it: `HomeUnusable`)."""
    return Config.load(home)


def open_network(home: Home, config: Config, name: str) -> Network:
    """The network called `name`; `devnet` is the wallet-managed anvil while it runs, and
    `solana-localnet` the wallet-managed Solana node, unless config.toml defines that network
    itself. Raises `UnknownNetwork`."""
    if name in ("devnet", "solana-localnet") and not config.is_configured(name):
        from wallet_cli import devnet

        running = devnet.network(home, name)
        if running is not None:
            return config.with_settings(running)
    return config.network(name)


def open_wallet(home: Home, config: Config, name: str | None = None) -> Wallet:
    """The wallet `name`, else the only one, else the configured default (as `--wallet`).
    Raises `WalletNotFound`, `WalletAmbiguous`, `HomeUnusable`."""
    return Wallet.open(home, select_name(home, config, name))


def passphrase_file(path: str | Path) -> PassphraseSources:
    """Unlock with the first line of `path` (as `--passphrase-file`), and nothing else."""
    return PassphraseSources(file=Path(path), environ={})
