"""The Bitcoin `ChainAdapter`: accounts, addresses and address parsing. Signing goes through
PSBTs (the Bitcoin issue's next step), not through this protocol's EVM-shaped calls."""

from __future__ import annotations

from collections.abc import Sequence

from chains.base import Account, Family, Network, PublicAccount
from chains.btc import address, keys
from chains.btc.networks import bitcoin_network, script_purpose
from chains.errors import InvalidExtendedKey, UnsupportedChain
from keystore.secret import PrivateKey, Seed


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
