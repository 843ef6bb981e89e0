"""What the coin store (chains/btc/store.py) hands back and refuses with: a stored
transaction as a bump preview reads it, and the errors, sharing the replacement codes
both chain families use (tx-not-ours, tx-already-mined, bad-input)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chains.errors import BadFee, ChainError, TxAlreadyMined, TxNotOurs


class StoreMismatch(ChainError):
    """The store file holds another account (other descriptors or network)."""

    code = "store-mismatch"
    kind = "input"


class UnknownTransaction(TxNotOurs):
    """Not in the store: never ours, or replaced since."""


class AlreadyConfirmed(TxAlreadyMined):
    """A bump asked for a transaction already in a block."""


class FeeNotHigher(BadFee):
    """A bump's fee rate that does not beat the original's (BIP-125 rules 3 and 4)."""


class NotReplaceable(ChainError):
    """The transaction does not signal replaceability (BIP-125)."""

    code = "not-replaceable"
    kind = "input"


@dataclass(frozen=True)
class TxOutput:
    address: str
    sats: int
    mine: bool  # pays this account (change, or a payment to ourselves)


@dataclass(frozen=True)
class StoredTx:
    """What a bump preview needs of a transaction in the store."""

    txid: str
    outputs: list[TxOutput]
    inputs: list[str]  # outpoints spent
    fee: int | None  # None when a spent coin's amount is unknown
    vsize: int
    confirmed: bool
    replaceable: bool  # signals RBF (BIP-125)

    @property
    def fee_rate(self) -> Decimal | None:
        """sat/vB (of the signed size)."""
        return Decimal(self.fee) / self.vsize if self.fee is not None and self.vsize else None
