"""Ctrl-C during `wallet batch`, as a real SIGINT to the real process: it says what was
done and how to resume, exits 130, and running the same command again pays no row twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, WALLET_BIN, clean_env, load_vectors
from tests.evm_helpers import Chain

PAYEES = [v["address"] for v in load_vectors("anvil_accounts.json")["vectors"][7:10]]


def start(home: Path, stderr: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [WALLET_BIN, *args],
        stdout=subprocess.PIPE,
        stderr=stderr.open("w"),
        text=True,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_HOME=str(home)),
        start_new_session=True,
    )


def until(
    process: subprocess.Popen[str], condition: Callable[[], bool], what: str, limit: float = 60
) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert process.poll() is None, f"the batch ended before {what}: {process.returncode}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def interrupt(process: subprocess.Popen[str]) -> str:
    os.kill(process.pid, signal.SIGINT)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 130, stdout
    return stdout


def write_rows(tmp_path: Path) -> Path:
    path = tmp_path / "pay.csv"
    path.write_text("to,amount\n" + "".join(f"{a},0.{i + 1}\n" for i, a in enumerate(PAYEES)))
    return path


def test_ctrl_c_before_signing_says_nothing_was_sent(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    """The run waits for the account lock (held here); Ctrl-C there signs nothing."""
    from wallet_cli.store.home import Home

    csv_path, errors = write_rows(tmp_path), tmp_path / "stderr.txt"
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    with Home(evm_home).account_lock(f"evm-31337-{ANVIL_ADDRESS_0}"):
        process = start(evm_home, errors, "--yes", "batch", str(csv_path))
        until(process, lambda: "waiting for the account" in errors.read_text(), "the lock wait")
        assert interrupt(process) == ""
    text = errors.read_text()
    assert "error: interrupted before anything was signed; nothing was sent" in text
    assert "run the same command again (on the same file) to resume" in text
    assert "Traceback" not in text
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    journal = evm_home / "history" / "dev.jsonl"
    assert not journal.exists() or journal.read_text() == ""


def test_ctrl_c_while_waiting_for_receipts_then_resume_pays_once(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    csv_path, errors = write_rows(tmp_path), tmp_path / "stderr.txt"
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    before = {a: chain.balance(a) for a in PAYEES}
    journal = evm_home / "history" / "dev.jsonl"

    def broadcast() -> int:
        if not journal.exists():
            return 0
        return sum('"event":"broadcast"' in line for line in journal.read_text().splitlines())

    chain.client.call("evm_setAutomine", [False])
    try:
        args = ["--json", "--yes", "batch", str(csv_path), "--run-id", "2026-12"]
        process = start(evm_home, errors, *args)
        until(process, lambda: broadcast() == 3, "three broadcast entries")
        stdout = interrupt(process)
        assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 3  # in the node's pool, unmined
    finally:
        chain.client.call("evm_setAutomine", [True])
        chain.client.call("evm_mine")
    assert len(stdout.splitlines()) == 1, stdout
    error = json.loads(stdout)["error"]
    assert (error["code"], error["exit"]) == ("interrupted", 130)
    assert "signed and recorded in history: rows 2-4" in error["message"]
    assert "sent: rows 2-4" in error["message"]
    assert "with --run-id 2026-12" in error["message"]
    assert (error["summary"]["sent"], error["summary"]["pending"]) == (3, 3)
    assert [r["status"] for r in error["results"]] == ["pending"] * 3
    assert "Traceback" not in errors.read_text()

    again = subprocess.run(
        [WALLET_BIN, "--json", "--yes", "batch", str(csv_path), "--run-id", "2026-12"],
        capture_output=True,
        text=True,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_HOME=str(evm_home)),
        timeout=60,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    results = json.loads(again.stdout)["results"]
    assert [(r["status"], r["skipped"], r["rebroadcast"]) for r in results] == [
        ("success", True, False)
    ] * 3
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 3
    for i, address in enumerate(PAYEES):
        assert chain.balance(address) - before[address] == (i + 1) * 10**17
