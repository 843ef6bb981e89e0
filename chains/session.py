"""The transfer side of a chain adapter: what the one pipeline (wallet_cli/transfer.py) asks
of a chain, in chain-neutral types, named as DESIGN's sketch names them (`build`, `sign`,
`broadcast`, `wait`; `UnsignedTx`, `SignedTx`, `Receipt`, `KeyProvider`).

One deviation from that sketch: the node is not passed as a `client` to each call. A
`ChainSession` (from `ChainAdapter.connect`) holds it, checked to be on the configured network,
with what the chain needs beside it for one sending account: an EVM JSON-RPC client, or a
Bitcoin backend plus the account's coin store. The pipeline builds outputs into
`UnsignedTx`s (each with the `Preview` a person sees and screening checks), has them signed
with keys handed over from the keystore layer (`KeyProvider`), broadcasts them and waits for
their `Receipt`. What an unsigned transaction holds (an EVM transaction, a Bitcoin PSBT)
stays the adapter's business.

How many transactions a request becomes is the chain's choice: on EVM each output is its
own (consecutive nonces); on Bitcoin all outputs go in one, as Core's `sendmany` does.
`UnsignedTx.outputs` says which of the requested outputs each one pays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from chains.base import Asset, Network, Output, Preview
from chains.errors import ChainError
from keystore.secret import PrivateKey, Seed

Status = Literal["success", "failed", "pending", "not-found", "expired"]
Progress = Callable[[int], None]  # how many outcomes are in so far


class Expired(str):
    """A node's refusal that means the transaction's validity window has passed (Solana: its
    blockhash is no longer recent): it can never land, and the same plan signed again with
    fresh chain data may. Any other refusal is final."""


class ItemError(Exception):
    """Which output of a plan failed, wrapping the chain error to re-raise with its row."""

    def __init__(self, position: int, error: ChainError) -> None:
        super().__init__(error.message)
        self.position = position
        self.error = error


@dataclass(frozen=True)
class FeeChoice:
    """Fees a person gave, in base units (None: the node's quote, under the network's
    ceilings). Each chain reads the fields that mean something on it and refuses the others."""

    max_fee_per_gas: int | None = None  # EVM: wei (the gas price with `legacy`)
    priority_fee: int | None = None  # EVM: wei
    legacy: bool = False  # EVM: an EIP-155 transaction instead of EIP-1559
    gas_limit: int | None = None  # EVM: skip estimation
    fee_rate: int | None = None  # Bitcoin: sat/vB
    coins: tuple[str, ...] = ()  # Bitcoin coin control: the `txid:vout` to spend, exactly


@dataclass(frozen=True)
class UnsignedTx:
    """An unsigned transaction: `preview` is what is shown and screened, `body` what the
    adapter signs (opaque to the pipeline), `outputs` the positions of the requested outputs
    it pays."""

    preview: Preview
    body: object
    outputs: tuple[int, ...]
    nonce: int | None = None  # EVM: the account nonce it uses


@dataclass(frozen=True)
class SignedTx:
    """A signed transaction, as the history journal keeps it to re-broadcast after a crash."""

    tx_hash: str
    raw: str  # hex
    nonce: int | None = None


@dataclass(frozen=True)
class Receipt:
    """What the node says of a transaction: mined (`success` or `failed`, with the block),
    still `pending` in its pool, `not-found` (never seen, or dropped), or `expired` (never
    seen, and past its validity window: it can never land, and signing it again is safe)."""

    tx_hash: str
    status: Status
    block: int | None = None
    reason: str | None = None  # why it failed, when the chain can say


ReplaceKind = Literal["speed-up", "cancel"]


@dataclass(frozen=True)
class SentTransfer:
    """A transfer this wallet signed and sent, as its history records it: the raw bytes and
    what they were meant to pay (checked against each other before anything is built)."""

    tx_hash: str
    raw: str
    sender: str
    to: str
    token: str | None
    amount: int  # base units
    nonce: int | None


@dataclass(frozen=True)
class Replacing:
    """A replacement planned: the plan, the nonce (or coins) it reuses, and its fees against
    the original's, for a person (`fee_change`) and for JSON (`fee_fields`)."""

    plan: UnsignedTx
    nonce: int | None
    fee_change: str
    fee_fields: dict[str, str | None] = field(default_factory=dict)


class KeyProvider(Protocol):
    """Keys handed over by the keystore layer once the wallet is unlocked. An adapter takes
    what its signing needs and keeps none of it."""

    def seed(self) -> Seed:
        """The BIP-39 seed; raises `BadInput` for a wallet of one imported key."""
        ...

    def private_key(self, index: int) -> PrivateKey:
        """The private key of the account's address `index` on this chain family."""
        ...


class ChainSession(Protocol):
    """One network's node, checked, for one sending address of one wallet account."""

    network: Network
    chain_id: int | None  # as the node reported it (EVM), None where chains have none
    sender: str  # the address shown as the sender (Bitcoin: the account's first address)
    lock_name: str  # the home lock that serialises this account's signing (nonces, coins)
    max_batch: int  # how many transactions one broadcast or lookup call should carry
    account_wide: str  # "" when the sender's balance is one address's; else what it covers

    def asset(self, contract: str | None) -> Asset:
        """The native asset (`None`), or the token at `contract` with its decimals and symbol
        read from the chain; `UnknownToken` when it is not one."""
        ...

    def build(self, outputs: Sequence[Output], fees: FeeChoice) -> list[UnsignedTx]:
        """Plans paying every output, with fees under the network's ceilings and the balance
        checked; `ItemError` names the output that cannot be paid."""
        ...

    def sign(self, plans: Sequence[UnsignedTx], keys: KeyProvider) -> list[SignedTx]:
        """Each plan signed, in order."""
        ...

    def broadcast(self, signed: Sequence[SignedTx]) -> list[str | None]:
        """Send each transaction (at most `max_batch`); per transaction None when the node took
        it (or already had it), else the node's refusal in its own words (an `Expired` one
        when it can never land as signed)."""
        ...

    def wait(
        self, hashes: Sequence[str], timeout: float, progress: Progress | None = None
    ) -> dict[str, Receipt]:
        """The outcomes of the transactions settled (mined) within `timeout` seconds."""
        ...

    def look_up(self, hashes: Sequence[str]) -> list[Receipt]:
        """What the node says of each transaction now (at most `max_batch`), without waiting."""
        ...

    def nudge(self) -> None:
        """A devnet that automines may leave ready transactions unmined: ask for a block.
        Nothing on other networks."""
        ...

    def replacement(
        self, original: SentTransfer, kind: ReplaceKind, multiplier: Decimal, fees: FeeChoice
    ) -> Replacing:
        """A replacement of `original`, still unmined: the same payment with higher fees
        (`speed-up`; Bitcoin: a fee bump), or a 0-value transfer to the sender at its nonce
        (`cancel`, EVM). Fees rise by `multiplier`, or to the explicit `fees`. Raises
        `TxAlreadyMined`, `TxNotOurs`, `RecordMismatch`, `UnsupportedChain`."""
        ...

    def balance(self, address: str | None, asset: Asset) -> int:
        """Base units of `asset` held at `address`; None: by this session's sender (Bitcoin:
        by the whole account, its receive and change addresses)."""
        ...

    def contract_flags(self, addresses: Sequence[str]) -> list[bool | None]:
        """Whether each address holds contract code (None: not known, or no such thing)."""
        ...

    def close(self) -> None: ...
