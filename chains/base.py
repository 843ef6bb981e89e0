"""The types every chain adapter speaks, and the adapter Protocol (DESIGN.md's
`ChainAdapter`): keys, addresses and address parsing here; the transfer side (plan, sign,
broadcast, await) through the `ChainSession` that `connect` opens (chains/session.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from keystore.secret import PrivateKey, Seed

if TYPE_CHECKING:
    from chains.session import ChainSession

Family = Literal["evm", "btc", "sol"]
FAMILIES: tuple[Family, ...] = ("evm", "btc", "sol")


def family_of(text: object) -> Family | None:
    """The chain family named by `text`, or None: config and public data are typed by hand."""
    return next((family for family in FAMILIES if family == text), None)


# Each family's native asset: symbol and decimals (a network may rename the symbol).
NATIVE: dict[Family, tuple[str, int]] = {"evm": ("ETH", 18), "btc": ("BTC", 8), "sol": ("SOL", 9)}
GWEI = 10**9
MIN_GAS_LIMIT = 21_000  # EVM: the intrinsic gas of any transaction
MAX_GAS_LIMIT = 30_000_000  # EVM: more than a mainnet block holds; no transfer needs it


@dataclass(frozen=True)
class NetworkLimits:
    """What the wallet accepts from a network's node whatever it says: the node is not
    trusted for fees, time or size. Amounts are in base units of the native asset."""

    max_fee_per_gas: int = 1000 * GWEI  # EVM: base fee + priority fee, or gasPrice (wei)
    max_fee: int = 10**17  # EVM: per transfer, gas limit x max fee per gas (0.1 ETH)
    max_fee_rate: int = 500  # Bitcoin: sat/vB quoted by the backend
    fee_warn_floor: int = 10**15  # a fee above the amount and above this warns (0.001 ETH)
    rpc_timeout: float = 10.0  # seconds, overall, per call to the node


def default_limits(family: Family) -> NetworkLimits:
    if family == "btc":
        return NetworkLimits(fee_warn_floor=10_000)
    if family == "sol":
        return NetworkLimits(max_fee=10**8, fee_warn_floor=10**6)
    return NetworkLimits()


@dataclass(frozen=True)
class Network:
    name: str
    family: Family
    rpc_url: str | None = None
    chain_id: int | None = None
    is_devnet: bool = False
    backend: str | None = None  # Bitcoin: "esplora" or "bitcoind" at rpc_url
    symbol: str | None = None  # the native asset's symbol; None: the family's (ETH, BTC)
    settings: NetworkLimits | None = None  # None: the family's defaults

    @property
    def limits(self) -> NetworkLimits:
        return self.settings or default_limits(self.family)

    @property
    def native(self) -> Asset:
        default_symbol, decimals = NATIVE[self.family]
        return Asset(self.symbol or default_symbol, decimals)


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


def receive_path(account: PublicAccount, index: int) -> str | None:
    """The derivation path of receive address `index` of `account`, for display (EVM:
    <path>/i; Bitcoin: <account>/0/i; Solana: m/44'/501'/i'/0', hardened throughout)."""
    if not account.path:
        return None
    if account.family == "btc":
        return f"{account.path}/0/{index}"
    if account.family == "sol":
        return f"{account.path}/{index}'/0'"
    return f"{account.path}/{index}"


class ChainAdapter(Protocol):
    """One chain family. The wallet layer calls only these; nothing outside chains/<family>/
    knows how that family derives keys, spells addresses or builds transactions."""

    family: Family

    def public_accounts(self, seed: Seed, account: int) -> list[PublicAccount]:
        """Every account of this family a seed gives at BIP-44 `account`, as public data
        (kept unencrypted so addresses derive without the passphrase)."""
        ...

    def account_key(self, network: Network, script: str | None) -> str:
        """The name of the account that serves `network` (Bitcoin: per script type)."""
        ...

    def public_account_for_key(self, key: PrivateKey) -> PublicAccount:
        """The public data of a wallet made of one imported key."""
        ...

    def addresses(self, public: PublicAccount, indexes: Sequence[int]) -> list[Account]:
        """Receive addresses at `indexes`, from public data alone."""
        ...

    def private_key(self, seed: Seed, account: int, index: int) -> PrivateKey:
        """The key of address `index`, for families that sign with one key per address."""
        ...

    def address_of_key(self, key: PrivateKey) -> str:
        """The address an imported key receives on."""
        ...

    def parse_address(self, text: str, network: Network) -> str:
        """`text` checked and normalised for `network` (EIP-55 on EVM), or `InvalidAddress`."""
        ...

    def parse_tx_hash(self, text: str) -> str:
        """A transaction hash as this family spells it (EVM: 0x and 64 hex digits; Bitcoin:
        a txid of 64 hex digits), lowercased, or `InvalidTxHash`."""
        ...

    def well_known(self, address: str) -> str | None:
        """What `address` (as `parse_address` returns it) is when it is a protocol fixture,
        not an account anyone holds a key to ("the System Program"), or None: screening
        blocks sending there without knowing any family's table."""
        ...

    def connect(
        self,
        network: Network,
        public: PublicAccount | None,
        index: int,
        sender: str,
        timeout: float | None = None,
        state: Path | None = None,
    ) -> ChainSession:
        """A session on `network`'s node for sending from address `index` (`sender`) of the
        account `public`, the node checked to be on that network (chain id on EVM); with no
        account, a session that only reads (balances, statuses, contract code). Each call to
        the node has the network's `rpc-timeout`, or `timeout` when shorter. `state` is a
        private folder where the account may keep what it learnt of the chain (Bitcoin:
        bdk's wallet store)."""
        ...


@runtime_checkable
class SeedAddresses(Protocol):
    """A family whose addresses derive from the seed only (Solana: ed25519 is hardened-only),
    so its public record caches them and its `addresses` serves only that cache."""

    def seed_addresses(self, seed: Seed, account: int, indexes: Sequence[int]) -> list[Account]:
        """Receive addresses at `indexes` of BIP-44 `account`, derived from the seed."""
        ...


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
    data: bytes = b""  # EVM: call data for a contract call (`send --data`); empty: a transfer


@dataclass(frozen=True)
class Grant:
    """A permission that a signature or a call gives away: `spender` may take `amount` of
    `token` (None: every token of that contract, an operator approval) until `expires`
    (unix seconds; None: no end). Decoded by the chain's adapter from typed data (ERC-2612
    and DAI `Permit`, Permit2) or call data (`approve`, `increaseAllowance`,
    `setApprovalForAll`, Permit2 `approve`), so that screening judges what is given, not
    only where a signature goes. `where` names the field it came from (`message.spender`)."""

    kind: str  # e.g. "permit", "permit2", "approve", "approval-for-all"
    token: str | None
    spender: str
    amount: int | None
    unlimited: bool  # the maximum, or near it: everything, for good
    expires: int | None
    where: str


@dataclass(frozen=True)
class Payment:
    """Something a signed order sends to `recipient` when it is filled (a Seaport
    consideration item): `amount` base units of `token` (None: the native coin)."""

    recipient: str
    token: str | None
    amount: int
    where: str


@dataclass(frozen=True)
class Mention:
    """An address that a message or a call names, screened as a destination would be (the
    trust rules: lists, look-alikes, poisoners); `role` says what it is there for."""

    address: str
    role: str  # "spender", "recipient", "verifying-contract", "owner", "operator", "other"
    where: str


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
    grants: tuple[Grant, ...] = ()  # permissions given away (typed data, call data)
    payments: tuple[Payment, ...] = ()  # what a signed order pays out when filled
    mentions: tuple[Mention, ...] = ()  # every other address the message or call names
