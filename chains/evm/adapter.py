"""The EVM `ChainAdapter`: derivation and address parsing today."""

from __future__ import annotations

from collections.abc import Sequence

from chains.base import Account, Family, Network, PublicAccount
from chains.evm import address, derive
from keystore.secret import PrivateKey, Seed


class EvmAdapter:
    family: Family = "evm"

    def public_account(self, seed: Seed, account: int) -> PublicAccount:
        return derive.public_account(seed, account)

    def public_account_for_key(self, key: PrivateKey) -> PublicAccount:
        return PublicAccount("evm", None, None, self.address_of_key(key))

    def addresses(self, public: PublicAccount, indexes: Sequence[int]) -> list[Account]:
        return derive.addresses(public, indexes)

    def private_key(self, seed: Seed, account: int, index: int) -> PrivateKey:
        return derive.private_key(seed, account, index)

    def address_of_key(self, key: PrivateKey) -> str:
        from coincurve import PrivateKey as CurveKey

        return address.from_public_key(CurveKey(key.reveal()).public_key.format(compressed=False))

    def parse_address(self, text: str, network: Network) -> str:
        return address.parse(text)
