"""Amounts: user text to integer base units and back, exactly, never through float."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chains.amounts import ETHER_DECIMALS, UNITS, format_amount, parse_amount
from chains.errors import InvalidAmount

ETH = ETHER_DECIMALS
GWEI = 10**9
WEI_PER_ETH = 10**18


@pytest.mark.parametrize(
    ("text", "decimals", "expected"),
    [
        ("1.5", ETH, 15 * 10**17),
        ("20gwei", ETH, 20 * GWEI),
        ("1000wei", ETH, 1000),
        ("2eth", ETH, 2 * WEI_PER_ETH),
        ("1 ether", ETH, WEI_PER_ETH),
        ("0.000000000000000001", ETH, 1),
        (".5", ETH, 5 * 10**17),
        ("1.", ETH, WEI_PER_ETH),
        ("0", ETH, 0),
        ("0.0", ETH, 0),
        ("  1.5  ", ETH, 15 * 10**17),
        ("1.50000000000000000000000", ETH, 15 * 10**17),  # trailing zeros are not precision
        ("20 GWEI", ETH, 20 * GWEI),
        ("2ETH", ETH, 2 * WEI_PER_ETH),
        ("0.5gwei", ETH, 5 * 10**8),
        ("1.000wei", ETH, 1),
        ("0.000000001eth", ETH, GWEI),
        ("1.5", 6, 1_500_000),
        ("1.5", 1, 15),
        ("7", 0, 7),
        (
            "12345678901234567890123456789.123456789012345678",
            ETH,
            12345678901234567890123456789_123456789012345678,
        ),
        (str(2**256 - 1) + "wei", ETH, 2**256 - 1),
    ],
)
def test_parse(text: str, decimals: int, expected: int) -> None:
    result = parse_amount(text, decimals)
    assert isinstance(result, int)
    assert result == expected


def test_parse_without_units_for_tokens() -> None:
    assert parse_amount("1.5", 6, allow_units=False) == 1_500_000
    assert parse_amount("42", 0, allow_units=False) == 42


@pytest.mark.parametrize(
    "text",
    [
        "-1",
        "-0.5",
        " -1",
        "abc",
        "",
        "   ",
        ".",
        "1e18",
        "1E18",
        "1e-18",
        "1,5",
        "1.2.3",
        "NaN",
        "nan",
        "inf",
        "Infinity",
        "+1",
        "0x10",
        "1_000",
        "1 000",
        "0.0000000000000000001",  # 19 decimals: more than ETH has
        "1.5wei",
        "0.0000000001gwei",
        "20gwe",
        "20 gwei wei",
        "20gwei5",
        "eth",
        ". eth",
        "1.5.eth",
    ],
)
def test_parse_errors(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(text, ETH)


def test_over_precise_message_says_how_many_decimals() -> None:
    with pytest.raises(InvalidAmount, match="19 decimals") as caught:
        parse_amount("0.0000000000000000001", ETH)
    assert caught.value.code == "invalid-amount"
    assert caught.value.kind == "input"


def test_over_precise_for_token_decimals() -> None:
    with pytest.raises(InvalidAmount):
        parse_amount("0.0000001", 6, allow_units=False)
    with pytest.raises(InvalidAmount):
        parse_amount("1.5", 0, allow_units=False)


@pytest.mark.parametrize("text", ["20gwei", "1wei", "2eth", "1 ether"])
def test_units_not_allowed_for_tokens(text: str) -> None:
    with pytest.raises(InvalidAmount, match="none for tokens"):
        parse_amount(text, 6, allow_units=False)


def test_non_ascii_digits_next_to_a_unit_are_refused() -> None:
    with pytest.raises(InvalidAmount):
        parse_amount("٣gwei", ETH)


def test_unknown_unit_names_the_known_ones() -> None:
    with pytest.raises(InvalidAmount, match="gwei"):
        parse_amount("20gwe", ETH)


@pytest.mark.parametrize("text", ["৪", "1৪", "৪.৫", "١٥", "１", "𝟗"])
def test_non_ascii_digits_are_refused(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(text, ETH)


# --- format_amount -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_units", "decimals", "expected"),
    [
        (0, ETH, "0"),
        (0, 0, "0"),
        (1, ETH, "0.000000000000000001"),
        (15 * 10**17, ETH, "1.5"),
        (WEI_PER_ETH, ETH, "1"),
        (10 * WEI_PER_ETH, ETH, "10"),
        (1_500_000, 6, "1.5"),
        (1, 6, "0.000001"),
        (100, 0, "100"),
        (120, 1, "12"),
        (20 * GWEI, ETH, "0.00000002"),
        (10**27 + 1, ETH, "1000000000.000000000000000001"),  # 28 digits: still exact
    ],
)
def test_format(base_units: int, decimals: int, expected: str) -> None:
    assert format_amount(base_units, decimals) == expected


@pytest.mark.parametrize(
    ("base_units", "decimals", "expected"),
    [
        (10**28 + 1, 0, "10000000000000000000000000001"),
        (12345678901234567890123456789, ETH, "12345678901.234567890123456789"),
        (2**256 - 1, 0, str(2**256 - 1)),
        # a realistic token balance: 589 trillion tokens of 18 decimals, plus one base unit
        (589_000_000_000_000 * 10**18 + 1, 18, "589000000000000.000000000000000001"),
    ],
)
def test_format_large_amounts_exactly(base_units: int, decimals: int, expected: str) -> None:
    assert format_amount(base_units, decimals) == expected


def test_units_table() -> None:
    assert UNITS == {"wei": 0, "gwei": 9, "eth": 18, "ether": 18}


# --- hypothesis --------------------------------------------------------------------------

decimals_st = st.integers(min_value=0, max_value=30)


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**28 - 1), decimals_st)
def test_round_trip_up_to_28_digits(value: int, decimals: int) -> None:
    text = format_amount(value, decimals)
    parsed = parse_amount(text, decimals)
    assert isinstance(parsed, int)
    assert parsed == value
    assert format_amount(parse_amount(text, decimals), decimals) == text
    assert "e" not in text.lower()
    assert not text.endswith(".")
    assert text == "0" or not (text.endswith("0") and "." in text)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**256), decimals_st)
@example(2**256 - 1, 18)
@example(10**28 + 1, 0)
def test_round_trip_up_to_2_256(value: int, decimals: int) -> None:
    text = format_amount(value, decimals)
    assert format_amount(parse_amount(text, decimals), decimals) == text
    parsed = parse_amount(text, decimals)
    assert isinstance(parsed, int)
    assert parsed == value


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=0, max_size=40),
    st.text(alphabet="0123456789", min_size=0, max_size=40),
    decimals_st,
)
def test_parse_decimal_text_exactly(whole: str, frac: str, decimals: int) -> None:
    text = f"{whole}.{frac}"
    significant = frac.rstrip("0")
    if (not whole and not frac) or len(significant) > decimals:
        with pytest.raises(InvalidAmount):
            parse_amount(text, decimals)
    else:
        expected = int(whole or "0") * 10**decimals + int(significant.ljust(decimals, "0") or "0")
        result = parse_amount(text, decimals)
        assert isinstance(result, int)
        assert result == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**30), st.sampled_from(sorted(UNITS)))
def test_unit_suffix_scales_exactly(value: int, unit: str) -> None:
    result = parse_amount(f"{value}{unit}", ETH)
    assert isinstance(result, int)
    assert result == value * 10 ** UNITS[unit]
    assert parse_amount(f"{value} {unit.upper()}", ETH) == result


@pytest.mark.parametrize(
    ("text", "sats"), [("0.001", 100_000), ("1500sat", 1500), ("2 sats", 2), ("1btc", 10**8)]
)
def test_bitcoin_units(text: str, sats: int) -> None:
    from chains.amounts import BTC_DECIMALS, BTC_UNITS

    assert parse_amount(text, BTC_DECIMALS, units=BTC_UNITS) == sats
    with pytest.raises(InvalidAmount):
        parse_amount("20gwei", BTC_DECIMALS, units=BTC_UNITS)
