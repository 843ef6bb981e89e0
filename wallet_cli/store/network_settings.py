"""Per-network limits in config.toml's `[networks.NAME]`: fee ceilings, the RPC deadline and
the native asset's symbol. Every key is optional; a missing one takes the family's default
(chains.base.default_limits), the same for built-in and added networks.

    max-fee-per-gas = "1000gwei"  # EVM, wei/gwei/eth units; a bare number is gwei
    max-fee         = "0.1"       # EVM, native asset per transfer (gas x max fee per gas)
    max-fee-rate    = 500         # Bitcoin, sat/vB the backend may quote
    fee-warn-floor  = "0.001"     # native asset (Bitcoin default 0.0001 = 10,000 sat)
    rpc-timeout     = 10          # seconds per call to the node, overall
    symbol          = "ETH"       # the native asset's symbol in what the wallet shows
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from chains.amounts import UNITS, parse_amount, units_for
from chains.base import NATIVE, Family, Network, NetworkLimits, default_limits
from chains.errors import ChainError

KEYS = ("max-fee-per-gas", "max-fee", "max-fee-rate", "fee-warn-floor", "rpc-timeout", "symbol")
MAX_RPC_TIMEOUT = 600.0
MAX_TEXT = 80  # characters of a setting: no number needs more
_SYMBOL = re.compile(r"[A-Za-z][A-Za-z0-9.-]{0,11}", re.ASCII)


class SettingError(ValueError):
    """A setting that cannot be used; the caller says where it came from."""


def gas_price(value: object, key: str = "max-fee-per-gas") -> int:
    """Wei from `500gwei`, `0.5gwei`, `1000000000wei` or a bare number of gwei."""
    wei = _amount(value, 9, UNITS, key, "a gas price like 500gwei")
    if wei <= 0:
        raise SettingError(f"{key} must be more than zero")
    return wei


def native_amount(value: object, family: Family, key: str) -> int:
    """Base units from an amount of the native asset (`0.1`, or with a unit: `5000sat`)."""
    decimals = NATIVE[family][1]
    units = units_for(family)
    return _amount(value, decimals, units, key, "an amount like 0.1")


def limits_from(table: Mapping[str, object], family: Family) -> NetworkLimits:
    default = default_limits(family)
    limits = default
    if "max-fee-per-gas" in table:
        limits = replace(limits, max_fee_per_gas=gas_price(table["max-fee-per-gas"]))
    if "max-fee" in table:
        limits = replace(limits, max_fee=native_amount(table["max-fee"], family, "max-fee"))
    if "max-fee-rate" in table:
        limits = replace(limits, max_fee_rate=fee_rate(table["max-fee-rate"]))
    if "fee-warn-floor" in table:
        floor = native_amount(table["fee-warn-floor"], family, "fee-warn-floor")
        limits = replace(limits, fee_warn_floor=floor)
    if "rpc-timeout" in table:
        limits = replace(limits, rpc_timeout=rpc_timeout(table["rpc-timeout"]))
    return limits


def symbol(value: object) -> str:
    if not isinstance(value, str) or not _SYMBOL.fullmatch(value):
        raise SettingError(f"symbol {value!r} is not 1 to 12 letters, digits, '.' or '-'")
    return value


def fee_rate(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise SettingError(f"max-fee-rate {value!r} is not a whole number of sat/vB")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise SettingError(f"max-fee-rate {value!r} is not a whole number of sat/vB (1 or more)")
    return int(text)


def rpc_timeout(value: object) -> float:
    try:
        seconds = Decimal(str(value)) if not isinstance(value, bool) else Decimal("nan")
    except InvalidOperation:
        seconds = Decimal("nan")
    if not seconds.is_finite() or not 0 < seconds <= Decimal(str(MAX_RPC_TIMEOUT)):
        raise SettingError(f"rpc-timeout {value!r} is not a number of seconds (0 to 600)")
    return float(seconds)


def apply(network: Network, table: Mapping[str, object]) -> Network:
    """`network` with the settings of its config table (unknown keys are left alone)."""
    if not any(key in table for key in KEYS):
        return network
    native = symbol(table["symbol"]) if "symbol" in table else network.symbol
    return replace(network, symbol=native, settings=limits_from(table, network.family))


def _amount(value: object, decimals: int, units: dict[str, int], key: str, like: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SettingError(f"{key} {value!r} is not {like}")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise SettingError(f"{key} is not {like}")
    try:
        return parse_amount(text, decimals, units=units)
    except ChainError:
        raise SettingError(f"{key} {value!r} is not {like}") from None
