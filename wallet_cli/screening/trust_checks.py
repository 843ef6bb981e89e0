"""Rules about who the destination is to this wallet: trusted, look-alike, poisoner, listed."""

from __future__ import annotations

from collections.abc import Iterable

from chains.amounts import format_amount
from chains.base import Output, Preview
from wallet_cli.screening.context import Context
from wallet_cli.screening.report import Finding


def lookalike(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if context.lookalikes is None:
        return
    found = context.lookalikes.strongest(output.recipient)
    if found is None:
        return
    family = context.network.family
    kind = "blocked" if found.severity == "block" else "check it character by character"
    # Tier 2 (older recipients) needs more matching characters: say so, or a person who
    # saw a 3+3 blocked elsewhere wonders why this one only warns.
    older = "; an older recipient, not a recent or frequent one" if found.tier == 2 else ""
    yield Finding(
        "lookalike",
        "block" if found.severity == "block" else "warn",
        f"{found.marked(family, output.recipient)} looks like {found.label} "
        f"{found.marked(family, found.trusted)}: same first {found.leading} and last "
        f"{found.trailing} characters, as address poisoning forges ({kind}{older})",
    )


def seen_as_poisoner(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    why = context.poisoners.get(output.recipient)
    if why:
        yield Finding(
            "seen-as-poisoner",
            "block",
            f"{output.recipient} only ever sent this wallet {why}: the mark of address poisoning",
        )


def listed(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if context.lists is None:
        return
    for hit in context.lists.hits(context.network.family, output.recipient):
        yield Finding(
            hit.info.rule,
            "block",
            f"{output.recipient} is on the {hit.info.kind} list {hit.info.name!r} "
            f"({hit.label}; as of {hit.info.date})",
        )


def first_time(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    recipient = output.recipient
    if recipient in context.sent_to or recipient in context.contacts:
        return
    if recipient in context.own_addresses or recipient == preview.sender:
        return
    amount = (
        f" ({format_amount(output.amount, output.asset.decimals)} {output.asset.symbol})"
        if output.amount
        else ""
    )
    yield Finding(
        "first-time-recipient",
        "info",
        f"this wallet has never sent to {recipient} before{amount}",
    )


def self_transfer(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if output.recipient == preview.sender or output.recipient in context.own_addresses:
        yield Finding(
            "self-transfer", "info", f"{output.recipient} is one of this wallet's own addresses"
        )
