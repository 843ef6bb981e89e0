"""Build a screening `Context` from the home: contacts, this wallet's addresses and history,
the block lists, the spending policy in config, and (unless offline) the configured node."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from chains.base import Network
from wallet_cli.errors import HomeUnusable
from wallet_cli.screening import lookalike
from wallet_cli.screening.context import CodeLookup, Context, Limits, sending_figures
from wallet_cli.screening.lists import ListSet
from wallet_cli.store import contacts as contact_store
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.store.home import Home

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet


def gather(
    home: Home,
    config: Config,
    network: Network,
    wallet: Wallet | None,
    client: Any | None,
) -> Context:
    family = network.family
    contacts = {c.address: c.name for c in contact_store.load(home) if c.chain == family}
    own: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    limits: dict[str, Limits] = {}
    if wallet is not None:
        for record in wallet.public.chains.values():
            account = record.account
            if account.family == family and account.network in (None, network.name):
                for i, address in sorted(record.addresses.items()):
                    own.setdefault(address, f"your address #{i}")
        entries = History(home, wallet.name).entries()
        limits = _limits(config.spending_policy(wallet.name))
    sent_to = frozenset(
        e["to"]
        for e in entries
        if e.get("event") == "signed" and not e.get("dry_run") and e.get("network") == network.name
    )
    poisoners = _poisoners(entries, network, sent_to | set(contacts) | set(own))
    trusted = [
        *((a, f"contact {name!r}") for a, name in contacts.items()),
        *own.items(),
        *((a, "an address you sent to before") for a in sorted(sent_to - set(poisoners))),
    ]
    largest, today = sending_figures(entries, network.name)
    return Context(
        network=network,
        own_addresses=frozenset(own),
        contacts=contacts,
        sent_to=sent_to,
        poisoners=poisoners,
        lists=ListSet.load(home.root / "lists"),
        lookalikes=lookalike.build(family, trusted),
        code=CodeLookup(client) if client is not None else None,
        largest_sent=largest,
        spent_today=today,
        limits=limits,
    )


def _poisoners(
    entries: list[dict[str, Any]], network: Network, known: set[str] | frozenset[str]
) -> dict[str, str]:
    """Counterparties that only ever showed up in suspicious incoming transfers."""
    suspicious: dict[str, str] = {}
    ordinary: set[str] = set()
    for entry in entries:
        if entry.get("event") != "incoming" or entry.get("network") != network.name:
            continue
        counterparty = entry.get("counterparty")
        if not counterparty:
            continue
        if entry.get("flags"):
            suspicious.setdefault(counterparty, entry.get("summary", "a suspicious transfer"))
        else:
            ordinary.add(counterparty)
    return {a: why for a, why in suspicious.items() if a not in ordinary and a not in known}


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
