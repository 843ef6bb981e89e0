"""The EVM `ChainAdapter` (chains/base.py): keys, addresses, and sessions that send."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chains.base import Account, Family, Network, PublicAccount
from chains.errors import InvalidTxHash, UnsupportedChain
from chains.evm import address, derive
from keystore.secret import PrivateKey, Seed

if TYPE_CHECKING:
    from chains.session import ChainSession


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

    def parse_tx_hash(self, text: str) -> str:
        if not re.fullmatch(r"0x[0-9a-fA-F]{64}", text.strip()):
            raise InvalidTxHash(f"not a transaction hash (0x and 64 hex digits): {text[:80]!r}")
        return text.strip().lower()

    def well_known(self, address: str) -> str | None:
        return None  # precompiles, zero and burn addresses: screening's own EVM rules

    def connect(
        self,
        network: Network,
        public: PublicAccount | None,
        index: int,
        sender: str,
        timeout: float | None = None,
        state: Path | None = None,
    ) -> ChainSession:
        from chains.evm.session import connect

        return connect(network, sender, index, timeout, state)
