"""What the node says became of this wallet's transactions, and the history entries that
record it. Shared by `wallet tx status`, `wallet history --refresh` and batch resumes; the
chain's session reads the node (and does not trust it: a lying node is exit 6, never a wrong
`confirmed` in history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chains.base import Network
from chains.registry import adapter_for
from chains.session import ChainSession, Receipt
from wallet_cli.store.history import FINAL_EVENTS, History
from wallet_cli.transfer import connect, final_entry

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet


def parse_hash(text: str, network: Network) -> str:
    """A transaction hash as `network`'s chain spells it; exit 2 before any node is asked."""
    return adapter_for(network.family).parse_tx_hash(text)


def look_up(session: ChainSession, hashes: Sequence[str]) -> list[Receipt]:
    """Each transaction's outcome, asked in chunks of the session's `max_batch`."""
    return [
        outcome
        for start in range(0, len(hashes), session.max_batch)
        for outcome in session.look_up(hashes[start : start + session.max_batch])
    ]


def ours(history: History, network: Network, chain_id: int | None) -> dict[str, dict[str, Any]]:
    """This wallet's transactions on this network and chain: tx hash -> its newest entry
    fields (`status` is the newest event)."""
    mine: dict[str, dict[str, Any]] = {}
    for entry in history.entries():
        tx_hash = entry.get("tx_hash")
        if not isinstance(tx_hash, str):
            continue
        key = tx_hash.lower()
        if entry.get("event") == "signed":
            if entry.get("network") != network.name or entry.get("chain_id") not in (
                None,
                chain_id,
            ):
                continue
            mine[key] = {**entry, "status": "signed"}
        elif key in mine:
            mine[key].update({k: v for k, v in entry.items() if k not in ("prev", "seq")})
            mine[key]["status"] = entry.get("event")
    return mine


def pending(mine: dict[str, dict[str, Any]]) -> list[str]:
    """Transactions sent (or signed, then interrupted) whose fate history does not know."""
    return [
        row["tx_hash"]
        for row in mine.values()
        if row["status"] in ("signed", "broadcast") and not row.get("dry_run")
    ]


def record(history: History, statuses: Sequence[Receipt]) -> list[Receipt]:
    """Append `confirmed`/`failed` for final statuses history does not have yet, under the
    home lock (so two refreshes never record one receipt twice); returns those recorded."""
    final = [s for s in statuses if s.status in ("success", "failed")]
    if not final:
        return []
    with history.home.lock():
        done = {
            str(e.get("tx_hash", "")).lower()
            for e in history.entries()
            if e.get("event") in FINAL_EVENTS
        }
        new = [s for s in final if s.tx_hash.lower() not in done]
        history.append_many_locked([final_entry(s) for s in new])
    return new


@dataclass
class Lookup:
    """`tx status`: the node's word, whether the transaction is this wallet's (on this
    network), and whether history was updated now."""

    network: str
    status: Receipt
    ours: bool
    recorded: bool

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "network": self.network,
            "tx_hash": self.status.tx_hash,
            "status": self.status.status,
            "block": self.status.block,
            "in_history": self.ours,
            "history_updated": self.recorded,
        }
        if self.status.reason:
            document["reason"] = self.status.reason
        return document


def status_of(wallet: Wallet | None, network: Network, text: str) -> Lookup:
    """One transaction's status from the node; a final one is recorded in history when the
    transaction is this wallet's on this network and history does not have it yet."""
    tx_hash = parse_hash(text, network)
    session = connect(network)
    try:
        history = History(wallet.home, wallet.name) if wallet is not None else None
        mine = ours(history, network, session.chain_id) if history is not None else {}
        row = mine.get(tx_hash.lower())
        asked = row["tx_hash"] if row else tx_hash  # as history spells it
        status = look_up(session, [asked])[0]
    finally:
        session.close()
    recorded = bool(history is not None and row and record(history, [status]))
    return Lookup(network.name, status, row is not None, recorded)


def refresh(wallet: Wallet, network: Network) -> tuple[list[Receipt], list[Receipt]]:
    """Every transaction of this wallet on this network whose fate history does not know
    (sent with --no-wait, or interrupted), asked of the node in batches; returns (all
    looked up, those now recorded as confirmed or failed)."""
    session = connect(network)
    try:
        history = History(wallet.home, wallet.name)
        statuses = look_up(session, pending(ours(history, network, session.chain_id)))
    finally:
        session.close()
    return statuses, record(history, statuses)
