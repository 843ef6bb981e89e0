"""Amounts: user text to integer base units and back, exactly, never through float.

`1.5` means 1.5 of the display unit (ETH, BTC, or a token's decimals); a suffix names
another unit of the chain (`20gwei`, `1000wei`, `2eth` on EVM; `1500sat` on Bitcoin;
`5000lamports` on Solana). More
decimals than the unit has is an error, never a rounding. Shared by every chain family.
Text longer than any real amount is refused before parsing (Python's int() refuses more
than 4,300 digits with a bare ValueError, and a huge number is never meant).
"""

from __future__ import annotations

import re

from chains.errors import InvalidAmount

ETHER_DECIMALS = 18
UNITS = {"wei": 0, "gwei": 9, "eth": 18, "ether": 18}
BTC_DECIMALS = 8
BTC_UNITS = {"sat": 0, "sats": 0, "btc": 8}
SOL_UNITS = {"lamport": 0, "lamports": 0, "sol": 9}
# ASCII only: a Bengali four looks like an 8, and Python's \d would accept it.
_NUMBER = re.compile(r"(?P<whole>[0-9]*)(?:\.(?P<frac>[0-9]*))?", re.ASCII)
# 2^256 - 1 wei has 78 digits; with a point, 18 decimals, spaces and a unit, 100 is plenty.
MAX_AMOUNT_TEXT = 100
_WITH_UNIT = re.compile(r"(?P<number>[0-9.]+)[ \t]*(?P<unit>[A-Za-z]+)", re.ASCII)


def parse_amount(
    text: str, decimals: int, *, allow_units: bool = True, units: dict[str, int] | None = None
) -> int:
    """Base units for `text`; the display unit has `decimals` decimals (EVM units by default)."""
    units = UNITS if units is None else units
    raw = text.strip()
    if len(raw) > MAX_AMOUNT_TEXT:
        raise InvalidAmount(
            f"amount {raw[:20]!r}... is {len(raw)} characters long; at most {MAX_AMOUNT_TEXT}"
        )
    if raw.startswith("-"):
        raise InvalidAmount(f"amount {text!r} is negative")
    number, places = raw, decimals
    matched = _WITH_UNIT.fullmatch(raw)
    if matched:
        unit = matched["unit"].lower()
        if not allow_units or unit not in units:
            known = ", ".join(units) if allow_units else "none for tokens"
            raise InvalidAmount(f"unknown unit {matched['unit']!r} in {text!r} (units: {known})")
        number, places = str(matched["number"]), units[unit]
    parts = _NUMBER.fullmatch(number)
    if not number or not parts or not (parts["whole"] or parts["frac"]):
        raise InvalidAmount(f"amount {text!r} is not a number like 1.5, 20gwei or 1000wei")
    whole, frac = parts["whole"] or "0", (parts["frac"] or "").rstrip("0")
    if len(frac) > places:
        raise InvalidAmount(
            f"amount {text!r} has {len(frac)} decimals; this unit has at most {places}"
        )
    scale: int = 10**places
    return int(whole) * scale + (int(frac.ljust(places, "0")) if frac else 0)


def format_amount(base_units: int, decimals: int) -> str:
    """Exact decimal text of `base_units`, without trailing zeros (`1.5`, `0`, `0.000001`)."""
    whole, fraction = divmod(base_units, 10**decimals)
    if not fraction:
        return str(whole)
    return f"{whole}.{str(fraction).rjust(decimals, '0').rstrip('0')}"


def units_for(family: str) -> dict[str, int]:
    """The unit suffixes a native amount may carry on a chain family (`20gwei`, `1500sat`,
    `5000lamports`)."""
    return {"btc": BTC_UNITS, "sol": SOL_UNITS}.get(family, UNITS)
