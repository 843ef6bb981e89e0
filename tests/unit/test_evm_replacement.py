"""chains/evm/replacement.py: a stored signed transaction reads back to the fields signed,
and a replacement's fees are a raise nodes accept (+10% at least), under the ceilings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chains.base import GWEI, NetworkLimits
from chains.errors import FeeAboveCeiling
from chains.evm import replacement
from chains.evm.fees import FeePolicy, GasPrice
from chains.evm.tx import Eip1559Tx, LegacyTx, Signer
from keystore.secret import PrivateKey
from tests.conftest import load_vectors

KEY = load_vectors("anvil_accounts.json")["vectors"][0]["private_key"]
BOB = bytes.fromhex("70997970C51812dc3A010C7d01b50e0d17dc79C8")
SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def signer() -> Signer:
    return Signer(PrivateKey(bytes.fromhex(KEY.removeprefix("0x"))))


@pytest.mark.parametrize(
    "tx",
    [
        Eip1559Tx(31337, 7, GWEI, 3 * GWEI, 21_000, BOB, 10**18),
        Eip1559Tx(1, 0, 0, 1, 60_000, BOB, 0, b"\xa9\x05\x9c\xbb" + bytes(64)),
        LegacyTx(31337, 300, 2 * GWEI, 21_000, BOB, 5),
        LegacyTx(11155111, 1, 1, 21_000, BOB, 0, b"\x01"),
    ],
)
def test_signed_transactions_read_back(tx: Eip1559Tx | LegacyTx) -> None:
    signed = signer().sign(tx)
    assert replacement.decode(signed.raw) == tx
    assert replacement.hash_of(signed.raw) == signed.hash_hex


@pytest.mark.parametrize("raw", [b"", b"\x02", b"\x02\xc0", b"\xc3\x01\x02\x03", b"\x01\xc0"])
def test_malformed_bytes_are_refused(raw: bytes) -> None:
    with pytest.raises(replacement.NotOurTransaction):
        replacement.decode(raw)


def test_a_raise_is_at_least_ten_percent_and_one_wei() -> None:
    assert replacement.raised(100, Decimal("1.25")) == 125
    assert replacement.raised(100, Decimal("1.01")) == 110  # never below what nodes take
    assert replacement.raised(1, Decimal("1.1")) == 2  # rounded up, always more
    assert replacement.raised(0, Decimal("1.1")) == 1
    assert replacement.raised(3, Decimal("1.25")) == 4


def test_new_fees_from_the_multiplier_and_explicit_fees() -> None:
    tx = Eip1559Tx(31337, 7, GWEI, 3 * GWEI, 21_000, BOB, 1)
    policy = FeePolicy()
    wanted = replacement.Raise(Decimal("1.5"))
    assert replacement.new_fees(tx, wanted, policy) == GasPrice(4_500_000_000, 1_500_000_000)
    legacy = LegacyTx(31337, 7, 2 * GWEI, 21_000, BOB, 1)
    assert replacement.new_fees(legacy, wanted, policy) == GasPrice(3 * GWEI, 0)
    given = replacement.Raise(Decimal("1.25"), max_fee_per_gas=10 * GWEI)
    assert replacement.new_fees(tx, given, policy) == GasPrice(10 * GWEI, 1_250_000_000)
    with pytest.raises(replacement.RaiseTooSmall, match=r"\+10%"):
        replacement.new_fees(tx, replacement.Raise(Decimal("2"), 3 * GWEI + 1), policy)
    with pytest.raises(replacement.RaiseTooSmall, match=r"\+10%"):
        replacement.new_fees(tx, replacement.Raise(Decimal("2"), None, GWEI), policy)
    with pytest.raises(replacement.RaiseTooSmall, match="above the max fee"):
        replacement.new_fees(tx, replacement.Raise(Decimal("2"), None, 7 * GWEI), policy)


def test_the_ceilings_hold_unless_the_fee_is_given() -> None:
    tx = Eip1559Tx(31337, 7, GWEI, 3 * GWEI, 21_000, BOB, 1)
    low = FeePolicy(limits=NetworkLimits(max_fee_per_gas=3 * GWEI))
    with pytest.raises(FeeAboveCeiling, match="max-fee-per-gas"):
        replacement.new_fees(tx, replacement.Raise(Decimal("1.25")), low)
    given = replacement.Raise(Decimal("1.25"), max_fee_per_gas=4 * GWEI)
    price = replacement.new_fees(tx, given, low)
    assert price.max_fee_per_gas == 4 * GWEI
    small = FeePolicy(limits=NetworkLimits(max_fee=21_000 * 4 * GWEI - 1))
    with pytest.raises(FeeAboveCeiling, match="max-fee"):  # max-fee holds for every transfer
        replacement.speed_up(tx, price, small)


def test_speed_up_keeps_the_transfer_and_cancel_pays_nobody() -> None:
    tx = Eip1559Tx(31337, 7, GWEI, 3 * GWEI, 50_000, BOB, 10**18, b"\x01")
    price = GasPrice(4 * GWEI, 2 * GWEI)
    faster = replacement.speed_up(tx, price, FeePolicy())
    assert faster == Eip1559Tx(31337, 7, 2 * GWEI, 4 * GWEI, 50_000, BOB, 10**18, b"\x01")
    cancel = replacement.cancel(tx, SENDER, price, FeePolicy())
    assert cancel == Eip1559Tx(
        31337, 7, 2 * GWEI, 4 * GWEI, 21_000, bytes.fromhex(SENDER[2:]), 0, b""
    )
    legacy = LegacyTx(31337, 3, 2 * GWEI, 21_000, BOB, 5)
    assert replacement.cancel(legacy, SENDER, GasPrice(3 * GWEI, 0), FeePolicy()).gas_price == (
        3 * GWEI
    )
