"""The Bitcoin `ChainAdapter` (chains/base.py): descriptor accounts, addresses, and
sessions that send (one PSBT per transfer, chains/btc/session.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chains.base import Account, Family, Network, PublicAccount
from chains.btc import address, keys
from chains.btc.networks import bitcoin_network, script_purpose
from chains.errors import InvalidExtendedKey, InvalidTxHash, UnsupportedChain
from keystore.secret import PrivateKey, Seed

if TYPE_CHECKING:
    from chains.session import ChainSession


class BtcAdapter:
    family: Family = "btc"

    def public_accounts(self, seed: Seed, account: int) -> list[PublicAccount]:
        return keys.public_accounts(seed, account)

    def public_account_for_key(self, key: PrivateKey) -> PublicAccount:
        raise UnsupportedChain("a single imported key has no Bitcoin account")

    def account_key(self, network: Network, script: str | None) -> str:
        chosen, _ = script_purpose(script)
        return keys.account_key(bitcoin_network(network.name).name, chosen)

    def addresses(self, public: PublicAccount, indexes: Sequence[int]) -> list[Account]:
        import bdkpython

        if public.descriptors is None or public.network is None:
            raise InvalidExtendedKey("this Bitcoin account has no descriptors in public data")
        network = bitcoin_network(public.network)
        descriptor = bdkpython.Descriptor(public.descriptors[0], network.bdk_kind())
        return [
            Account(i, f"{public.path}/0/{i}", str(descriptor.derive_address(i, network.bdk())))
            for i in indexes
        ]

    def private_key(self, seed: Seed, account: int, index: int) -> PrivateKey:
        raise UnsupportedChain("Bitcoin keys sign through PSBTs, not single transactions")

    def address_of_key(self, key: PrivateKey) -> str:
        raise UnsupportedChain("a single imported key has no Bitcoin account")

    def parse_address(self, text: str, network: Network) -> str:
        return address.parse(text, bitcoin_network(network.name))

    def parse_tx_hash(self, text: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", text.strip()):
            raise InvalidTxHash(f"not a Bitcoin txid (64 hex digits): {text[:80]!r}")
        return text.strip().lower()

    def well_known(self, address: str) -> str | None:
        return None

    def connect(
        self,
        network: Network,
        public: PublicAccount | None,
        index: int,
        sender: str,
        timeout: float | None = None,
        state: Path | None = None,
    ) -> ChainSession:
        from chains.btc.session import connect

        return connect(network, public, sender, state)
