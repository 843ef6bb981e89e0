"""What one history journal entry adds to the index (history_index.py): the recipients a
wallet sent to, its incoming counterparties and their flags, batch row keys, each
transaction's newest status and final entry, and the running figures spending limits use.
Entries come in journal order; each function folds one into the tables."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from wallet_cli.store.history import FINAL_EVENTS

ACCEPTED_EVENTS = ("broadcast", "confirmed")


def apply(db: sqlite3.Connection, seq: int, entry: dict[str, Any]) -> None:
    """Fold entry number `seq` into every table (entries come in journal order)."""
    event, tx_hash = entry.get("event"), entry.get("tx_hash")
    network = entry.get("network")
    if isinstance(tx_hash, str) and isinstance(event, str):
        db.execute(
            "INSERT INTO tx (tx_hash, status, signed, accepted) VALUES (?, ?, ?, 0) "
            "ON CONFLICT (tx_hash) DO UPDATE SET status = excluded.status, "
            "signed = max(signed, excluded.signed)",
            (tx_hash, event, int(event == "signed")),
        )
    if event == "signed":
        _signed(db, seq, entry, tx_hash, network)
    elif event == "incoming":
        _incoming(db, seq, entry, network)
    if isinstance(tx_hash, str) and event in ACCEPTED_EVENTS:
        row = db.execute("SELECT accepted FROM tx WHERE tx_hash = ?", (tx_hash,))
        if not row.fetchone()[0]:
            db.execute("UPDATE tx SET accepted = 1 WHERE tx_hash = ?", (tx_hash,))
            amounts = db.execute(
                "SELECT network, token, base, day FROM amount WHERE tx_hash = ?", (tx_hash,)
            ).fetchall()
            for row_network, token, base, day in amounts:
                _spent(db, row_network, token, int(base), day)
    if isinstance(tx_hash, str) and event == "expired":
        _unaccept(db, tx_hash)
    if isinstance(tx_hash, str) and event in FINAL_EVENTS:
        db.execute("UPDATE tx SET final = ? WHERE tx_hash = ?", (json.dumps(entry), tx_hash))


def _unaccept(db: sqlite3.Connection, tx_hash: str) -> None:
    """An accepted transaction that expired never paid: its amounts leave the per-day
    spending figures (the transfer signed again in its place counts instead)."""
    row = db.execute("SELECT accepted FROM tx WHERE tx_hash = ?", (tx_hash,)).fetchone()
    if not row or not row[0]:
        return
    db.execute("UPDATE tx SET accepted = 0 WHERE tx_hash = ?", (tx_hash,))
    amounts = db.execute(
        "SELECT network, token, base, day FROM amount WHERE tx_hash = ?", (tx_hash,)
    ).fetchall()
    for network, token, base, day in amounts:
        if day is None:
            continue
        found = db.execute(
            "SELECT base FROM daily WHERE network = ? AND token = ? AND day = ?",
            (network, token, day),
        ).fetchone()
        if found is not None:  # decimal text: base units pass SQLite's 64-bit integers
            left = max(0, int(found[0]) - int(base))
            db.execute(
                "UPDATE daily SET base = ? WHERE network = ? AND token = ? AND day = ?",
                (str(left), network, token, day),
            )


def _signed(
    db: sqlite3.Connection, seq: int, entry: dict[str, Any], tx_hash: Any, network: Any
) -> None:
    to, key = entry.get("to"), entry.get("key")
    if isinstance(to, str) and isinstance(network, str) and not entry.get("dry_run"):
        _sent_to(db, network, to, entry)
    if key and isinstance(key, str):
        db.execute("INSERT OR REPLACE INTO batch_key VALUES (?, ?)", (key, json.dumps(entry)))
    if not isinstance(tx_hash, str) or not isinstance(network, str):
        return
    if entry.get("replaces"):
        return  # a speed-up pays what its original pays, once: counted for the original
    try:
        base = int(entry["amount_base"])
    except (KeyError, TypeError, ValueError):
        return
    token = json.dumps(entry.get("token"))
    time = entry.get("time")
    day = time[:10] if isinstance(time, str) and len(time) >= 10 else None
    db.execute(
        "INSERT OR REPLACE INTO amount VALUES (?, ?, ?, ?, ?, ?)",
        (seq, tx_hash, network, token, str(base), day),
    )
    accepted = db.execute("SELECT accepted FROM tx WHERE tx_hash = ?", (tx_hash,))
    if accepted.fetchone()[0]:
        _spent(db, network, token, base, day)


def _sent_to(db: sqlite3.Connection, network: str, to: str, entry: dict[str, Any]) -> None:
    """Count a transfer to `to`: its number among the network's transfers and its time
    place the recipient in the look-alike tiers. A replacement (a speed-up, or a Solana
    transfer signed again after its first expired) is the same transfer: it keeps the
    address known but is not counted again."""
    if entry.get("replaces") or entry.get("renews"):
        db.execute(
            "INSERT OR IGNORE INTO sent_to VALUES (?, ?, 0, 0, NULL)",
            (network, to),
        )
        return
    db.execute(
        "INSERT INTO transfers VALUES (?, 1) ON CONFLICT (network) DO UPDATE SET n = n + 1",
        (network,),
    )
    (number,) = db.execute("SELECT n FROM transfers WHERE network = ?", (network,)).fetchone()
    time = entry.get("time")
    db.execute(
        "INSERT INTO sent_to VALUES (?, ?, 1, ?, ?) ON CONFLICT (network, address) DO UPDATE "
        "SET count = count + 1, last_n = excluded.last_n, last_time = excluded.last_time",
        (network, to, number, time if isinstance(time, str) else None),
    )


def _spent(db: sqlite3.Connection, network: str, token: str, base: int, day: str | None) -> None:
    """Fold one accepted transfer into the largest-ever and per-day figures (base units
    can pass SQLite's 64-bit integers, so they are kept as decimal text)."""
    row = db.execute(
        "SELECT base FROM largest WHERE network = ? AND token = ?", (network, token)
    ).fetchone()
    if row is None or int(row[0]) < base:
        db.execute("INSERT OR REPLACE INTO largest VALUES (?, ?, ?)", (network, token, str(base)))
    if day is None:
        return
    row = db.execute(
        "SELECT base FROM daily WHERE network = ? AND token = ? AND day = ?",
        (network, token, day),
    ).fetchone()
    total = base + (int(row[0]) if row else 0)
    db.execute(
        "INSERT OR REPLACE INTO daily VALUES (?, ?, ?, ?)", (network, token, day, str(total))
    )


def _incoming(db: sqlite3.Connection, seq: int, entry: dict[str, Any], network: Any) -> None:
    db.execute(
        "INSERT OR IGNORE INTO incoming VALUES (?)",
        (json.dumps([entry.get("tx_hash"), entry.get("log_index")]),),
    )
    counterparty = entry.get("counterparty")
    if not isinstance(network, str) or not counterparty or not isinstance(counterparty, str):
        return
    db.execute(
        "INSERT OR IGNORE INTO party (network, counterparty) VALUES (?, ?)",
        (network, counterparty),
    )
    if entry.get("flags"):
        summary = entry.get("summary", "a suspicious transfer")
        db.execute(
            "UPDATE party SET summary = ?, first_flagged = ? "
            "WHERE network = ? AND counterparty = ? AND first_flagged IS NULL",
            (json.dumps(summary), seq, network, counterparty),
        )
    else:
        db.execute(
            "UPDATE party SET ordinary = 1 WHERE network = ? AND counterparty = ?",
            (network, counterparty),
        )
