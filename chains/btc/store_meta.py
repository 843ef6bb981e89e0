"""What the coin store knows that bdk's own tables cannot say, in one more table of the
same SQLite file: whether a full scan ran, and which transactions bitcoind's UTXO set shows
confirmed (bdk's Python API only takes bitcoind-found transactions as unconfirmed)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS wallet_store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS wallet_store_confirmed "
    "(txid TEXT PRIMARY KEY, height INTEGER NOT NULL)",
)


class Meta:
    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One short transaction, committed (or rolled back), and the file closed."""
        db = sqlite3.connect(self.path, timeout=10.0)
        try:
            with db:
                yield db
        finally:
            db.close()

    def get(self, key: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT value FROM wallet_store_meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def put(self, key: str, value: str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO wallet_store_meta (key, value) VALUES (?, ?)", (key, value)
            )

    def confirmed(self, txid: str) -> bool:
        with self._connect() as db:
            row = db.execute(
                "SELECT 1 FROM wallet_store_confirmed WHERE txid = ?", (txid,)
            ).fetchone()
        return row is not None

    def confirmed_txids(self) -> set[str]:
        with self._connect() as db:
            return {str(r[0]) for r in db.execute("SELECT txid FROM wallet_store_confirmed")}

    def add_confirmed(self, found: Iterable[tuple[str, int]]) -> None:
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO wallet_store_confirmed (txid, height) VALUES (?, ?)",
                list(found),
            )
