"""The history journal: append-only, hash-chained, and every edit or deletion is caught."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from wallet_cli.errors import HistoryDamaged, HomeUnusable, UnsafePermissions
from wallet_cli.store.history import (
    GENESIS,
    History,
    history_path,
    latest_by_transaction,
    line_hash,
)
from wallet_cli.store.home import Home

WALLET = "dev"


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(Home(tmp_path / "home"), WALLET)


def _entries(count: int) -> list[dict[str, Any]]:
    return [
        {"event": "signed", "tx_hash": f"0x{n:064x}", "amount": str(n), "to": f"0x{n:040x}"}
        for n in range(1, count + 1)
    ]


def _filled(history: History, count: int = 5) -> History:
    for entry in _entries(count):
        history.append(entry)
    return history


def _lines(history: History) -> list[bytes]:
    return history.path.read_bytes().splitlines(keepends=True)


def _write_lines(history: History, lines: list[bytes]) -> None:
    history.path.write_bytes(b"".join(lines))


def _edit_line(history: History, index: int, **changes: Any) -> None:
    lines = _lines(history)
    record = json.loads(lines[index])
    record.update(changes)
    lines[index] = json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    _write_lines(history, lines)


# --- appending ---------------------------------------------------------------------------


def test_empty_history(history: History) -> None:
    assert history.entries() == []
    result = history.verify()
    assert result.ok
    assert result.entries == 0
    assert result.problem is None
    assert not history.path.exists()


def test_paths(history: History, tmp_path: Path) -> None:
    assert history.path == tmp_path / "home" / "history" / f"{WALLET}.jsonl"
    assert history.head_path == tmp_path / "home" / "history" / f"{WALLET}.head"
    assert history_path(history.home, WALLET) == history.path


def test_append_returns_the_chained_record(history: History) -> None:
    first = history.append({"event": "signed", "tx_hash": "0xaa"})
    assert first["seq"] == 1
    assert first["prev"] == GENESIS
    assert first["event"] == "signed"
    assert first["time"].endswith("+00:00")
    second = history.append({"event": "broadcast", "tx_hash": "0xaa"})
    assert second["seq"] == 2
    assert second["prev"] == line_hash(_lines(history)[0])


def test_entries_in_order(history: History) -> None:
    _filled(history, 5)
    entries = history.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert [e["amount"] for e in entries] == ["1", "2", "3", "4", "5"]
    assert all(e["event"] == "signed" for e in entries)


def test_verify_ok(history: History) -> None:
    _filled(history, 5)
    result = history.verify()
    assert result.ok, result.problem
    assert result.entries == 5
    assert result.problem is None


def test_lines_are_canonical_json(history: History) -> None:
    _filled(history, 2)
    for raw in _lines(history):
        record = json.loads(raw)
        assert raw == json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def test_head_records_count_and_last_hash(history: History) -> None:
    _filled(history, 3)
    head = json.loads(history.head_path.read_bytes())
    size = len(history.path.read_bytes())
    assert head == {"count": 3, "hash": line_hash(_lines(history)[-1]), "size": size}


def test_chain_links_every_line(history: History) -> None:
    _filled(history, 4)
    prev = GENESIS
    for raw in _lines(history):
        assert json.loads(raw)["prev"] == prev
        prev = line_hash(raw)


def test_append_many_chains_correctly(history: History) -> None:
    history.append({"event": "signed", "tx_hash": "0x01"})
    records = history.append_many(_entries(4))
    assert [r["seq"] for r in records] == [2, 3, 4, 5]
    assert len({r["time"] for r in records}) == 1  # one batch, one time
    lines = _lines(history)
    assert len(lines) == 5
    for index, record in enumerate(records, start=1):
        assert record["prev"] == line_hash(lines[index - 1])
        assert json.loads(lines[index]) == record
    result = history.verify()
    assert result.ok, result.problem
    assert result.entries == 5
    history.append({"event": "confirmed", "tx_hash": "0x01"})
    assert history.verify().ok


def test_append_many_empty_writes_nothing(history: History) -> None:
    assert history.append_many([]) == []
    assert not history.path.exists()
    assert not history.head_path.exists()


def test_append_many_alone_verifies(history: History) -> None:
    history.append_many(_entries(3))
    assert history.verify().ok
    assert [e["seq"] for e in history.entries()] == [1, 2, 3]


def test_file_permissions_are_private(history: History) -> None:
    _filled(history, 2)
    for path in (history.path, history.head_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(history.folder.stat().st_mode) == 0o700


def test_histories_of_two_wallets_are_separate(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    a, b = History(home, "a"), History(home, "b")
    a.append({"event": "signed", "tx_hash": "0x01"})
    b.append_many(_entries(2))
    assert len(a.entries()) == 1
    assert len(b.entries()) == 2
    assert a.verify().ok
    assert b.verify().ok


def test_blank_lines_are_ignored(history: History) -> None:
    _filled(history, 3)
    lines = _lines(history)
    _write_lines(history, [lines[0], b"\n", lines[1], lines[2], b"\n"])
    assert len(history.entries()) == 3
    assert history.verify().ok


def test_by_key_and_counterparties(history: History) -> None:
    history.append({"event": "signed", "tx_hash": "0x01", "key": "k1", "to": "0xA"})
    history.append({"event": "signed", "tx_hash": "0x02", "key": "k2", "to": "0xB"})
    history.append({"event": "broadcast", "tx_hash": "0x01", "key": "k1", "to": "0xC"})
    assert [e["tx_hash"] for e in history.by_key("k1")] == ["0x01", "0x01"]
    assert history.counterparties() == {"0xA", "0xB"}


# --- tampering ---------------------------------------------------------------------------


def test_editing_a_middle_line_is_caught(history: History) -> None:
    _filled(history, 5)
    _edit_line(history, 2, amount="1000")  # entry 3
    result = history.verify()
    assert not result.ok
    assert result.problem is not None
    assert "entry 4 does not follow entry 3" in result.problem
    assert result.entries == 3  # entries 1..3 chain; the break shows at entry 4


def test_editing_the_first_line_is_caught(history: History) -> None:
    _filled(history, 3)
    _edit_line(history, 0, to="0x" + "ee" * 20)
    result = history.verify()
    assert not result.ok
    assert "entry 2 does not follow entry 1" in (result.problem or "")


def test_editing_a_middle_line_byte_is_caught(history: History) -> None:
    _filled(history, 3)
    lines = _lines(history)
    lines[1] = lines[1].replace(b'"amount":"2"', b'"amount":"9"')
    _write_lines(history, lines)
    assert not history.verify().ok


def test_deleting_a_middle_line_is_caught(history: History) -> None:
    _filled(history, 5)
    lines = _lines(history)
    del lines[2]
    _write_lines(history, lines)
    result = history.verify()
    assert not result.ok
    assert "entry 3 does not follow entry 2" in (result.problem or "")


def test_deleting_the_first_line_is_caught(history: History) -> None:
    _filled(history, 3)
    _write_lines(history, _lines(history)[1:])
    result = history.verify()
    assert not result.ok
    assert "entry 1" in (result.problem or "")


def test_reordering_lines_is_caught(history: History) -> None:
    _filled(history, 3)
    lines = _lines(history)
    _write_lines(history, [lines[0], lines[2], lines[1]])
    assert not history.verify().ok


def test_deleting_the_last_line_is_caught(history: History) -> None:
    _filled(history, 5)
    _write_lines(history, _lines(history)[:-1])
    result = history.verify()
    assert not result.ok
    assert result.entries == 4
    assert "head does not match" in (result.problem or "")


def test_deleting_every_line_is_caught(history: History) -> None:
    _filled(history, 2)
    _write_lines(history, [])
    result = history.verify()
    assert not result.ok
    assert "head does not match" in (result.problem or "")


def test_deleting_the_journal_file_is_caught(history: History) -> None:
    _filled(history, 2)
    history.path.unlink()
    assert not history.verify().ok


def test_editing_the_last_line_is_caught(history: History) -> None:
    _filled(history, 5)
    _edit_line(history, 4, event="confirmed")
    result = history.verify()
    assert not result.ok
    assert result.entries == 5
    assert "head does not match" in (result.problem or "")


@pytest.mark.parametrize("content", [b"", b'{"count": 5, "hash": "ab', b"{", b"not json"])
def test_truncated_head_is_caught(history: History, content: bytes) -> None:
    _filled(history, 5)
    history.head_path.write_bytes(content)
    result = history.verify()
    assert not result.ok
    assert "malformed" in (result.problem or "")


def test_missing_head_with_entries_is_caught(history: History) -> None:
    _filled(history, 3)
    history.head_path.unlink()
    result = history.verify()
    assert not result.ok
    assert result.entries == 3
    assert "missing" in (result.problem or "")


def test_head_with_wrong_count_is_caught(history: History) -> None:
    _filled(history, 3)
    head = json.loads(history.head_path.read_bytes())
    history.head_path.write_text(json.dumps({"count": 2, "hash": head["hash"]}))
    assert not history.verify().ok


def test_non_json_line_is_caught(history: History) -> None:
    _filled(history, 3)
    lines = _lines(history)
    lines[1] = b"garbage\n"
    _write_lines(history, lines)
    result = history.verify()
    assert not result.ok
    assert "line 2 is not JSON" in (result.problem or "")
    with pytest.raises(HomeUnusable, match="line 2"):
        history.entries()


def test_a_malformed_head_is_reported_and_appends_refuse(history: History) -> None:
    _filled(history, 2)
    history.head_path.write_bytes(b"{")
    assert not history.verify().ok
    with pytest.raises(HistoryDamaged, match="malformed"):
        history.append({"event": "signed", "tx_hash": "0x09"})
    assert history.head_path.read_bytes() == b"{"


def test_appending_after_a_malformed_last_line_refuses(history: History) -> None:
    _filled(history, 2)
    with history.path.open("ab") as handle:
        handle.write(b"{not json\n")
    with pytest.raises(HistoryDamaged, match="past the head"):
        history.append({"event": "signed", "tx_hash": "0x09"})


def test_a_missing_head_refuses_appends(history: History) -> None:
    _filled(history, 2)
    history.head_path.unlink()
    with pytest.raises(HistoryDamaged, match="missing"):
        history.append({"event": "signed", "tx_hash": "0x09"})
    assert len(_lines(history)) == 2


def test_the_head_exists_before_the_first_line(history: History) -> None:
    history.recover()
    assert json.loads(history.head_path.read_bytes()) == {"count": 0, "hash": GENESIS, "size": 0}


def test_truncation_stays_detected_after_later_appends(history: History) -> None:
    _filled(history, 4)
    _write_lines(history, _lines(history)[:2])
    assert not history.verify().ok
    with pytest.raises(HistoryDamaged, match="shorter"):
        history.append({"event": "signed", "tx_hash": "0x09"})
    assert not history.verify().ok
    assert len(_lines(history)) == 2


def test_truncation_to_nothing_stays_detected(history: History) -> None:
    _filled(history, 3)
    history.path.write_bytes(b"")
    with pytest.raises(HistoryDamaged):
        history.append({"event": "signed", "tx_hash": "0x09"})
    assert not history.verify().ok


def test_editing_the_last_line_refuses_appends(history: History) -> None:
    _filled(history, 3)
    _edit_line(history, 2, amount="999")
    with pytest.raises(HistoryDamaged, match="edited"):
        history.append({"event": "signed", "tx_hash": "0x09"})


def test_a_symlinked_journal_is_refused(history: History, tmp_path: Path) -> None:
    _filled(history, 2)
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_bytes(history.path.read_bytes())
    history.path.unlink()
    history.path.symlink_to(elsewhere)
    with pytest.raises(HomeUnusable, match="symbolic link"):
        history.append({"event": "signed", "tx_hash": "0x09"})
    with pytest.raises(HomeUnusable, match="symbolic link"):
        history.entries()
    assert elsewhere.read_bytes().count(b"\n") == 2


def test_a_symlinked_head_is_refused(history: History, tmp_path: Path) -> None:
    _filled(history, 2)
    elsewhere = tmp_path / "elsewhere.head"
    elsewhere.write_bytes(history.head_path.read_bytes())
    history.head_path.unlink()
    history.head_path.symlink_to(elsewhere)
    with pytest.raises(HomeUnusable, match="symbolic link"):
        history.append({"event": "signed", "tx_hash": "0x09"})


# --- interrupted appends: every state a kill can leave ------------------------------------


def _interrupted(history: History, keep: int) -> bytes:
    """Append one entry, then put the journal back as a kill after `keep` bytes of the new
    line would leave it, with the head from before the append."""
    _filled(history, 2)
    stale_head = history.head_path.read_bytes()
    before = history.path.read_bytes()
    history.append({"event": "signed", "tx_hash": "0x03", "raw": "0x" + "ab" * 100})
    new_line = history.path.read_bytes()[len(before) :]
    history.path.write_bytes(before + new_line[:keep])
    history.head_path.write_bytes(stale_head)
    return new_line


@pytest.mark.parametrize("keep", [1, 40, -2, -1])
def test_a_partial_line_is_not_tampering_and_is_cut_off(history: History, keep: int) -> None:
    new_line = _interrupted(history, keep)
    assert 0 < len(new_line[:keep]) < len(new_line)
    result = history.verify()
    assert (result.ok, result.partial, result.entries) == (True, True, 2), result
    assert [e["seq"] for e in history.entries()] == [1, 2]
    history.append({"event": "broadcast", "tx_hash": "0x04"})
    assert [e["seq"] for e in history.entries()] == [1, 2, 3]
    assert history.entries()[-1]["tx_hash"] == "0x04"
    assert history.verify() == history.verify().__class__(True, 3)


def test_a_whole_line_past_the_head_is_rolled_forward(history: History) -> None:
    new_line = _interrupted(history, 10_000)
    assert history.path.read_bytes().endswith(new_line)
    result = history.verify()
    assert (result.ok, result.pending, result.entries) == (True, 1, 2), result
    history.recover()
    assert (history.verify().entries, history.verify().pending) == (3, 0)
    history.append({"event": "broadcast", "tx_hash": "0x03"})
    assert [e["seq"] for e in history.entries()] == [1, 2, 3, 4]
    assert history.verify().ok


def test_a_head_from_before_sizes_were_recorded_still_works(history: History) -> None:
    _filled(history, 3)
    head = json.loads(history.head_path.read_bytes())
    history.head_path.write_text(json.dumps({"count": head["count"], "hash": head["hash"]}))
    assert history.verify().ok
    history.append({"event": "signed", "tx_hash": "0x09"})
    assert history.verify() == history.verify().__class__(True, 4)


@pytest.mark.parametrize("content", [b"null\n", b"[]\n", b"5\n", b'"x"\n'])
def test_non_object_line_is_reported_not_raised(history: History, content: bytes) -> None:
    _filled(history, 3)
    lines = _lines(history)
    lines[1] = content
    _write_lines(history, lines)
    result = history.verify()
    assert not result.ok


@pytest.mark.parametrize("content", [b"[]", b"null", b"3", b'"hash"'])
def test_non_object_head_is_reported_not_raised(history: History, content: bytes) -> None:
    _filled(history, 3)
    history.head_path.write_bytes(content)
    result = history.verify()
    assert not result.ok


# --- latest_by_transaction ---------------------------------------------------------------


def test_latest_by_transaction_groups_by_hash(history: History) -> None:
    history.append({"event": "signed", "tx_hash": "0xaa", "amount": "1", "raw": "0x02f8"})
    history.append({"event": "signed", "tx_hash": "0xbb", "amount": "2", "raw": "0x02f9"})
    history.append({"event": "broadcast", "tx_hash": "0xaa"})
    history.append({"event": "confirmed", "tx_hash": "0xaa", "block": 7})
    history.append({"event": "broadcast", "tx_hash": "0xbb"})
    history.append({"event": "note"})  # no tx_hash: not a transaction row
    rows = latest_by_transaction(history.entries())
    assert len(rows) == 2
    by_hash = {row["tx_hash"]: row for row in rows}
    assert by_hash["0xaa"]["status"] == "confirmed"
    assert by_hash["0xaa"]["amount"] == "1"  # fields from earlier events are kept
    assert by_hash["0xaa"]["block"] == 7
    assert by_hash["0xbb"]["status"] == "broadcast"
    for row in rows:
        assert "prev" not in row
        assert "seq" not in row
        assert "raw" not in row


def test_latest_by_transaction_newest_first() -> None:
    entries = [
        {"event": "signed", "tx_hash": "0x01", "time": "2026-01-01T00:00:00.000+00:00"},
        {"event": "signed", "tx_hash": "0x02", "time": "2026-01-02T00:00:00.000+00:00"},
        {"event": "signed", "tx_hash": "0x03", "time": "2026-01-03T00:00:00.000+00:00"},
        {"event": "failed", "tx_hash": "0x02", "time": "2026-01-02T00:00:05.000+00:00"},
    ]
    rows = latest_by_transaction(entries)
    assert [row["tx_hash"] for row in rows] == ["0x03", "0x02", "0x01"]
    assert [row["status"] for row in rows] == ["signed", "failed", "signed"]


def test_latest_by_transaction_empty() -> None:
    assert latest_by_transaction([]) == []
    assert latest_by_transaction([{"event": "note", "tx_hash": ""}]) == []


def test_latest_by_transaction_does_not_mutate_entries() -> None:
    entries = [
        {"event": "signed", "tx_hash": "0x01", "seq": 1, "prev": GENESIS, "raw": "0x02"},
        {"event": "confirmed", "tx_hash": "0x01", "seq": 2, "prev": "ab"},
    ]
    snapshot = json.loads(json.dumps(entries))
    latest_by_transaction(entries)
    assert entries == snapshot


@pytest.mark.parametrize("mode", [0o644, 0o660, 0o606])
def test_a_journal_others_can_read_or_write_is_refused(history: History, mode: int) -> None:
    _filled(history, 2)
    history.path.chmod(mode)
    with pytest.raises(UnsafePermissions, match="chmod 600"):
        history.append({"event": "signed", "tx_hash": "0x09"})
    with pytest.raises(UnsafePermissions):
        history.entries()
    assert len(_lines(history)) == 2
