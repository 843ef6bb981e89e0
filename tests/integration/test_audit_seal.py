"""The keyed seal over the history and the audit log, on a real anvil: an attacker who can
write the files edits an amount and recomputes the whole hash chain and its head; the
unkeyed `history --verify` still says intact (as the issue found), and says it is only the
unkeyed check; with the passphrase the keyed check fails, and later unlocks keep the old
seal as evidence. The audit log records unlocks, freezes and exports; `history export`
writes the journal as CSV."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, Result, clean_env, load_vectors, run_wallet
from tests.evm_helpers import Chain

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
BOB = ANVIL[1]["address"]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
GENESIS = "0" * 64


def wallet(home: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_wallet(["--json", *args], home=home, env=clean_env(**(env or {})), timeout=120)


def send(home: Path, amount: str) -> None:
    result = wallet(home, "--yes", "send", "--to", BOB, "--amount", amount, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def rewrite(folder: Path, name: str, edit: Callable[[list[dict[str, Any]]], None]) -> None:
    """What an attacker with write access does: edit entries, then recompute every `prev`,
    `seq` and the head (count, last hash, size), exactly as the journal does."""
    path, head = folder / f"{name}.jsonl", folder / f"{name}.head"
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    edit(entries)
    prev, lines = GENESIS, []
    for number, entry in enumerate(entries, start=1):
        entry["seq"], entry["prev"] = number, prev
        line = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
        prev = hashlib.sha256(line).hexdigest()
        lines.append(line + b"\n")
    data = b"".join(lines)
    path.write_bytes(data)
    head.write_text(json.dumps({"count": len(entries), "hash": prev, "size": len(data)}))


def double_amounts(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        if entry.get("event") == "signed":
            entry["amount"] = "2"
            entry["amount_base"] = str(2 * 10**18)
            return
    raise AssertionError("no signed entry to edit")


def test_rewritten_chain_passes_unkeyed_and_fails_keyed(evm_home: Path, chain: Chain) -> None:
    send(evm_home, "1")
    send(evm_home, "0.5")  # its unlock seals the first send's entries
    seal = evm_home / "wallets" / "dev" / "seal.json"
    assert seal.exists()
    assert stat.S_IMODE(seal.stat().st_mode) == 0o600
    intact = wallet(evm_home, "history", "--verify", env=ENV)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.json()["check"] == "keyed"
    assert intact.json()["keyed"]["history"]["sealed"] >= 3

    rewrite(evm_home / "history", "dev", double_amounts)
    unkeyed = wallet(evm_home, "history", "--verify")
    assert unkeyed.returncode == 0, unkeyed.stdout
    assert (unkeyed.json()["ok"], unkeyed.json()["check"]) == (True, "unkeyed")
    text = run_wallet(["history", "--verify"], home=evm_home)
    assert "intact" in text.stdout
    assert "unkeyed check only" in text.stdout

    keyed = wallet(evm_home, "history", "--verify", env=ENV)
    assert keyed.returncode == 1, keyed.stdout
    document = keyed.json()
    assert document["ok"] is False
    assert document["keyed"]["ok"] is False
    assert "rewritten without the passphrase" in document["keyed"]["history"]["problem"]
    words = run_wallet(["history", "--verify"], home=evm_home, env=clean_env(**ENV))
    assert "keyed seal: NOT INTACT" in words.stdout

    # The owner's next unlock does not bless the rewrite: the old seal stays, they are told.
    old_seal = seal.read_bytes()
    later = wallet(evm_home, "--yes", "send", "--to", BOB, "--amount", "0.1", env=ENV)
    assert later.returncode == 0, later.stdout + later.stderr
    assert "keyed seal" in later.stderr
    assert seal.read_bytes() == old_seal
    assert wallet(evm_home, "history", "--verify", env=ENV).returncode == 1
    events = [json.loads(line)["event"] for line in (evm_home / "audit" / "dev.jsonl").open()]
    assert "seal-broken" in events


def test_forged_or_deleted_seal_fails_the_keyed_check(evm_home: Path, chain: Chain) -> None:
    send(evm_home, "1")
    send(evm_home, "0.5")
    seal = evm_home / "wallets" / "dev" / "seal.json"
    document = json.loads(seal.read_text())
    rewrite(evm_home / "history", "dev", double_amounts)
    # The forger moves the seal to the new head, with a MAC under a key of their own.
    head = json.loads((evm_home / "history" / "dev.head").read_text())
    document["history"] = head
    body = {k: v for k, v in document.items() if k != "mac"}
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    document["mac"] = hmac.new(b"guessed", data, hashlib.sha256).hexdigest()
    seal.write_text(json.dumps(document))
    forged = wallet(evm_home, "history", "--verify", env=ENV)
    assert forged.returncode == 1
    assert "MAC does not match" in forged.json()["keyed"]["problem"]
    seal.unlink()
    deleted = wallet(evm_home, "history", "--verify", env=ENV)
    assert deleted.returncode == 1
    assert "no keyed seal" in deleted.json()["keyed"]["problem"]


def test_rewritten_audit_log_fails_the_keyed_check(evm_home: Path, chain: Chain) -> None:
    assert wallet(evm_home, "freeze").returncode == 0
    assert wallet(evm_home, "unfreeze", env=ENV).returncode == 0
    send(evm_home, "1")  # seals the audit log with the freeze in it

    def erase_freezes(entries: list[dict[str, Any]]) -> None:
        entries[:] = [e for e in entries if e["event"] not in ("freeze", "unfreeze")]

    rewrite(evm_home / "audit", "dev", erase_freezes)
    assert wallet(evm_home, "history", "--verify").json()["audit"]["ok"] is True
    keyed = wallet(evm_home, "history", "--verify", env=ENV)
    assert keyed.returncode == 1
    assert keyed.json()["keyed"]["audit"]["problem"]


def test_events_after_the_seal_are_unsealed_not_tampering(evm_home: Path, chain: Chain) -> None:
    send(evm_home, "1")
    assert wallet(evm_home, "freeze").returncode == 0  # no passphrase: appended unsealed
    result = wallet(evm_home, "history", "--verify", env=ENV)
    assert result.returncode == 0, result.stdout
    keyed = result.json()["keyed"]
    assert keyed["ok"] is True
    assert keyed["audit"]["unsealed"] >= 1


def test_verify_unlock_without_any_passphrase_source_fails_cleanly(anvil_home: Path) -> None:
    result = wallet(anvil_home, "history", "--verify", "--unlock")
    assert result.returncode == 4, result.stdout
    assert result.json()["error"]["code"] == "no-passphrase"
    file = anvil_home.parent / "pw.txt"
    file.write_text(PASSPHRASE + "\n")
    by_file = wallet(anvil_home, "--passphrase-file", str(file), "history", "--verify", "--unlock")
    assert by_file.returncode == 1  # never sealed yet: nothing vouches for the log
    assert by_file.json()["check"] == "keyed"


def test_audit_log_records_unlocks_failures_and_freezes(anvil_home: Path) -> None:
    assert wallet(anvil_home, "sign-message", "hi", env=ENV).returncode == 0
    assert wallet(anvil_home, "sign-message", "hi", env={"WALLET_PASSPHRASE": "no"}).returncode
    assert wallet(anvil_home, "freeze").returncode == 0
    lines = (anvil_home / "audit" / "dev.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    events = [e["event"] for e in entries]
    assert events.index("unlock") < events.index("unlock-failed") < events.index("freeze")
    assert all(e["time"] and e["command"].startswith("wallet") for e in entries)
    assert "wallet freeze" in [e["command"] for e in entries]
    assert PASSPHRASE not in "\n".join(lines)


def test_history_export_csv(evm_home: Path, chain: Chain, tmp_path: Path) -> None:
    send(evm_home, "1.5")
    out = tmp_path / "incident.csv"
    written = wallet(evm_home, "history", "export", "--format", "csv", "--out", str(out))
    assert written.returncode == 0, written.stdout + written.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    journal = [json.loads(line) for line in (evm_home / "history" / "dev.jsonl").open()]
    assert written.json()["rows"] == len(rows) == len(journal)
    assert [r["event"] for r in rows] == [e["event"] for e in journal]
    signed = next(r for r in rows if r["event"] == "signed")
    assert (signed["amount"], signed["unit"], signed["to"]) == ("1.5", "ETH", BOB)
    assert [r["prev"] for r in rows] == [e["prev"] for e in journal]
    again = wallet(evm_home, "history", "export", "--out", str(out))
    assert again.returncode == 2
    assert again.json()["error"]["code"] == "output-exists"
    plain = run_wallet(["history", "export", "--format", "csv"], home=evm_home)
    assert plain.stdout == out.read_text()
    assert wallet(evm_home, "history", "export", "--format", "xlsx").returncode == 2
    events = [json.loads(line) for line in (evm_home / "audit" / "dev.jsonl").open()]
    assert any(e["event"] == "export" and e.get("what") == "history-csv" for e in events)


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)"])
def test_csv_cells_never_run_as_formulas(value: str) -> None:
    from wallet_cli.cli.history_verify import rows_csv

    text = rows_csv([{"seq": 1, "event": "signed", "to": value}])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["to"] == "'" + value


def test_seal_key_derivation_is_rfc_5869_hkdf() -> None:
    """RFC 5869 appendix A.1 (HKDF-SHA256, basic case), and the seal key differs per wallet
    and per secret."""
    from keystore.mnemonic import parse
    from keystore.secret import PrivateKey
    from wallet_cli.store.seal import hkdf, seal_key

    okm = hkdf(
        bytes.fromhex("0b" * 22),
        bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        42,
        salt=bytes.fromhex("000102030405060708090a0b0c"),
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )
    phrase = parse("test test test test test test test test test test test junk")
    assert seal_key(phrase, "dev") != seal_key(phrase, "other")
    assert seal_key(phrase, "dev") != seal_key(PrivateKey(b"\x01" * 32), "dev")
    assert len(seal_key(phrase, "dev")) == 32
