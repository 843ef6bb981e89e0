"""Build a screening `Context` from the home: contacts, this wallet's addresses and history,
the block lists, the spending policy in config, and (unless offline) the configured node."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from chains.base import Network
from wallet_cli.errors import HomeUnusable
from wallet_cli.screening import lookalike
from wallet_cli.screening.context import CodeLookup, Context, Limits, asset_key
from wallet_cli.screening.lists import ListSet
from wallet_cli.store import contacts as contact_store
from wallet_cli.store.config import Config, RecipientWindow
from wallet_cli.store.history import History
from wallet_cli.store.history_index import HistoryIndex
from wallet_cli.store.home import Home

PAST_RECIPIENT = "an address you sent to before"

if TYPE_CHECKING:
    from chains.session import ChainSession
    from wallet_cli.wallet import Wallet


def gather(
    home: Home,
    config: Config,
    network: Network,
    wallet: Wallet | None,
    node: ChainSession | None,
) -> Context:
    """`node`: the chain session contract code is asked of; None: offline."""
    family = network.family
    contacts = {c.address: c.name for c in contact_store.load(home) if c.chain == family}
    own: dict[str, str] = {}
    limits: dict[str, Limits] = {}
    sent_to: frozenset[str] = frozenset()
    close: set[str] = set()
    suspicious: dict[str, Any] = {}
    largest: dict[str, int] = {}
    today: dict[str, int] = {}
    if wallet is not None:
        for record in wallet.public.chains.values():
            account = record.account
            if account.family == family and account.network in (None, network.name):
                for i, address in sorted(record.addresses.items()):
                    own.setdefault(address, f"your address #{i}")
        # The index, not the journal: the cost of screening does not grow with history.
        index = HistoryIndex.current(History(home, wallet.name))
        try:
            sent_to = index.sent_to(network.name)
            close = close_recipients(index, network.name, config.recipient_window())
            suspicious = index.suspicious_senders(network.name)
            largest, today = _by_asset(
                *index.spending(network.name, datetime.now(UTC).date().isoformat())
            )
        finally:
            index.close()
        limits = _limits(config.spending_policy(wallet.name))
        own.update(_own_multisigs(home, network))
    known = sent_to | set(contacts) | set(own)
    poisoners = {a: why for a, why in suspicious.items() if a not in known}
    past = sent_to - set(poisoners)
    # Tier 1: contacts, own addresses and Safes, recent and frequent recipients (the first
    # label given wins); tier 2: every other past recipient (docs/screening.md has the
    # arithmetic), passed in bulk: this runs over every past recipient on each command.
    trusted: dict[str, str] = {}
    for address, name in contacts.items():
        trusted.setdefault(address, f"contact {name!r}")
    for address, label in own.items():
        trusted.setdefault(address, label)
    for address in past & close:
        trusted.setdefault(address, PAST_RECIPIENT)
    older = dict.fromkeys(past - close - trusted.keys(), PAST_RECIPIENT)
    return Context(
        network=network,
        own_addresses=frozenset(own),
        contacts=contacts,
        sent_to=sent_to,
        poisoners=poisoners,
        lists=ListSet.load(home.root / "lists"),
        lookalikes=lookalike.LookalikeIndex(family, trusted, older),
        code=CodeLookup(node.contract_flags) if node is not None else None,
        largest_sent=largest,
        spent_today=today,
        limits=limits,
    )


def close_recipients(index: HistoryIndex, network: str, window: RecipientWindow) -> set[str]:
    """The past recipients that stay in tier 1: those of the recent transfers (by count
    and by age, both) and the most frequent ones."""
    recent: set[str] = set()
    if window.recent_days:
        since = datetime.now(UTC) - timedelta(days=window.recent_days)
        recent = index.recent_recipients(
            network, window.recent_count, since.isoformat(timespec="milliseconds")
        )
    return recent | index.frequent_recipients(network, window.frequent_count)


def _own_multisigs(home: Home, network: Network) -> dict[str, str]:
    """The Safes this home remembers on this network: ours, not strangers' contracts."""
    from wallet_cli.store import multisigs

    return {
        str(record["safe"]): f"your multisig {record['name']!r}"
        for record in multisigs.load_all(home)
        if record.get("network") == network.name and isinstance(record.get("safe"), str)
    }


def _by_asset(
    largest: dict[str | None, int], today: dict[str | None, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """The index keeps token contracts as recorded; screening compares them lower-cased."""
    by_largest: dict[str, int] = {}
    for token, amount in largest.items():
        key = asset_key(token)
        by_largest[key] = max(by_largest.get(key, 0), amount)
    by_today: dict[str, int] = {}
    for token, amount in today.items():
        key = asset_key(token)
        by_today[key] = by_today.get(key, 0) + amount
    return by_largest, by_today


def _limits(policy: dict[str, Any]) -> dict[str, Limits]:
    limits = {}
    for symbol, table in policy.items():
        if not isinstance(table, dict):
            raise HomeUnusable(f"config.toml policy for {symbol!r} must be a table")
        limits[symbol.upper()] = Limits(
            _decimal(table.get("max-per-transfer"), symbol),
            _decimal(table.get("max-per-day"), symbol),
        )
    return limits


def _decimal(value: object, symbol: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise HomeUnusable(
            f"config.toml policy for {symbol!r}: {value!r} is not a number"
        ) from None
    if not number.is_finite() or number < 0:
        raise HomeUnusable(f"config.toml policy for {symbol!r}: {value!r} is not a limit")
    return number
