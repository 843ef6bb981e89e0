"""An index of the history journal, so commands that screen or resume read a few rows
instead of the whole journal (whose size grows without bound for a script user).

`history/<wallet>.index.sqlite` (0600, SQLite in WAL mode) holds what the readers need:
the addresses this wallet sent to (how often, and the number and time of the last
transfer to each, for the look-alike tiers), incoming counterparties and whether they were ever
flagged, batch row keys with their newest signed entry, each transaction's newest status
and final entry, and the running figures spending limits use. It records the journal
commit it covers (count, hash of that line, size). The journal stays the record: an index
behind the head catches up by reading only the journal past the size it covers; one ahead of
the head, whose covered line no longer hashes the same, or that SQLite cannot read, is
rebuilt from the journal. Writers update it under the home lock, after the head is written;
an update that fails leaves the index behind, and the next reader completes it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from wallet_cli.errors import HistoryDamaged, HomeUnusable
from wallet_cli.store import history_index_apply
from wallet_cli.store.atomic import make_private_dir
from wallet_cli.store.history import (
    EMPTY,
    GENESIS,
    Commit,
    History,
    _open,
    line_hash,
)

VERSION = 2  # 2: sent_to keeps count and last transfer; recipients per network

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sent_to (network TEXT, address TEXT, count INTEGER NOT NULL,
    last_n INTEGER NOT NULL, last_time TEXT, PRIMARY KEY (network, address)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sent_to_last ON sent_to (network, last_n);
CREATE INDEX IF NOT EXISTS sent_to_count ON sent_to (network, count, last_n);
CREATE TABLE IF NOT EXISTS transfers (network TEXT PRIMARY KEY, n INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS party (network TEXT, counterparty TEXT, summary TEXT,
    first_flagged INTEGER, ordinary INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (network, counterparty)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS incoming (k TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tx (tx_hash TEXT PRIMARY KEY, status TEXT, signed INTEGER,
    accepted INTEGER, final TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batch_key (k TEXT PRIMARY KEY, entry TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS amount (seq INTEGER PRIMARY KEY, tx_hash TEXT, network TEXT,
    token TEXT, base TEXT, day TEXT);
CREATE INDEX IF NOT EXISTS amount_tx ON amount (tx_hash);
CREATE TABLE IF NOT EXISTS largest (network TEXT, token TEXT, base TEXT,
    PRIMARY KEY (network, token)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS daily (network TEXT, token TEXT, day TEXT, base TEXT,
    PRIMARY KEY (network, token, day)) WITHOUT ROWID;
"""
_TABLES = (
    "sent_to",
    "transfers",
    "party",
    "incoming",
    "tx",
    "batch_key",
    "amount",
    "largest",
    "daily",
)


def index_path(history: History) -> Path:
    return history.path.with_name(history.path.name.removesuffix(".jsonl") + ".index.sqlite")


class HistoryIndex:
    """One open index; `current()` gives one that covers every committed entry."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # --- opening and keeping up -----------------------------------------------------------

    @classmethod
    def current(cls, history: History, *, locked: bool = False) -> HistoryIndex:
        """The index as of the journal's committed state. Cheap when it is current (reads
        the head and the index's record of it); otherwise takes the home lock (unless the
        caller holds it), completes an interrupted append and catches up. A damaged journal,
        or an index SQLite cannot use (a full disk), is read from the journal's lines into
        memory, so reading works as it did before the index."""
        try:
            commit = history._commit()
            size = history._journal_size()
            if commit == EMPTY and size == 0:  # no history yet: nothing to create or read
                return cls._in_memory(history)
            if isinstance(commit, Commit) and commit.size == size:
                index = _open_file(history)
                if index.covers() == commit:
                    return index
                index.close()
            if locked:
                return cls._caught_up(history)
            with history.home.lock():
                return cls._caught_up(history)
        except sqlite3.Error:
            return cls._in_memory(history)

    @classmethod
    def _caught_up(cls, history: History) -> HistoryIndex:
        try:
            commit = history.recover_locked()
        except HistoryDamaged:
            return cls._in_memory(history)
        index = _open_file(history)
        try:
            index.catch_up(history, commit)
        except BaseException:
            index.close()
            raise
        return index

    @classmethod
    def _in_memory(cls, history: History) -> HistoryIndex:
        index = cls(sqlite3.connect(":memory:"))
        index._create()
        with index.db:
            for number, entry in enumerate(history.entries(), start=1):
                history_index_apply.apply(index.db, number, entry)
        return index

    def close(self) -> None:
        self.db.close()

    def _create(self) -> None:
        self.db.executescript(_SCHEMA)

    def covers(self) -> Commit | None:
        rows = dict(self.db.execute("SELECT k, v FROM meta").fetchall())
        count, digest, size = rows.get("count"), rows.get("hash"), rows.get("size")
        if rows.get("version") != VERSION:
            return None
        if not isinstance(count, int) or not isinstance(digest, str) or not isinstance(size, int):
            return None
        return Commit(count, digest, size)

    def catch_up(self, history: History, commit: Commit) -> None:
        """Index the journal up to `commit` (which the caller read under the home lock):
        only the lines past what the index covers, or all of them if it cannot be trusted."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            covered = self.covers()
            if covered == commit:
                return
            if not _extends(history, covered, commit):
                for table in _TABLES:
                    self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                covered = EMPTY
            assert covered is not None
            for number, entry in _lines(history, covered, commit):
                history_index_apply.apply(self.db, number, entry)
            self.db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [
                    ("version", VERSION),
                    ("count", commit.count),
                    ("hash", commit.hash),
                    ("size", commit.size),
                ],
            )

    # --- what readers ask -----------------------------------------------------------------

    def sent_to(self, network: str) -> frozenset[str]:
        """Addresses this wallet signed a transfer to on `network` (dry runs aside)."""
        rows = self.db.execute("SELECT address FROM sent_to WHERE network = ?", (network,))
        return frozenset(address for (address,) in rows)

    def recent_recipients(self, network: str, transfers: int, since: str | None) -> set[str]:
        """The recipients of the last `transfers` transfers on `network` that were also
        sent to at or after `since` (an ISO time in UTC, as the journal writes it; None:
        no bound by age). Both bounds hold, so the set never passes `transfers` addresses."""
        if transfers <= 0:
            return set()
        row = self.db.execute("SELECT n FROM transfers WHERE network = ?", (network,)).fetchone()
        after = (row[0] if row else 0) - transfers
        rows = self.db.execute(
            "SELECT address FROM sent_to WHERE network = ? AND last_n > ? "
            "AND (? IS NULL OR last_time >= ?)",
            (network, after, since, since),
        )
        return {address for (address,) in rows}

    def frequent_recipients(self, network: str, top: int) -> set[str]:
        """The `top` addresses sent to most often on `network` (twice at least; ties go to
        the more recent)."""
        if top <= 0:
            return set()
        rows = self.db.execute(
            "SELECT address FROM sent_to WHERE network = ? AND count >= 2 "
            "ORDER BY count DESC, last_n DESC LIMIT ?",
            (network, top),
        )
        return {address for (address,) in rows}

    def suspicious_senders(self, network: str) -> dict[str, Any]:
        """Counterparties only ever seen in flagged incoming transfers, with the first
        flagged transfer's summary, in the order they were first flagged."""
        rows = self.db.execute(
            "SELECT counterparty, summary FROM party WHERE network = ? AND ordinary = 0 "
            "AND first_flagged IS NOT NULL ORDER BY first_flagged",
            (network,),
        )
        return {counterparty: json.loads(summary) for counterparty, summary in rows}

    def spending(
        self, network: str, day: str
    ) -> tuple[dict[str | None, int], dict[str | None, int]]:
        """Largest accepted transfer ever and the sum accepted on `day`, per token contract
        (None for the native asset), in base units."""
        largest = self.db.execute(
            "SELECT token, base FROM largest WHERE network = ?", (network,)
        ).fetchall()
        daily = self.db.execute(
            "SELECT token, base FROM daily WHERE network = ? AND day = ?", (network, day)
        ).fetchall()
        return (
            {json.loads(token): int(base) for token, base in largest},
            {json.loads(token): int(base) for token, base in daily},
        )

    def signed_by_key(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The newest signed entry for each batch row key that has one."""
        found: dict[str, dict[str, Any]] = {}
        for key in keys:
            row = self.db.execute("SELECT entry FROM batch_key WHERE k = ?", (key,)).fetchone()
            if row is not None:
                found[key] = json.loads(row[0])
        return found

    def final_entry(self, tx_hash: str) -> dict[str, Any] | None:
        """The newest `confirmed`/`failed` entry for a transaction, if any."""
        row = self.db.execute("SELECT final FROM tx WHERE tx_hash = ?", (tx_hash,)).fetchone()
        return json.loads(row[0]) if row is not None and row[0] is not None else None

    def status(self, tx_hash: str) -> str | None:
        """The newest event recorded for a transaction."""
        row = self.db.execute("SELECT status FROM tx WHERE tx_hash = ?", (tx_hash,)).fetchone()
        return None if row is None else str(row[0])

    def signed(self, tx_hash: str) -> bool:
        """Whether this wallet signed the transaction."""
        row = self.db.execute("SELECT signed FROM tx WHERE tx_hash = ?", (tx_hash,)).fetchone()
        return bool(row and row[0])

    def has_incoming(self, tx_hash: str | None, log_index: int | None) -> bool:
        """Whether `wallet sync` already recorded this transfer."""
        key = json.dumps([tx_hash, log_index])
        return self.db.execute("SELECT 1 FROM incoming WHERE k = ?", (key,)).fetchone() is not None


def update_locked(history: History, commit: Commit) -> None:
    """Bring the index up to a commit just written (the caller holds the home lock)."""
    index = _open_file(history)
    try:
        index.catch_up(history, commit)
    finally:
        index.close()


def _open_file(history: History) -> HistoryIndex:
    """Open (or create, 0600) the index file, refusing a link or a file others can reach;
    one SQLite cannot read is replaced by an empty one (the journal refills it)."""
    path = index_path(history)
    make_private_dir(path.parent)
    os.close(_open(path, os.O_RDWR | os.O_CREAT))
    for attempt in (1, 2):
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            index = HistoryIndex(db)
            index._create()
            version = db.execute("SELECT v FROM meta WHERE k = 'version'").fetchone()
            if version is not None and version[0] != VERSION:
                raise sqlite3.DatabaseError("another version's index")  # replaced below
            return index
        except sqlite3.DatabaseError:
            db.close()
            if attempt == 2:
                raise
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.close(_open(path, os.O_RDWR | os.O_CREAT))
    raise AssertionError("unreachable")


def _extends(history: History, covered: Commit | None, commit: Commit) -> bool:
    """Whether the journal up to `commit` continues what the index covers."""
    if covered is None or covered.count > commit.count or covered.size > commit.size:
        return False
    if covered.count == 0:
        return covered.size == 0 and covered.hash == GENESIS
    return line_hash(history._line_ending_at(covered.size)) == covered.hash


def _lines(history: History, start: Commit, end: Commit) -> Iterator[tuple[int, dict[str, Any]]]:
    """Entries between two commit points, read from the journal's bytes in that range."""
    if end.size <= start.size:
        return
    fd = _open(history.path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as handle:
        handle.seek(start.size)
        position, number = start.size, start.count
        for raw in handle:
            position += len(raw)
            if position > end.size:
                break
            if not raw.strip():
                continue
            number += 1
            try:
                entry = json.loads(raw)
            except ValueError:
                raise HomeUnusable(f"{history.path} line {number} is not JSON") from None
            if isinstance(entry, dict):
                yield number, entry
            if position == end.size:
                break
