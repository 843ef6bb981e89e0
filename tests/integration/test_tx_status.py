"""Transactions sent with --no-wait are settled later from the node's receipts: `wallet tx
status HASH` for one, `wallet history --refresh` for all, each recorded once in history
through its normal append. A node that lies about a receipt is exit 6, history untouched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, Devnet, Result, clean_env, run_wallet
from tests.evm_helpers import Chain
from tests.lying_proxy import LyingProxy, lying_proxy

BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def wallet(home: Path, *args: str) -> Result:
    return run_wallet(["--json", *args], home=home, env=clean_env(WALLET_PASSPHRASE=PASSPHRASE))


def send_no_wait(home: Path, *args: str) -> str:
    sent = wallet(home, "--yes", "send", "--no-wait", *args)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.json()["status"] == "pending"
    tx_hash: str = sent.json()["tx_hash"]
    return tx_hash


def journal(home: Path) -> list[dict[str, Any]]:
    path = home / "history" / "dev.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def finals(home: Path, tx_hash: str) -> list[str]:
    return [
        e["event"]
        for e in journal(home)
        if e.get("tx_hash") == tx_hash and e["event"] in ("confirmed", "failed")
    ]


@pytest.fixture
def unmined(chain: Chain) -> Iterator[Chain]:
    """Automine off for the test's sends; `mine()` below mines and turns it back on."""
    chain.client.call("evm_setAutomine", [False])
    try:
        yield chain
    finally:
        chain.client.call("evm_setAutomine", [True])


def mine(chain: Chain) -> int:
    """Mine the pending transactions into one block; its number."""
    chain.client.call("evm_mine")
    block = int(chain.client.call("eth_blockNumber"), 16)
    chain.client.call("evm_setAutomine", [True])
    return block


def test_tx_status_settles_a_no_wait_send_once(evm_home: Path, unmined: Chain) -> None:
    tx_hash = send_no_wait(evm_home, "--to", BOB, "--amount", "0.5")
    pending = wallet(evm_home, "tx", "status", tx_hash)
    assert pending.returncode == 0, pending.stdout + pending.stderr
    assert pending.json() == {
        "network": "devnet",
        "tx_hash": tx_hash,
        "status": "pending",
        "block": None,
        "in_history": True,
        "history_updated": False,
    }
    block = mine(unmined)
    done = wallet(evm_home, "tx", "status", tx_hash.upper().replace("0X", "0x")).json()
    assert (done["status"], done["block"], done["history_updated"]) == ("success", block, True)
    assert finals(evm_home, tx_hash) == ["confirmed"]
    again = wallet(evm_home, "tx", "status", tx_hash).json()
    assert (again["status"], again["history_updated"]) == ("success", False)
    assert finals(evm_home, tx_hash) == ["confirmed"]  # recorded once
    rows = wallet(evm_home, "history").json()["transactions"]
    assert (rows[0]["status"], rows[0]["block"]) == ("confirmed", block)
    assert wallet(evm_home, "history", "--verify").json()["ok"]
    text = run_wallet(["tx", "status", tx_hash], home=evm_home)
    assert text.stdout.startswith(f"{tx_hash} on devnet: success in block {block}")
    assert "None" not in text.stdout


def test_tx_status_of_a_reverted_send_and_of_strangers(
    evm_home: Path, unmined: Chain, devnet: Devnet
) -> None:
    args = ["--to", devnet.reverter, "--amount", "1", "--gas-limit", "100000"]
    tx_hash = send_no_wait(evm_home, *args)
    mine(unmined)
    failed = wallet(evm_home, "tx", "status", tx_hash).json()
    assert (failed["status"], failed["reason"], failed["history_updated"]) == (
        "failed",
        "reverted",
        True,
    )
    assert finals(evm_home, tx_hash) == ["failed"]
    unknown = wallet(evm_home, "tx", "status", "0x" + "ab" * 32)
    assert unknown.returncode == 0
    assert unknown.json()["status"] == "not-found"
    assert unknown.json()["in_history"] is False
    for bad in ("0x1234", "ab" * 32, "0x" + "zz" * 32):
        refused = wallet(evm_home, "tx", "status", bad)
        assert refused.returncode == 2, bad
        assert refused.json()["error"]["code"] == "bad-input"


def test_history_refresh_settles_every_pending_send(evm_home: Path, unmined: Chain) -> None:
    hashes = [send_no_wait(evm_home, "--to", BOB, "--amount", a) for a in ("0.1", "0.2")]
    before = wallet(evm_home, "history", "--refresh").json()
    assert before["refreshed"] == {
        "network": "devnet",
        "checked": 2,
        "updated": 0,
        "pending": 2,
        "not_found": 0,
    }
    assert [r["status"] for r in before["transactions"]] == ["broadcast", "broadcast"]
    block = mine(unmined)
    after = wallet(evm_home, "history", "--refresh").json()
    assert after["refreshed"]["updated"] == 2
    assert {r["tx_hash"]: (r["status"], r["block"]) for r in after["transactions"]} == {
        h: ("confirmed", block) for h in hashes
    }
    assert wallet(evm_home, "history", "--refresh").json()["refreshed"]["checked"] == 0
    assert all(finals(evm_home, h) == ["confirmed"] for h in hashes)
    assert wallet(evm_home, "history", "--verify").json()["ok"]

    text = run_wallet(["history"], home=evm_home)
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["TIME", "STATUS", "NETWORK", "AMOUNT", "TO", "BLOCK", "TX"]
    assert len(lines) == 3
    assert all("confirmed" in line for line in lines[1:])
    assert "None" not in text.stdout + text.stderr


@pytest.fixture
def proxy(devnet: Devnet, chain: Chain) -> Iterator[LyingProxy]:
    with lying_proxy(devnet.url) as lying:
        yield lying


@pytest.mark.parametrize(
    ("field", "value"),
    [("blockNumber", "0xnothex"), ("status", None), ("transactionHash", "0x" + "11" * 32)],
)
def test_a_lying_receipt_is_exit_6_and_history_is_untouched(
    evm_home: Path,
    unmined: Chain,
    devnet: Devnet,
    proxy: LyingProxy,
    field: str,
    value: object,
) -> None:
    tx_hash = send_no_wait(evm_home, "--to", BOB, "--amount", "0.5")
    mine(unmined)
    config = evm_home / "config.toml"
    config.write_text(config.read_text().replace(f'rpc = "{devnet.url}"', f'rpc = "{proxy.url}"'))
    proxy.lie("eth_getTransactionReceipt", value, field)
    entries = len(journal(evm_home))
    for args in (["tx", "status", tx_hash], ["history", "--refresh"]):
        result = wallet(evm_home, *args)
        assert result.returncode == 6, result.stdout + result.stderr
        assert result.json()["error"]["code"] == "malformed-reply"
        assert "eth_getTransactionReceipt" in result.json()["error"]["message"]
    assert len(journal(evm_home)) == entries
    assert finals(evm_home, tx_hash) == []
