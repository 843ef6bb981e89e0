"""Rules about what a signature (or a call) gives away: the grants, payments and addresses
its chain's decoder found (`Preview.grants`, `.payments`, `.mentions`), never its encoding.

Drainers are paid in signatures rather than transfers: an unlimited `Permit` or Permit2
allowance to their spender, or a Seaport listing whose consideration pays them. So the
spender and every other address a message names are screened as a destination would be,
and the shape of the grant itself (unlimited, for good, to an account with no code, an
order that pays a stranger or nothing) is a finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from chains.base import Grant, Output, Preview
from wallet_cli.screening.context import Context
from wallet_cli.screening.report import Finding
from wallet_cli.screening.trust_checks import listed, lookalike, seen_as_poisoner

YEAR = 365 * 24 * 3600
FAR_EXPIRY = YEAR  # a grant that outlives this is shown with its date (or "no end")

# Who may be paid by a Seaport order besides the signer. OpenSea's platform fee recipient,
# the consideration item OpenSea's API requires in Seaport 1.6 listings; the same address
# is `OPENSEA_FEE_RECIPIENT` in OpenSea's SDKs and SeaDrop's examples. Lower case.
KNOWN_FEE_RECIPIENTS = {"0x0000a26b00c1f0df003000390027140000faa719": "OpenSea's fee recipient"}


def mentions(preview: Preview, context: Context) -> Iterable[Finding]:
    """Every address the message names, screened by the trust rules as a destination: the
    findings keep those rules' ids (so `--allow` means the same) and name the fields."""
    wheres: dict[str, list[str]] = {}
    for mention in preview.mentions:
        wheres.setdefault(mention.address, []).append(mention.where)
    for address, where in wheres.items():
        output = Output(address, preview.fee_asset, 0, address)
        for check in (listed, lookalike, seen_as_poisoner):
            for finding in check(output, preview, context):
                yield replace(finding, message=f"{', '.join(where)}: {finding.message}")


def unlimited_grant(preview: Preview, context: Context) -> Iterable[Finding]:
    for grant in preview.grants:
        if grant.unlimited:
            yield Finding(
                "unlimited-grant",
                "warn",
                f"{grant.where} lets {grant.spender} take ALL of {_token(grant)}, "
                f"not an amount (unlimited: {grant.amount})",
            )


def grant_expiry(preview: Preview, context: Context) -> Iterable[Finding]:
    now = int(datetime.now(UTC).timestamp())
    for grant in preview.grants:
        if grant.expires is None:
            yield Finding(
                "grant-expiry",
                "info",
                f"{grant.where}: what {grant.spender} is allowed has no end date "
                "(it lasts until revoked or used up)",
            )
        elif grant.expires - now > FAR_EXPIRY:
            yield Finding(
                "grant-expiry",
                "info",
                f"{grant.where}: {grant.spender} may use it until {when(grant.expires, now)}",
            )


def spender_not_contract(preview: Preview, context: Context) -> Iterable[Finding]:
    spenders = [
        g.spender
        for g in preview.grants
        if g.spender not in context.contacts
        and g.spender not in context.own_addresses
        and g.spender != preview.sender
    ]
    spenders = list(dict.fromkeys(spenders))
    if not spenders:
        return
    if context.code is None:
        yield Finding(
            "spender-not-checked",
            "info",
            f"no node was asked whether {', '.join(spenders)} is a contract (offline)",
        )
        return
    context.code.prefetch(spenders)
    for spender in spenders:
        answer = context.code.is_contract(spender)
        if answer is None:
            yield Finding(
                "spender-not-checked",
                "info",
                f"could not ask the node whether spender {spender} is a contract",
            )
        elif not answer:
            yield Finding(
                "spender-not-contract",
                "warn",
                f"spender {spender} has no contract code on {context.network.name}: an "
                "ordinary account, which is how drainers collect what they are allowed",
            )


def order_pays_stranger(preview: Preview, context: Context) -> Iterable[Finding]:
    for payment in preview.payments:
        if _is_signer(payment.recipient, preview, context):
            continue
        if payment.recipient.lower() in KNOWN_FEE_RECIPIENTS:
            continue
        yield Finding(
            "order-pays-stranger",
            "block",
            f"{payment.where} pays {payment.recipient}, neither you nor a known fee "
            "recipient: filling this order sends them part of the price",
        )


def order_for_nothing(preview: Preview, context: Context) -> Iterable[Finding]:
    offers = [g for g in preview.grants if g.kind == "order-offer"]
    if not offers:
        return
    to_you: dict[str | None, int] = {}
    to_others: dict[str | None, int] = {}
    for payment in preview.payments:
        side = to_you if _is_signer(payment.recipient, preview, context) else to_others
        side[payment.token] = side.get(payment.token, 0) + payment.amount
    gives = ", ".join(g.where for g in offers)
    if not any(to_you.values()):
        yield Finding(
            "order-for-nothing",
            "warn",
            f"the order gives away {gives} and pays you nothing when it is filled",
        )
        return
    for token, amount in to_you.items():
        if amount < to_others.get(token, 0):
            yield Finding(
                "order-for-nothing",
                "warn",
                f"the order gives away {gives} and pays others more than you "
                f"({to_others[token]} against {amount} base units of {token or 'the coin'})",
            )


def message_findings(kind: str, description: str) -> list[Finding]:
    """A personal message that is not text: the findings `sign-message` raises itself
    (the rules `blind-signing` and `disguised-message`)."""
    if kind == "hash":
        return [
            Finding(
                "blind-signing",
                "warn",
                f"the message is {description}: you cannot see what the signature approves",
            )
        ]
    return [
        Finding(
            "disguised-message",
            "warn",
            f"the message is {description} in disguise: a site asking for it as a personal "
            "message wants a signature you cannot read here",
        )
    ]


def when(timestamp: int, now: int) -> str:
    """`2030-01-01 (in 4 years)`: a date and how far it is."""
    try:
        date = datetime.fromtimestamp(timestamp, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return "never in practice (beyond any calendar)"
    seconds = timestamp - now
    if seconds < 0:
        return f"{date} (passed)"
    years, days = seconds // YEAR, seconds // 86400
    if years:
        return f"{date} (in {years} year{'s' if years > 1 else ''})"
    return f"{date} (in {days} day{'s' if days > 1 else ''})" if days else f"{date} (today)"


def _is_signer(address: str, preview: Preview, context: Context) -> bool:
    return address == preview.sender or address in context.own_addresses


def _token(grant: Grant) -> str:
    return grant.token or "every token"
