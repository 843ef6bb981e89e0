"""Replacing a pending EVM transaction: read back the one we signed, and build another at
the same nonce with higher fees (a speed-up) or as a 0-value self-transfer (a cancel).

Nodes accept a replacement only if it raises both the max fee per gas and the priority
fee (or the gas price) by at least 10% (geth's `txpool.pricebump`), so the raise here is
never below that. The raised fees are held under the network's ceilings like any send:
above `max-fee-per-gas` is refused unless the user gave the fee, and `max-fee` always holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from chains.amounts import format_amount
from chains.base import GWEI, MIN_GAS_LIMIT
from chains.errors import FeeAboveCeiling
from chains.evm import rlp
from chains.evm.address import keccak256
from chains.evm.fees import FeePolicy, GasPrice, check_transfer_fee
from chains.evm.tx import Eip1559Tx, LegacyTx, Transaction

MIN_BUMP = Decimal("1.1")  # what nodes require of a replacement's fees
MAX_MULTIPLIER = Decimal(10)


class NotOurTransaction(ValueError):
    """Raw bytes that are not a transaction this module can read back."""


class RaiseTooSmall(ValueError):
    """Explicit fees a node would refuse as a replacement (the caller says it as input)."""


def decode(raw: bytes) -> Transaction:
    """The unsigned fields of a signed EIP-1559 or EIP-155 transaction we stored."""
    try:
        if raw[:1] == b"\x02":
            fields = rlp.decode(raw[1:])
            if not isinstance(fields, list) or len(fields) != 12:
                raise NotOurTransaction("not an EIP-1559 transaction")
            chain_id, nonce, tip, cap, gas = (_int(f) for f in fields[:5])
            to, value, data, access = fields[5], _int(fields[6]), fields[7], fields[8]
            if access or not isinstance(data, bytes):
                raise NotOurTransaction("an access list or malformed data")
            return Eip1559Tx(chain_id, nonce, tip, cap, gas, _to(to), value, data)
        fields = rlp.decode(raw)
        if not isinstance(fields, list) or len(fields) != 9:
            raise NotOurTransaction("not a legacy transaction")
        nonce, price, gas = (_int(f) for f in fields[:3])
        to, value, data, v = fields[3], _int(fields[4]), fields[5], _int(fields[6])
        if v < 35 or not isinstance(data, bytes):
            raise NotOurTransaction("a legacy transaction without EIP-155 replay protection")
        return LegacyTx((v - 35) // 2, nonce, price, gas, _to(to), value, data)
    except ValueError as exc:
        raise NotOurTransaction(str(exc)) from None


def hash_of(raw: bytes) -> str:
    return "0x" + keccak256(raw).hex()


def _int(item: rlp.Decoded) -> int:
    if not isinstance(item, bytes):
        raise NotOurTransaction("an integer field is a list")
    return int.from_bytes(item, "big")


def _to(item: rlp.Decoded) -> bytes | None:
    if not isinstance(item, bytes) or len(item) not in (0, 20):
        raise NotOurTransaction("a malformed recipient")
    return item or None


def fees_of(tx: Transaction) -> GasPrice:
    """Max fee per gas and priority fee (legacy: gas price and 0)."""
    if isinstance(tx, LegacyTx):
        return GasPrice(tx.gas_price, 0)
    return GasPrice(tx.max_fee_per_gas, tx.max_priority_fee_per_gas)


def raised(value: int, multiplier: Decimal) -> int:
    """`value` x `multiplier` rounded up, at least +10% and at least one wei more."""
    factor = max(multiplier, MIN_BUMP)
    return max(math.ceil(value * factor), value + 1)


def least_accepted(value: int) -> int:
    return raised(value, MIN_BUMP)


@dataclass(frozen=True)
class Raise:
    """The replacement's fees: explicit ones are the user's decision (checked only to be a
    big enough raise); the others are the original's times the multiplier."""

    multiplier: Decimal
    max_fee_per_gas: int | None = None
    priority_fee: int | None = None


def new_fees(tx: Transaction, wanted: Raise, policy: FeePolicy) -> GasPrice:
    """The raised fees, or an error naming what is wrong: `RaiseTooSmall` for explicit fees
    nodes would not accept, `FeeAboveCeiling` above the network's ceilings."""
    old = fees_of(tx)
    legacy = isinstance(tx, LegacyTx)
    cap = wanted.max_fee_per_gas
    if cap is None:
        cap = raised(old.max_fee_per_gas, wanted.multiplier)
        ceiling = policy.limits.max_fee_per_gas
        if cap > ceiling:
            what = "gas price" if legacy else "max fee per gas"
            raise FeeAboveCeiling(
                f"the raised {what} would be {_gwei(cap)} ({wanted.multiplier} x "
                f"{_gwei(old.max_fee_per_gas)}), above max-fee-per-gas {_gwei(ceiling)} for "
                f"network {policy.network!r}: nothing was signed; give --max-fee-per-gas"
                f"{'' if legacy else ' and --priority-fee'}, or raise max-fee-per-gas in "
                f"config.toml [networks.{policy.network}]"
            )
    elif cap < least_accepted(old.max_fee_per_gas):
        raise RaiseTooSmall(
            f"--max-fee-per-gas {_gwei(cap)} is not enough: nodes take a replacement only "
            f"at {_gwei(least_accepted(old.max_fee_per_gas))} or more (+10%)"
        )
    tip = 0
    if not legacy:
        given = wanted.priority_fee
        tip = raised(old.priority_fee, wanted.multiplier) if given is None else given
        if given is not None and tip < least_accepted(old.priority_fee):
            raise RaiseTooSmall(
                f"--priority-fee {_gwei(tip)} is not enough: nodes take a replacement only "
                f"at {_gwei(least_accepted(old.priority_fee))} or more (+10%)"
            )
        if tip > cap:
            raise RaiseTooSmall(
                f"the priority fee {_gwei(tip)} would be above the max fee per gas "
                f"{_gwei(cap)}; give --max-fee-per-gas too"
            )
    return GasPrice(cap, tip)


def speed_up(tx: Transaction, price: GasPrice, policy: FeePolicy) -> Transaction:
    """The same transaction (nonce, recipient, value, data, gas) at the new fees."""
    return _checked(_priced(tx, price), price, policy)


def cancel(tx: Transaction, sender: str, price: GasPrice, policy: FeePolicy) -> Transaction:
    """A 0-value, no-data transfer to `sender` at the same nonce and the new fees."""
    blank = replace(tx, to=bytes.fromhex(sender[2:]), value=0, data=b"", gas=MIN_GAS_LIMIT)
    return _checked(_priced(blank, price), price, policy)


def _priced(tx: Transaction, price: GasPrice) -> Transaction:
    if isinstance(tx, LegacyTx):
        return replace(tx, gas_price=price.max_fee_per_gas)
    return replace(
        tx, max_fee_per_gas=price.max_fee_per_gas, max_priority_fee_per_gas=price.priority_fee
    )


def _checked(tx: Transaction, price: GasPrice, policy: FeePolicy) -> Transaction:
    check_transfer_fee(tx.gas, price, policy)  # max-fee holds for every transfer
    return tx


def _gwei(wei: int) -> str:
    return f"{format_amount(wei, 9)} gwei" if wei >= GWEI // 1000 or wei == 0 else f"{wei} wei"
