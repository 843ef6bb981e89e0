"""The history index: readers get the journal's answers without reading the whole journal,
and the journal always wins (an index behind catches up, one ahead or corrupt is rebuilt)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wallet_cli.errors import HomeUnusable, UnsafePermissions
from wallet_cli.screening.context import asset_key, sending_figures
from wallet_cli.screening.gather import gather
from wallet_cli.store import history_index
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.store.history_index import HistoryIndex, index_path
from wallet_cli.store.home import Home
from wallet_cli.wallet import Wallet

WALLET = "dev"
NET = "devnet"


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(Home(tmp_path / "home"), WALLET)


def _address(n: int) -> str:
    return f"0x{n:040x}"


def _mixed(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Signed, broadcast, confirmed/failed, incoming (flagged or not) and dry-run entries,
    on two networks, with addresses recurring, as a real history has them."""
    rng = random.Random(seed)
    entries: list[dict[str, Any]] = []
    for n in range(count):
        kind = rng.choice(["send", "send", "incoming", "dry"])
        network = rng.choice([NET, NET, "sepolia"])
        if kind == "incoming":
            flags = rng.choice([[], ["dust"], ["zero-value"]])
            entries.append(
                {
                    "event": "incoming",
                    "network": network,
                    "counterparty": _address(rng.randrange(1, 30)),
                    "tx_hash": f"0x{n:064x}",
                    "log_index": rng.randrange(3),
                    "flags": flags,
                    "summary": f"transfer {n}",
                }
            )
            continue
        tx_hash = f"0x{n:064x}"
        entries.append(
            {
                "event": "signed",
                "network": network,
                "to": _address(rng.randrange(1, 30)),
                "tx_hash": tx_hash,
                "amount_base": str(rng.randrange(1, 10**20)),
                "token": rng.choice([None, "0xAbC0000000000000000000000000000000000001"]),
                "key": f"run-{n % 50}",
                "raw": "0x02",
                **({"dry_run": True} if kind == "dry" else {}),
            }
        )
        if kind == "send" and rng.random() < 0.8:
            entries.append({"event": "broadcast", "tx_hash": tx_hash})
            if rng.random() < 0.7:
                final = rng.choice(["confirmed", "failed"])
                entries.append({"event": final, "tx_hash": tx_hash, "block": n})
    return entries


def _reference(entries: list[dict[str, Any]], network: str) -> dict[str, Any]:
    """What the readers computed from the whole journal before the index existed."""
    sent_to = frozenset(
        e["to"]
        for e in entries
        if e.get("event") == "signed" and not e.get("dry_run") and e.get("network") == network
    )
    suspicious: dict[str, str] = {}
    ordinary: set[str] = set()
    for e in entries:
        if e.get("event") != "incoming" or e.get("network") != network:
            continue
        if e.get("flags"):
            suspicious.setdefault(e["counterparty"], e.get("summary", "a suspicious transfer"))
        else:
            ordinary.add(e["counterparty"])
    by_key = {e["key"]: e for e in entries if e.get("event") == "signed" and e.get("key")}
    final = {e["tx_hash"]: e for e in entries if e.get("event") in ("confirmed", "failed")}
    largest, today = sending_figures(entries, network)
    return {
        "sent_to": sent_to,
        "suspicious": {a: w for a, w in suspicious.items() if a not in ordinary},
        "by_key": by_key,
        "final": final,
        "figures": (largest, today),
    }


def _answers(index: HistoryIndex, network: str, keys: list[str]) -> dict[str, Any]:
    largest, today = index.spending(network, datetime.now(UTC).date().isoformat())
    by_key = index.signed_by_key(keys)
    final = {}
    for signed in by_key.values():
        entry = index.final_entry(signed["tx_hash"])
        if entry is not None:
            final[signed["tx_hash"]] = entry
    return {
        "sent_to": index.sent_to(network),
        "suspicious": index.suspicious_senders(network),
        "by_key": by_key,
        "final": final,
        "figures": (
            {asset_key(k): v for k, v in largest.items()},
            {asset_key(k): v for k, v in today.items()},
        ),
    }


def _check_same(history: History, index: HistoryIndex) -> None:
    entries = history.entries()
    keys = [*sorted({e["key"] for e in entries if e.get("key")}), "never-signed"]
    for network in (NET, "sepolia"):
        expected = _reference(entries, network)
        expected["final"] = {
            h: e
            for h, e in expected["final"].items()
            if any(s["tx_hash"] == h for s in expected["by_key"].values())
        }
        assert _answers(index, network, keys) == expected


def test_index_answers_what_the_whole_journal_answered(history: History) -> None:
    entries = _mixed(600)
    for start in range(0, len(entries), 97):  # several appends, each updating the index
        history.append_many(entries[start : start + 97])
    index = HistoryIndex.current(history)
    try:
        assert index.covers() == history.recover()
        _check_same(history, index)
        assert index.sent_to(NET)  # the generated history does exercise every table
        assert index.suspicious_senders(NET)
    finally:
        index.close()


def test_index_file_is_private_and_beside_the_journal(history: History) -> None:
    history.append_many(_mixed(20))
    path = index_path(history)
    assert path.name == f"{WALLET}.index.sqlite"
    for file in path.parent.glob(f"{path.name}*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_behind_index_catches_up_from_the_tail_only(history: History) -> None:
    history.append_many(_mixed(50))
    lines = history.path.read_bytes().splitlines(keepends=True)
    # Same-length edit of an early line: a reader that re-read the journal would see it.
    first = json.loads(lines[0])
    assert first["event"] in ("signed", "incoming")
    history.path.write_bytes(lines[0].replace(b"0x0000", b"0xffff", 1) + b"".join(lines[1:]))
    later = _mixed(80, seed=8)[50:]
    with pytest.MonkeyPatch.context() as patch:  # an older wallet: appends not indexed
        patch.setattr(history_index, "update_locked", _fail)
        history.append_many(later)
    index = HistoryIndex.current(history)
    try:
        assert index.covers() == history.recover()
        assert index.signed_by_key([f"run-{n}" for n in range(50)])  # the tail is in
        old_to = first.get("to") or first.get("counterparty")
        edited = old_to.replace("0x0000", "0xffff", 1)
        seen = index.sent_to(first["network"]) | set(index.suspicious_senders(first["network"]))
        assert edited not in seen  # the covered part was not read again
    finally:
        index.close()


def _fail(*_: object) -> None:
    raise OSError("disk full")


def test_index_ahead_of_the_journal_is_rebuilt(history: History) -> None:
    history.append_many(_mixed(40))
    saved = history.path.read_bytes(), history.head_path.read_bytes()
    history.append_many(_mixed(90, seed=3)[40:])  # the index now covers more
    history.path.write_bytes(saved[0])  # a journal restored from a backup
    history.head_path.write_bytes(saved[1])
    index = HistoryIndex.current(history)
    try:
        assert index.covers() == history.recover()
        _check_same(history, index)
    finally:
        index.close()


def test_replaced_journal_is_rebuilt_even_where_sizes_line_up(history: History) -> None:
    """A journal swapped for another whose lines have the same lengths: the covered size
    falls on a line boundary, so only the hash of the covered line tells them apart."""
    base = _mixed(40)

    def last(to: int) -> dict[str, Any]:
        return {"event": "signed", "network": NET, "to": _address(to), "tx_hash": "0x1"}

    history.append_many([*base, last(0xAAAA)])
    other = History(Home(history.home.root.parent / "other"), WALLET)
    other.append_many([*base, last(0xBBBB), *_mixed(10, seed=5)])
    history.path.write_bytes(other.path.read_bytes())
    history.head_path.write_bytes(other.head_path.read_bytes())
    index = HistoryIndex.current(history)
    try:
        assert _address(0xAAAA) not in index.sent_to(NET)
        _check_same(history, index)
    finally:
        index.close()


@pytest.mark.parametrize("garbage", [b"", b"not a database at all" * 100, b"SQLite format 3\0"])
def test_corrupt_index_is_rebuilt(history: History, garbage: bytes) -> None:
    history.append_many(_mixed(60))
    path = index_path(history)
    for extra in path.parent.glob(f"{path.name}-*"):
        extra.unlink()
    path.write_bytes(garbage)
    index = HistoryIndex.current(history)
    try:
        assert index.covers() == history.recover()
        _check_same(history, index)
    finally:
        index.close()


def test_deleted_index_is_rebuilt_and_failed_update_does_not_fail_the_append(
    history: History,
) -> None:
    history.append_many(_mixed(30))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(history_index, "update_locked", _fail)
        records = history.append_many([{"event": "signed", "key": "late", "tx_hash": "0x1"}])
    assert records[0]["seq"] == history.recover().count
    for file in index_path(history).parent.glob("*.index.sqlite*"):
        file.unlink()
    index = HistoryIndex.current(history)
    try:
        assert index.signed_by_key(["late"])["late"]["seq"] == records[0]["seq"]
        _check_same(history, index)
    finally:
        index.close()


def test_crash_between_journal_and_index_is_completed_by_the_next_reader(
    history: History,
) -> None:
    history.append_many(_mixed(20))
    script = (
        "import os, sys\n"
        "from wallet_cli.store import history_index\n"
        "from wallet_cli.store.history import History\n"
        "from pathlib import Path\nfrom wallet_cli.store.home import Home\n"
        "history_index.update_locked = lambda *a: os._exit(9)\n"
        "History(Home(Path(sys.argv[1])), sys.argv[2]).append("
        "{'event': 'signed', 'key': 'row-1', 'tx_hash': '0xab', 'network': 'devnet',"
        " 'to': '0x" + "cd" * 20 + "'})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(history.home.root), WALLET], check=False
    )
    assert done.returncode == 9  # killed after the head, before the index
    assert history.verify().ok
    index = HistoryIndex.current(history)
    try:
        assert index.covers() == history.recover()
        assert "0x" + "cd" * 20 in index.sent_to(NET)
        assert index.signed_by_key(["row-1"])["row-1"]["tx_hash"] == "0xab"
    finally:
        index.close()


def test_uncommitted_tail_is_rolled_forward_before_reading(history: History) -> None:
    """A kill between the journal write and the head: the signed rows are on disk. A batch
    resume must see them (or it would sign those rows again)."""
    history.append_many(_mixed(20))
    head = history.head_path.read_bytes()
    history.append_many([{"event": "signed", "key": "row-9", "tx_hash": "0x9"}])
    history.head_path.write_bytes(head)  # as if killed before the head was replaced
    index = HistoryIndex.current(history)
    try:
        assert index.signed_by_key(["row-9"])["row-9"]["tx_hash"] == "0x9"
        assert index.covers() == history.recover()
    finally:
        index.close()


def test_damaged_journal_is_read_as_before(history: History) -> None:
    history.append_many(_mixed(30))
    lines = history.path.read_bytes().splitlines(keepends=True)
    history.path.write_bytes(b"".join(lines[:10] + lines[11:]))  # an entry deleted
    assert not history.verify().ok
    index = HistoryIndex.current(history)
    try:
        _check_same(history, index)
    finally:
        index.close()


def test_index_that_is_a_link_is_refused(history: History, tmp_path: Path) -> None:
    history.append_many(_mixed(10))
    path = index_path(history)
    for file in path.parent.glob(f"{path.name}*"):
        file.unlink()
    target = tmp_path / "elsewhere.sqlite"
    target.write_bytes(b"")
    os.chmod(target, 0o600)
    path.symlink_to(target)
    history.append({"event": "signed", "tx_hash": "0x5"})  # the journal still takes it
    with pytest.raises(HomeUnusable, match="symbolic link"):
        HistoryIndex.current(history)
    assert target.read_bytes() == b""


def test_index_others_can_read_is_refused(history: History) -> None:
    history.append_many(_mixed(10))
    os.chmod(index_path(history), 0o644)
    history.append({"event": "signed", "tx_hash": "0x6"})
    with pytest.raises(UnsafePermissions):
        HistoryIndex.current(history)


def test_index_of_another_version_is_replaced(history: History) -> None:
    history.append_many(_mixed(30))
    with sqlite3.connect(index_path(history)) as db:
        db.execute("UPDATE meta SET v = 99 WHERE k = 'version'")
        db.execute("DROP TABLE sent_to")
    db.close()
    index = HistoryIndex.current(history)
    try:
        assert index.covers() == history.recover()
        _check_same(history, index)
    finally:
        index.close()


def test_screening_sees_what_it_saw_before_the_index(anvil_home: Path) -> None:
    """gather() through the index gives the Context the whole-journal code gave."""
    home = Home(anvil_home)
    wallet = Wallet.open(home, "dev")
    config = Config.load(home)
    network = config.network(NET)
    mine = next(iter(wallet.public.chains["evm"].addresses.values()))
    extra = [
        {"event": "incoming", "network": NET, "counterparty": mine, "flags": ["dust"]},
        {"event": "incoming", "network": NET, "counterparty": _address(77), "flags": ["dust"]},
    ]
    History(home, wallet.name).append_many([*_mixed(400, seed=11), *extra])
    context = gather(home, config, network, wallet, None)

    entries = History(home, wallet.name).entries()
    expected = _reference(entries, network.name)
    own = {
        a: f"your address #{i}" for i, a in sorted(wallet.public.chains["evm"].addresses.items())
    }
    known = expected["sent_to"] | set(own)
    poisoners = {a: w for a, w in expected["suspicious"].items() if a not in known}
    trusted = {
        **own,
        **{
            a: "an address you sent to before" for a in sorted(expected["sent_to"] - set(poisoners))
        },
    }
    assert context.sent_to == expected["sent_to"]
    assert dict(context.poisoners) == poisoners
    assert _address(77) in poisoners
    assert mine not in poisoners
    assert context.lookalikes is not None
    assert context.lookalikes.trusted == trusted
    assert (dict(context.largest_sent), dict(context.spent_today)) == expected["figures"]
    assert context.spent_today  # today's accepted transfers are counted


def test_reading_no_history_creates_nothing(history: History) -> None:
    index = HistoryIndex.current(history)
    try:
        assert index.sent_to(NET) == frozenset()
        assert index.signed_by_key(["a"]) == {}
    finally:
        index.close()
    assert not history.folder.exists()


def test_a_speed_up_is_counted_once_in_the_spending_figures(history: History) -> None:
    """A replacement pays what its original pays: a daily limit must not see it twice."""
    original, faster = "0x" + "aa" * 32, "0x" + "bb" * 32
    common = {"network": NET, "to": _address(1), "token": None, "amount_base": "700"}
    history.append_many(
        [
            {"event": "signed", "tx_hash": original, **common},
            {"event": "broadcast", "tx_hash": original},
            {
                "event": "signed",
                "tx_hash": faster,
                "replaces": original,
                "kind": "speed-up",
                **common,
            },
            {"event": "broadcast", "tx_hash": faster},
        ]
    )
    index = HistoryIndex.current(history)
    try:
        largest, today = index.spending(NET, datetime.now(UTC).date().isoformat())
    finally:
        index.close()
    assert largest == {None: 700}
    assert today == {None: 700}
