"""What the global options resolve to, shared by every command of one invocation."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wallet_cli.store.config import Config
from wallet_cli.store.home import Home

if TYPE_CHECKING:
    from wallet_cli.types import Network, PassphraseSources
    from wallet_cli.wallet import Wallet


@dataclass
class Session:
    home_option: str | None
    wallet_option: str | None
    network_name: str
    passphrase_file: Path | None
    json: bool
    yes: bool
    debug: bool
    _config: Config | None = field(default=None, repr=False)
    _wallet: Wallet | None = field(default=None, repr=False)

    @property
    def home(self) -> Home:
        from wallet_cli.cli.output import note

        return Home.locate(self.home_option, os.environ, notice=note)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = Config.load(self.home)
        return self._config

    def network(self) -> Network:
        name = self.network_name
        if name in ("devnet", "solana-localnet") and not self.config.is_configured(name):
            from wallet_cli import devnet

            running = devnet.network(self.home, name)
            if running is not None:
                return self.config.with_settings(running)  # fee ceilings, RPC deadline
        return self.config.network(self.network_name)

    def wallet(self) -> Wallet:
        if self._wallet is None:
            from wallet_cli.wallet import Wallet, select_name

            name = select_name(self.home, self.config, self.wallet_option)
            self._wallet = Wallet.open(self.home, name)
            self._wallet.notify = _warn
        return self._wallet

    def unlock_sources(self, wallet: Wallet) -> PassphraseSources:
        from wallet_cli import passphrases
        from wallet_cli.cli.output import note
        from wallet_cli.cli.prompts import passphrase_prompt

        return passphrases.unlock_sources(
            self.home,
            self.config,
            wallet.name,
            file=self.passphrase_file,
            prompt=passphrase_prompt(f"wallet '{wallet.name}'"),
            notice=note,
        )

    def new_passphrase_sources(self, purpose: str, file: Path | None = None) -> PassphraseSources:
        from wallet_cli import passphrases
        from wallet_cli.cli.output import note
        from wallet_cli.cli.prompts import new_passphrase_prompt

        return passphrases.new_sources(
            file or self.passphrase_file, prompt=new_passphrase_prompt(purpose), notice=note
        )


_current: list[Session] = []


def remember(session: Session) -> None:
    """The session of this invocation, for the error report (hints.py) after Click is done."""
    _current[:] = [session]


def forget() -> None:
    _current.clear()


def current() -> Session | None:
    return _current[0] if _current else None


def _warn(message: str) -> None:
    from wallet_cli.cli.output import note

    note(f"warning: {message}")
