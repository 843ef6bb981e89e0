"""Who an address is to this wallet, in a few words, from the screening context: one of
yours, a contact, someone you sent to before, listed. Shown beside every address of a
message before it is signed, so a person reads "0x… (contact 'bob')" rather than hex."""

from __future__ import annotations

from chains.amounts import format_amount
from chains.base import Asset
from wallet_cli.screening.context import Context


def label(address: str, context: Context, sender: str = "") -> str:
    """`you`, `contact 'bob'`, `sent to before`, `LISTED ofac-sdn`, or `unknown`, joined."""
    parts = []
    if address == sender or address in context.own_addresses:
        parts.append("you")
    if address in context.contacts:
        parts.append(f"contact {context.contacts[address]!r}")
    if address in context.sent_to:
        parts.append("sent to before")
    if context.lists is not None:
        for hit in context.lists.hits(context.network.family, address):
            why = "" if not hit.label or hit.label.startswith(hit.info.name) else f" ({hit.label})"
            parts.append(f"LISTED {hit.info.name}{why}")
    if address in context.poisoners:
        parts.append("SEEN AS POISONER")
    return "; ".join(parts) or "unknown"


def amount_text(amount: int, asset: Asset | None, unlimited: bool = False) -> str:
    """In the token's units when its decimals are known, else raw base units."""
    if unlimited:
        return f"UNLIMITED {asset.symbol if asset else ''}".rstrip()
    if asset is None:
        return f"{amount} (base units; token unknown)"
    return f"{format_amount(amount, asset.decimals)} {asset.symbol}"
