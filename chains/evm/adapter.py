"""The EVM `ChainAdapter`: derivation and address parsing today."""

from __future__ import annotations

from collections.abc import Sequence

from chains.base import Account, Family, Network, PublicAccount
from chains.errors import UnsupportedChain
from chains.evm import address, derive
from keystore.secret import PrivateKey, Seed


class EvmAdapter:
    family: Family = "evm"

    def public_accounts(self, seed: Seed, account: int) -> list[PublicAccount]:
        return [derive.public_account(seed, account)]

    def account_key(self, network: Network, script: str | None) -> str:
        if script not in (None, "evm"):
            raise UnsupportedChain(f"script type {script!r} is for Bitcoin, not EVM networks")
        return "evm"

    def public_account_for_key(self, key: PrivateKey) -> PublicAccount:
        return PublicAccount("evm", None, None, self.address_of_key(key), key="evm")

    def addresses(self, public: PublicAccount, indexes: Sequence[int]) -> list[Account]:
        return derive.addresses(public, indexes)

    def private_key(self, seed: Seed, account: int, index: int) -> PrivateKey:
        return derive.private_key(seed, account, index)

    def address_of_key(self, key: PrivateKey) -> str:
        from coincurve import PrivateKey as CurveKey

        return address.from_public_key(CurveKey(key.reveal()).public_key.format(compressed=False))

    def parse_address(self, text: str, network: Network) -> str:
        return address.parse(text)
