"""The history journal: what this wallet signed and sent, append-only and hash-chained.

`history/<wallet>.jsonl` holds one JSON object a line; each carries `prev`, the SHA-256 of
the previous line's bytes (64 zeros for the first), and `seq`. `history/<wallet>.head`
records the count and the hash of the last line, so deleting or editing the last entry is
caught too. A status change is a new entry, never an edit. Appends hold the home lock.
Format reference: docs/formats.md.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wallet_cli.errors import HomeUnusable
from wallet_cli.store.atomic import FILE_MODE, make_private_dir, write_atomic
from wallet_cli.store.home import Home

GENESIS = "0" * 64
FINAL_EVENTS = ("confirmed", "failed")


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    problem: str | None = None


class History:
    def __init__(self, home: Home, wallet: str) -> None:
        self.home = home
        self.folder = home.root / "history"
        self.path = self.folder / f"{wallet}.jsonl"
        self.head_path = self.folder / f"{wallet}.head"

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Add one entry; takes the home lock itself."""
        with self.home.lock():
            return self.append_locked(entry)

    def append_locked(self, entry: dict[str, Any]) -> dict[str, Any]:
        return self.append_many_locked([entry])[0]

    def append_many(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self.home.lock():
            return self.append_many_locked(entries)

    def append_many_locked(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Chain and append `entries` with one write and one fsync, then move the head."""
        if not entries:
            return []
        make_private_dir(self.folder)
        count, prev = self._head()
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        records, lines = [], []
        for entry in entries:
            count += 1
            record = {"seq": count, "prev": prev, "time": now, **entry}
            line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
            prev = line_hash(line)
            records.append(record)
            lines.append(line + b"\n")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            data = memoryview(b"".join(lines))
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        write_atomic(self.head_path, json.dumps({"count": count, "hash": prev}).encode())
        return records

    def _head(self) -> tuple[int, str]:
        """Count and hash of the journal's last line, read from the journal itself.

        The journal is the truth: if a process died after appending but before moving the
        head file, the next append still chains from the real last entry (and moves the head).
        """
        last = self._last_line()
        if last is None:
            return 0, GENESIS
        try:
            entry = json.loads(last)
            count = int(entry["seq"])
        except (ValueError, KeyError, TypeError):
            raise HomeUnusable(
                f"the last line of {self.path} is malformed; run 'wallet history --verify'"
            ) from None
        return count, line_hash(last)

    def _last_line(self) -> bytes | None:
        try:
            with self.path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                position, tail = handle.tell(), b""
                while position > 0:
                    step = min(4096, position)
                    position -= step
                    handle.seek(position)
                    tail = handle.read(step) + tail
                    lines = [line for line in tail.split(b"\n") if line.strip()]
                    if len(lines) > 1 or (position == 0 and lines):
                        return lines[-1]
        except FileNotFoundError:
            return None
        return None

    def _raw_lines(self) -> Iterator[bytes]:
        try:
            with self.path.open("rb") as handle:
                for raw in handle:
                    if raw.strip():
                        yield raw
        except FileNotFoundError:
            return

    def entries(self) -> list[dict[str, Any]]:
        result = []
        for number, raw in enumerate(self._raw_lines(), start=1):
            try:
                result.append(json.loads(raw))
            except ValueError:
                raise HomeUnusable(f"{self.path} line {number} is not JSON") from None
        return result

    def verify(self) -> Verification:
        prev, count = GENESIS, 0
        for number, raw in enumerate(self._raw_lines(), start=1):
            try:
                entry = json.loads(raw)
            except ValueError:
                return Verification(False, count, f"line {number} is not JSON")
            if not isinstance(entry, dict):
                return Verification(False, count, f"line {number} is not a JSON object")
            if entry.get("prev") != prev or entry.get("seq") != number:
                return Verification(
                    False,
                    count,
                    f"entry {number} does not follow entry {number - 1}: "
                    "an entry before it was edited or deleted",
                )
            prev, count = line_hash(raw), number
        try:
            head = json.loads(self.head_path.read_bytes())
        except FileNotFoundError:
            if count == 0:
                return Verification(True, 0)
            return Verification(False, count, f"{self.head_path.name} is missing")
        except ValueError:
            return Verification(False, count, f"{self.head_path.name} is malformed")
        if not isinstance(head, dict):
            return Verification(False, count, f"{self.head_path.name} is malformed")
        if head.get("count") != count or head.get("hash") != prev:
            return Verification(
                False, count, "the last entries were edited or deleted (the head does not match)"
            )
        return Verification(True, count)

    def by_key(self, key: str) -> list[dict[str, Any]]:
        return [entry for entry in self.entries() if entry.get("key") == key]

    def counterparties(self) -> set[str]:
        """Addresses this wallet sent to (signed transfers)."""
        return {e["to"] for e in self.entries() if e.get("event") == "signed" and e.get("to")}


def latest_by_transaction(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per transaction this wallet signed, its newest status; newest first.
    (Incoming transfers recorded by `wallet sync` are not rows.)"""
    ours = {e.get("tx_hash") for e in entries if e.get("event") == "signed"}
    rows: dict[str, dict[str, Any]] = {}
    for entry in entries:
        tx_hash = entry.get("tx_hash")
        if not tx_hash or tx_hash not in ours:
            continue
        row = rows.setdefault(tx_hash, {})
        row.update({k: v for k, v in entry.items() if k not in ("prev", "seq", "raw")})
        row["status"] = entry.get("event")
    return sorted(rows.values(), key=lambda r: r.get("time", ""), reverse=True)


def history_path(home: Home, wallet: str) -> Path:
    return History(home, wallet).path
