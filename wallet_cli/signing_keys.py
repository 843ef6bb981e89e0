"""The keys an unlocked wallet hands to a chain adapter for one signing (chains/session.py
`KeyProvider`): derived when asked, never kept by the adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chains.base import Family
from keystore.errors import WrongPassphrase
from keystore.secret import Mnemonic, PrivateKey, Seed
from wallet_cli.errors import BadInput

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet


class UnlockedKeys:
    def __init__(self, wallet: Wallet, family: Family) -> None:
        self._wallet = wallet
        self._family = family

    def __repr__(self) -> str:
        return f"UnlockedKeys({self._wallet.name!r}, {self._family})"

    def seed(self) -> Seed:
        from keystore.mnemonic import to_seed

        secret = self._wallet.unlocked_secret()
        if secret is None:
            raise WrongPassphrase(f"wallet '{self._wallet.name}' is locked")
        if not isinstance(secret, Mnemonic):
            raise BadInput("a single imported key has no Bitcoin account")
        self._wallet.verify_public(self._family)
        return to_seed(secret)

    def private_key(self, index: int) -> PrivateKey:
        return self._wallet.private_key(self._family, index)
