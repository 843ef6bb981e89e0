"""Rules about how much: the wallet's spending policy, amounts far above its habits, and a fee
out of proportion to what is sent."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from chains.amounts import format_amount
from chains.base import Output, Preview
from wallet_cli.screening.context import Context, asset_key
from wallet_cli.screening.report import Finding

UNUSUAL_FACTOR = 10


def _amount(output: Output) -> str:
    return f"{format_amount(output.amount, output.asset.decimals)} {output.asset.symbol}"


def spending_limit(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    limits = context.limits.get(output.asset.symbol.upper())
    if limits is None or not output.amount:
        return
    scale = Decimal(10) ** output.asset.decimals
    amount = Decimal(output.amount) / scale
    symbol = output.asset.symbol
    if limits.max_per_transfer is not None and amount > limits.max_per_transfer:
        yield Finding(
            "spending-limit",
            "block",
            f"{amount.normalize():f} {symbol} is over this wallet's max-per-transfer of "
            f"{limits.max_per_transfer:f} {symbol}",
        )
    if limits.max_per_day is not None:
        today = Decimal(context.spent_today.get(asset_key(output.asset.contract), 0)) / scale
        if today + amount > limits.max_per_day:
            yield Finding(
                "spending-limit",
                "block",
                f"{today.normalize():f} {symbol} sent today plus {amount.normalize():f} is over "
                f"this wallet's max-per-day of {limits.max_per_day:f} {symbol}",
            )


def unusual_amount(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    largest = context.largest_sent.get(asset_key(output.asset.contract))
    if largest and output.amount > UNUSUAL_FACTOR * largest:
        yield Finding(
            "unusual-amount",
            "warn",
            f"{_amount(output)} is more than {UNUSUAL_FACTOR} times the largest this wallet "
            f"sent before ({format_amount(largest, output.asset.decimals)} "
            f"{output.asset.symbol})",
        )


def fee_exceeds_amount(preview: Preview, context: Context) -> Iterable[Finding]:
    """A fee cap above the amount and above the network's `fee-warn-floor`. Native transfers
    only: a token amount has no price in the native asset to compare the fee with."""
    fee_asset = preview.fee_asset
    if any(o.data for o in preview.outputs):
        return  # a contract call: its value is not what it is for
    native = [o for o in preview.outputs if o.asset.contract is None and o.asset == fee_asset]
    if not native or len(native) != len(preview.outputs):
        return
    amount = sum(o.amount for o in native)
    floor = context.network.limits.fee_warn_floor
    if preview.fee_cap > amount and preview.fee_cap > floor:
        symbol, decimals = fee_asset.symbol, fee_asset.decimals
        yield Finding(
            "fee-exceeds-amount",
            "warn",
            f"the fee (at most {format_amount(preview.fee_cap, decimals)} {symbol}) is more "
            f"than the amount sent ({format_amount(amount, decimals)} {symbol})",
        )
