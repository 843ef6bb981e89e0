"""Rules about how much: the wallet's spending policy and amounts far above its habits."""

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
