"""BIP-44 keys for EVM chains: m/44'/60'/account'/0/index (what MetaMask, Ledger Live and
`cast wallet` use), so a mnemonic gives the same addresses here as in those tools."""

from __future__ import annotations

from collections.abc import Sequence

from chains.base import Account, PublicAccount
from chains.bip32 import HARDENED, ExtendedPrivateKey, parse_extended_key, public_children
from chains.errors import InvalidExtendedKey
from chains.evm.address import from_public_key
from keystore.secret import PrivateKey, Seed

COIN_TYPE = 60


def chain_path(account: int) -> str:
    return f"m/44'/{COIN_TYPE}'/{account}'/0"


def _chain_node(seed: Seed, account: int) -> ExtendedPrivateKey:
    root = ExtendedPrivateKey.from_seed(seed.reveal())
    return root.derive((44 + HARDENED, COIN_TYPE + HARDENED, account + HARDENED, 0))


def public_account(seed: Seed, account: int) -> PublicAccount:
    node = _chain_node(seed, account)
    return PublicAccount("evm", chain_path(account), node.neuter().serialize(), key="evm")


def addresses(public: PublicAccount, indexes: Sequence[int]) -> list[Account]:
    if public.xpub is None:
        if list(indexes) != [0] or public.single_address is None:
            raise InvalidExtendedKey("a single-key wallet has one address, index 0")
        return [Account(0, None, public.single_address)]
    parent = parse_extended_key(public.xpub)
    if isinstance(parent, ExtendedPrivateKey):
        raise InvalidExtendedKey("public data holds a private extended key; refusing to use it")
    keys = public_children(parent, indexes)
    return [
        Account(index, f"{public.path}/{index}", from_public_key(key))
        for index, key in zip(indexes, keys, strict=True)
    ]


def private_key(seed: Seed, account: int, index: int) -> PrivateKey:
    return PrivateKey(_chain_node(seed, account).child(index).private_key)
