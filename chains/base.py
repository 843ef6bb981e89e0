"""The types every chain adapter speaks, and the adapter Protocol.

This is the part of DESIGN.md's `ChainAdapter` that exists today: key derivation and
address parsing. Building, signing and broadcasting join it with the EVM transfer issue;
a Protocol only lists what every adapter really implements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from keystore.secret import PrivateKey, Seed

Family = Literal["evm", "btc", "sol"]
FAMILIES: tuple[Family, ...] = ("evm", "btc", "sol")


def family_of(text: object) -> Family | None:
    """The chain family named by `text`, or None: config and public data are typed by hand."""
    return next((family for family in FAMILIES if family == text), None)


@dataclass(frozen=True)
class Network:
    name: str
    family: Family
    rpc_url: str | None = None
    chain_id: int | None = None
    is_devnet: bool = False
    backend: str | None = None  # Bitcoin: "esplora" or "bitcoind" at rpc_url


@dataclass(frozen=True)
class Account:
    """One address of a wallet: where it sits in the tree and what others send to."""

    index: int
    path: str | None
    address: str


@dataclass(frozen=True)
class PublicAccount:
    """What is kept unencrypted beside the vault so addresses derive without a passphrase.

    `key` names the account in public data: `evm`, or `btc:<network>:<script>` since a
    Bitcoin account's addresses depend on the network and the script type. `xpub` is an
    extended public key (EVM: of the receive chain m/44'/60'/0'/0; Bitcoin: of the account,
    with `descriptors` for its receive and change chains); it reveals every address of the
    account but no key. Single-key wallets have no xpub, one address.
    """

    family: Family
    path: str | None
    xpub: str | None
    single_address: str | None = None
    key: str = ""
    network: str | None = None
    descriptors: tuple[str, str] | None = None  # (external, internal), with checksums

    @property
    def account_key(self) -> str:
        return self.key or self.family


class ChainAdapter(Protocol):
    family: Family

    def public_accounts(self, seed: Seed, account: int) -> list[PublicAccount]: ...

    def account_key(self, network: Network, script: str | None) -> str: ...

    def public_account_for_key(self, key: PrivateKey) -> PublicAccount: ...

    def addresses(self, public: PublicAccount, indexes: Sequence[int]) -> list[Account]: ...

    def private_key(self, seed: Seed, account: int, index: int) -> PrivateKey: ...

    def address_of_key(self, key: PrivateKey) -> str: ...

    def parse_address(self, text: str, network: Network) -> str: ...


@dataclass(frozen=True)
class Asset:
    """What moves: the chain's native coin (`contract` None) or a token."""

    symbol: str
    decimals: int
    contract: str | None = None


@dataclass(frozen=True)
class Output:
    """One recipient of a transfer, as screening checks it and a person sees it."""

    recipient: str
    asset: Asset
    amount: int
    typed_as: str = ""


@dataclass(frozen=True)
class Preview:
    network: str
    chain_id: int | None
    sender: str
    outputs: tuple[Output, ...]
    fee_cap: int
    fee_asset: Asset
    call_target: str | None = None  # the contract called, for token transfers
    domain_chain_id: int | None = None  # EIP-712 typed data: the chain its domain names
