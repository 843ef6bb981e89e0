"""The history journal: what this wallet signed and sent, append-only and hash-chained.

`history/<wallet>.jsonl` holds one JSON object a line; each carries `prev`, the SHA-256 of
the previous line's bytes (64 zeros for the first), and `seq`. `history/<wallet>.head`
records the count, the hash of the last line and the journal's size at that line: it is
the commit point. Format reference: docs/formats.md.

Why the head commits: an append writes the lines (fsync), then replaces the head. A kill
between the two leaves complete lines past the head that chain from it: the next writer
(or `wallet history`) rolls them forward. A kill inside the write leaves an incomplete
last line, which is cut off. Anything else past the head, or a journal shorter than the
head says, or a head-line whose hash differs, is damage: appends refuse, so a truncated
journal is never silently "repaired" by the next entry. Files are opened with O_NOFOLLOW.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wallet_cli.errors import HistoryDamaged, HomeUnusable
from wallet_cli.store.atomic import FILE_MODE, make_private_dir, write_atomic
from wallet_cli.store.home import Home
from wallet_cli.store.permissions import check_stat

GENESIS = "0" * 64
# What becomes of a transaction for good: in a block (`confirmed`, `failed`), or `expired`:
# never seen by the network before its validity window passed (Solana's blockhash), so it
# can never land.
FINAL_EVENTS = ("confirmed", "failed", "expired")
MAX_HEAD_BYTES = 4096


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    problem: str | None = None
    pending: int = 0  # complete entries past the head, left by an interrupted append
    partial: bool = False  # an incomplete last line, left by an interrupted write


@dataclass(frozen=True)
class Commit:
    """The head: how many entries are committed, the last one's hash, the bytes they use."""

    count: int
    hash: str
    size: int


@dataclass(frozen=True)
class Tail:
    """What lies past the head: complete chained lines, and where the journal should end."""

    records: int
    end: Commit
    partial: bool


EMPTY = Commit(0, GENESIS, 0)


def _open(path: Path, flags: int) -> int:
    """Open without following a link, and only a file no other user can read or write."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise HomeUnusable(
                f"{path} is a symbolic link; the wallet does not follow links in its home "
                "(replace it with the real file)"
            ) from None
        raise
    try:
        check_stat(path, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_all(path: Path) -> bytes | None:
    try:
        fd = _open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


class History:
    def __init__(self, home: Home, wallet: str) -> None:
        self.home = home
        self.folder = home.root / "history"
        self.path = self.folder / f"{wallet}.jsonl"
        self.head_path = self.folder / f"{wallet}.head"

    # --- writing ---------------------------------------------------------------------------

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
        """Chain `entries` after the committed ones: one write and one fsync, then the head."""
        if not entries:
            return []
        commit = self.recover_locked()
        count, prev = commit.count, commit.hash
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        records, lines = [], []
        for entry in entries:
            count += 1
            record = {"seq": count, "prev": prev, "time": now, **entry}
            line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
            prev = line_hash(line)
            records.append(record)
            lines.append(line + b"\n")
        data = b"".join(lines)
        fd = _open(self.path, os.O_WRONLY | os.O_CREAT)
        try:
            os.lseek(fd, commit.size, os.SEEK_SET)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        end = Commit(count, prev, commit.size + len(data))
        self._write_head(end)
        self._index(end)
        return records

    def recover(self) -> Commit:
        """Complete what an interrupted append left (under the home lock)."""
        with self.home.lock():
            return self.recover_locked()

    def recover_locked(self) -> Commit:
        """The committed state after rolling an interrupted append forward or cutting off
        its incomplete line; `HistoryDamaged` if the journal and its head disagree."""
        make_private_dir(self.folder)
        commit = self._commit_or_raise()
        if commit is EMPTY and not self.head_path.exists():
            # The head exists before the first line, so a head missing later is damage.
            self._write_head(EMPTY)
        tail = self._tail(commit)
        if isinstance(tail, str):
            raise HistoryDamaged(f"history of {self.path.name}: {tail}")
        if tail.partial:
            fd = _open(self.path, os.O_WRONLY)
            try:
                os.ftruncate(fd, tail.end.size)
                os.fsync(fd)
            finally:
                os.close(fd)
        if tail.end != commit:
            self._write_head(tail.end)
            self._index(tail.end)
        return tail.end

    def _index(self, commit: Commit) -> None:
        """Bring the readers' index up to a commit just written. The entries are already
        committed, so a failure here must not undo or fail the append: the index stays
        behind and the next reader catches it up from the journal."""
        from wallet_cli.store import history_index

        with contextlib.suppress(Exception):  # derived data: readers repair it
            history_index.update_locked(self, commit)

    def _write_head(self, commit: Commit) -> None:
        document = {"count": commit.count, "hash": commit.hash, "size": commit.size}
        write_atomic(self.head_path, json.dumps(document).encode())

    # --- reading the commit point ---------------------------------------------------------

    def _commit_or_raise(self) -> Commit:
        commit = self._commit()
        if isinstance(commit, str):
            raise HistoryDamaged(
                f"history {self.path} is damaged: {commit}; nothing was written "
                "(see 'wallet history --verify')"
            )
        return commit

    def _commit(self) -> Commit | str:
        """The head as recorded and checked against the journal, or what is wrong with it."""
        raw = _read_all(self.head_path)
        journal = self._journal_size()
        if raw is None:
            if journal:
                return f"{self.head_path.name} is missing"
            return EMPTY
        try:
            head = json.loads(raw[:MAX_HEAD_BYTES])
            count, digest = head["count"], head["hash"]
            size = head.get("size")
        except (ValueError, KeyError, TypeError, AttributeError):
            return f"{self.head_path.name} is malformed"
        if not isinstance(count, int) or count < 0 or not isinstance(digest, str):
            return f"{self.head_path.name} is malformed"
        if count == 0:
            return EMPTY if digest == GENESIS else f"{self.head_path.name} is malformed"
        if size is None:  # a head written before heads recorded the size
            size = self._size_of_first(count)
            if size is None:
                return "the head does not match: the journal has fewer entries than it records"
        if not isinstance(size, int) or size <= 0:
            return f"{self.head_path.name} is malformed"
        if journal < size:
            return "the head does not match: the journal is shorter (entries were deleted)"
        if line_hash(self._line_ending_at(size)) != digest:
            return "the head does not match: the last committed entry was edited"
        return Commit(count, digest, size)

    def _journal_size(self) -> int:
        try:
            fd = _open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return 0
        try:
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def _line_ending_at(self, size: int) -> bytes:
        fd = _open(self.path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as handle:
            position, tail = size, b""
            while position > 0:
                step = min(4096, position)
                position -= step
                handle.seek(position)
                tail = handle.read(step) + tail
                cut = tail.rfind(b"\n", 0, len(tail) - 1)
                if cut >= 0:
                    return tail[cut + 1 :]
            return tail

    def _size_of_first(self, count: int) -> int | None:
        size = 0
        for number, raw in enumerate(self._raw_lines(), start=1):
            size += len(raw)
            if number == count:
                return size
        return None

    def _tail(self, commit: Commit) -> Tail | str:
        """Lines past the head: those that chain from it are an interrupted append's."""
        try:
            fd = _open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return Tail(0, commit, False)
        with os.fdopen(fd, "rb") as handle:
            handle.seek(commit.size)
            rest = handle.read()
        end, records = commit, 0
        *complete, last = rest.split(b"\n")
        for body in complete:
            raw = body + b"\n"
            if not body.strip():
                end = Commit(end.count, end.hash, end.size + len(raw))
                continue
            try:
                entry = json.loads(raw)
                linked = entry.get("prev") == end.hash and entry.get("seq") == end.count + 1
            except (ValueError, AttributeError):
                linked = False
            if not linked:
                return (
                    f"entry {end.count + 1} does not follow entry {end.count}: "
                    "lines past the head were edited or added by hand"
                )
            end, records = Commit(end.count + 1, line_hash(raw), end.size + len(raw)), records + 1
        return Tail(records, end, bool(last))

    # --- reading entries ------------------------------------------------------------------

    def _raw_lines(self) -> Iterator[bytes]:
        """Complete lines; an incomplete last line (an interrupted write) is not an entry."""
        try:
            fd = _open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        with os.fdopen(fd, "rb") as handle:
            for raw in handle:
                if raw.endswith(b"\n") and raw.strip():
                    yield raw

    def entries(self) -> list[dict[str, Any]]:
        result = []
        for number, raw in enumerate(self._raw_lines(), start=1):
            try:
                result.append(json.loads(raw))
            except ValueError:
                raise HomeUnusable(f"{self.path} line {number} is not JSON") from None
        return result

    def verify(self) -> Verification:
        """Walk the chain and hold it against the head. Read-only: an interrupted append is
        reported as pending (the next command completes it), never as tampering."""
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
        commit = self._commit()
        if isinstance(commit, str):
            return Verification(False, count, commit)
        tail = self._tail(commit)
        if isinstance(tail, str):
            return Verification(False, count, tail)
        return Verification(True, commit.count, pending=tail.records, partial=tail.partial)

    def sealed_prefix_problem(self, commit: Commit) -> str | None:
        """What keeps the journal from starting with the entries committed at `commit` (a
        keyed seal's head, store/seal.py), or None. With the chain intact (`verify`), the
        hash of the line ending at the sealed size vouches for every line before it."""
        if commit.count == 0:
            return None
        if self._journal_size() < commit.size:
            return "the journal is shorter than when it was sealed (entries were deleted)"
        line = self._line_ending_at(commit.size)
        try:
            seq = json.loads(line).get("seq")
        except (ValueError, AttributeError):
            seq = None
        if line_hash(line) != commit.hash or seq != commit.count or not line.endswith(b"\n"):
            return (
                f"the entries up to {commit.count} differ from those sealed: "
                "the journal was rewritten without the passphrase"
            )
        return None

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
