"""What the rules know besides the transfer: who is trusted, who poisoned this wallet, the
block lists, the chain's view of an address, and this wallet's own sending figures.

Everything comes from the home (contacts, public data, history) and the configured node;
screening never sends an address to any third party.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from chains.base import Network
from chains.errors import ChainError
from wallet_cli.screening.lists import ListSet
from wallet_cli.screening.lookalike import LookalikeIndex


class CodeLookup:
    """Whether addresses hold contract code, asked of the configured node in one batch
    (`flags` is the chain session's `contract_flags`)."""

    def __init__(self, flags: Callable[[list[str]], list[bool | None]]) -> None:
        self._flags = flags
        self._cache: dict[str, bool | None] = {}

    def prefetch(self, addresses: list[str]) -> None:
        wanted = [a for a in dict.fromkeys(addresses) if a not in self._cache]
        if not wanted:
            return
        try:
            answers = self._flags(wanted)
        except ChainError:
            answers = [None] * len(wanted)
        for address, answer in zip(wanted, answers, strict=True):
            self._cache[address] = answer

    def is_contract(self, address: str) -> bool | None:
        """True or False, or None when the node could not be asked."""
        self.prefetch([address])
        return self._cache.get(address)


@dataclass(frozen=True)
class Limits:
    max_per_transfer: Decimal | None = None
    max_per_day: Decimal | None = None


@dataclass(frozen=True)
class Context:
    network: Network
    own_addresses: frozenset[str] = field(default_factory=frozenset)
    contacts: Mapping[str, str] = field(default_factory=dict)  # address -> name
    sent_to: frozenset[str] = field(default_factory=frozenset)
    poisoners: Mapping[str, str] = field(default_factory=dict)  # address -> what it did
    lists: ListSet | None = None
    lookalikes: LookalikeIndex | None = None
    code: CodeLookup | None = None  # None: offline, nothing asked of the node
    largest_sent: Mapping[str, int] = field(default_factory=dict)  # asset key -> base units
    spent_today: Mapping[str, int] = field(default_factory=dict)
    limits: Mapping[str, Limits] = field(default_factory=dict)  # asset symbol -> limits


def asset_key(contract: str | None) -> str:
    return contract.lower() if contract else "native"


@cache
def dev_addresses() -> frozenset[str]:
    """The first 20 accounts of the public anvil/hardhat mnemonic: swept by bots in seconds."""
    from chains.evm.anvil import DEV_MNEMONIC
    from chains.evm.derive import addresses, public_account
    from keystore.mnemonic import parse, to_seed

    account = public_account(to_seed(parse(DEV_MNEMONIC)), 0)
    return frozenset(a.address for a in addresses(account, list(range(20))))


def sending_figures(
    entries: list[dict[str, Any]], network: str | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Largest amount ever sent and amount sent today (UTC), per asset, in base units,
    counting only transfers the node accepted (on `network`, when given)."""
    accepted = {e["tx_hash"] for e in entries if e.get("event") in ("broadcast", "confirmed")}
    today = datetime.now(UTC).date().isoformat()
    largest: dict[str, int] = {}
    spent: dict[str, int] = {}
    for entry in entries:
        if entry.get("event") != "signed" or entry.get("tx_hash") not in accepted:
            continue
        if network is not None and entry.get("network") != network:
            continue
        try:
            amount = int(entry["amount_base"])
        except (KeyError, TypeError, ValueError):
            continue
        key = asset_key(entry.get("token"))
        largest[key] = max(largest.get(key, 0), amount)
        if str(entry.get("time", "")).startswith(today):
            spent[key] = spent.get(key, 0) + amount
    return largest, spent
