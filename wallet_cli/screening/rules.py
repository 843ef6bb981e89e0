"""The screening rules: each a small function over one output, listed in one registry.

A rule has a stable kebab-case id, a default severity and a one-line doc;
docs/screening.md is generated from this registry (`python -m wallet_cli.screening.docs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chains.base import Network, Output, Preview
from wallet_cli.screening.report import Finding, Severity


@dataclass(frozen=True)
class Context:
    """What the rules know besides the transfer itself."""

    network: Network
    own_addresses: frozenset[str] = field(default_factory=frozenset)


RuleCheck = Callable[[Output, Preview, Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    doc: str
    check: RuleCheck


def _zero_address(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if output.recipient.lower() == "0x" + "0" * 40:
        yield Finding(
            "zero-address",
            "block",
            "the destination is the zero address: whatever is sent there is lost for good",
        )


def _no_checksum(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    body = output.typed_as.strip()[2:]
    if output.typed_as and body and body == body.lower() and any(c.isalpha() for c in body):
        yield Finding(
            "no-checksum",
            "info",
            "the address was typed in lower case, so its EIP-55 checksum could not catch a typo",
        )


def _self_transfer(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if output.recipient == preview.sender or output.recipient in context.own_addresses:
        yield Finding(
            "self-transfer", "info", f"{output.recipient} is one of this wallet's own addresses"
        )


RULES: tuple[Rule, ...] = (
    Rule("zero-address", "block", "The zero address burns what it receives.", _zero_address),
    Rule(
        "no-checksum",
        "info",
        "An all-lower-case EVM address carries no EIP-55 checksum to catch typos.",
        _no_checksum,
    ),
    Rule(
        "self-transfer",
        "info",
        "The destination is one of this wallet's addresses.",
        _self_transfer,
    ),
)
