"""`wallet tx speed-up` and `wallet tx cancel` on a real anvil with mining paused, so the
original is really stuck: the replacement takes its nonce, the original is never mined,
the recipient is paid once (speed-up) or not at all (cancel), and history says so."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    ANVIL_ADDRESS_0,
    PASSPHRASE,
    Result,
    clean_env,
    load_vectors,
    run_wallet,
)
from tests.evm_helpers import Chain

BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
UNKNOWN = "0x" + "ab" * 32


def wallet(home: Path, *args: str) -> Result:
    return run_wallet(["--json", *args], home=home, env=clean_env(WALLET_PASSPHRASE=PASSPHRASE))


def send_no_wait(home: Path, *args: str) -> str:
    sent = wallet(home, "--yes", "send", "--no-wait", *args)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    tx_hash: str = sent.json()["tx_hash"]
    return tx_hash


def journal(home: Path, name: str = "dev") -> list[dict[str, Any]]:
    path = home / "history" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def on_chain(chain: Chain, tx_hash: str) -> Any:
    return chain.client.call("eth_getTransactionByHash", [tx_hash])


@pytest.fixture
def unmined(chain: Chain) -> Iterator[Chain]:
    """Automine off for the test; back on (and checked) whatever happens."""
    chain.client.call("evm_setAutomine", [False])
    try:
        yield chain
    finally:
        chain.client.call("evm_setAutomine", [True])
        assert chain.client.call("anvil_getAutomine") is True


def mine_once_replaced(chain: Chain, original: str) -> threading.Thread:
    """Mine one block as soon as the node has dropped `original` for its replacement."""

    def run() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and on_chain(chain, original) is not None:
            time.sleep(0.05)
        chain.client.call("evm_mine")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def error_of(result: Result) -> dict[str, Any]:
    error: dict[str, Any] = result.json()["error"]
    return error


def test_speed_up_takes_the_nonce_and_pays_once(evm_home: Path, unmined: Chain) -> None:
    before = unmined.balance(BOB)
    original = send_no_wait(evm_home, "--to", BOB, "--amount", "0.5")
    was = on_chain(unmined, original)
    faster = wallet(evm_home, "--yes", "tx", "speed-up", original, "--no-wait")
    assert faster.returncode == 0, faster.stdout + faster.stderr
    document = faster.json()
    assert (document["replaces"], document["kind"], document["status"]) == (
        original,
        "speed-up",
        "pending",
    )
    assert (document["to"], document["amount"], document["unit"]) == (BOB, "0.5", "ETH")
    new = document["tx_hash"]
    replacement = on_chain(unmined, new)
    assert on_chain(unmined, original) is None  # the node dropped it for the replacement
    assert replacement["nonce"] == was["nonce"]
    assert (replacement["to"].lower(), replacement["value"]) == (BOB.lower(), was["value"])
    for key in ("maxFeePerGas", "maxPriorityFeePerGas"):
        assert int(replacement[key], 16) * 100 >= int(was[key], 16) * 125, key
    assert int(document["max_fee_per_gas"]) == int(replacement["maxFeePerGas"], 16)
    assert int(document["previous_max_fee_per_gas"]) == int(was["maxFeePerGas"], 16)

    unmined.client.call("evm_mine")
    assert unmined.client.call("eth_getTransactionReceipt", [original]) is None
    receipt = unmined.client.call("eth_getTransactionReceipt", [new])
    assert int(receipt["status"], 16) == 1
    assert unmined.balance(BOB) - before == 5 * 10**17  # paid once
    assert unmined.nonce(ANVIL_ADDRESS_0) == int(was["nonce"], 16) + 1

    settled = wallet(evm_home, "tx", "status", new)
    assert settled.json()["history_updated"] is True
    signed = [e for e in journal(evm_home) if e["event"] == "signed" and e["tx_hash"] == new]
    assert (signed[0]["replaces"], signed[0]["kind"]) == (original, "speed-up")
    replaced = [e for e in journal(evm_home) if e["event"] == "replaced"]
    assert [(e["tx_hash"], e["by"]) for e in replaced] == [(original, new)]
    rows = {r["tx_hash"]: r for r in wallet(evm_home, "history").json()["transactions"]}
    assert (rows[original]["status"], rows[new]["status"]) == ("replaced", "confirmed")
    again = wallet(evm_home, "--yes", "tx", "speed-up", original)
    assert again.returncode == 2
    assert error_of(again)["code"] == "tx-already-mined"


def test_cancel_pays_nothing_and_spends_the_nonce(evm_home: Path, unmined: Chain) -> None:
    before = unmined.balance(BOB)
    nonce = unmined.nonce(ANVIL_ADDRESS_0)
    original = send_no_wait(evm_home, "--to", BOB, "--amount", "0.5")
    miner = mine_once_replaced(unmined, original)
    cancelled = wallet(evm_home, "tx", "cancel", original, "--timeout", "30")  # no --yes
    miner.join()
    assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
    document = cancelled.json()
    assert (document["kind"], document["status"], document["nonce"]) == ("cancel", "success", nonce)
    assert (document["to"], document["amount"]) == (ANVIL_ADDRESS_0, "0")
    mined = on_chain(unmined, document["tx_hash"])
    assert (mined["to"].lower(), int(mined["value"], 16), mined["input"]) == (
        ANVIL_ADDRESS_0.lower(),
        0,
        "0x",
    )
    assert unmined.client.call("eth_getTransactionReceipt", [original]) is None
    assert unmined.balance(BOB) == before
    assert unmined.nonce(ANVIL_ADDRESS_0) == nonce + 1
    events = [(e["event"], e["tx_hash"]) for e in journal(evm_home)]
    assert ("replaced", original) in events
    assert ("confirmed", document["tx_hash"]) in events


def test_a_speed_up_of_a_speed_up_marks_both_replaced(evm_home: Path, unmined: Chain) -> None:
    original = send_no_wait(evm_home, "--to", BOB, "--amount", "0.2")
    first = wallet(evm_home, "--yes", "tx", "speed-up", original, "--no-wait").json()["tx_hash"]
    miner = mine_once_replaced(unmined, first)
    second = wallet(evm_home, "--yes", "tx", "speed-up", first, "--fee-multiplier", "2")
    miner.join()
    assert second.returncode == 0, second.stdout + second.stderr
    assert (second.json()["replaces"], second.json()["status"]) == (first, "success")
    rows = {r["tx_hash"]: r for r in wallet(evm_home, "history").json()["transactions"]}
    assert [rows[h]["status"] for h in (original, first)] == ["replaced", "replaced"]
    assert rows[original]["by"] == rows[first]["by"] == second.json()["tx_hash"]
    bad = wallet(evm_home, "--yes", "tx", "speed-up", first, "--fee-multiplier", "1.05")
    assert (bad.returncode, error_of(bad)["code"]) == (2, "bad-input")


def test_refused_unknown_hash_other_network_and_bitcoin(evm_home: Path, chain: Chain) -> None:
    unknown = wallet(evm_home, "--yes", "tx", "speed-up", UNKNOWN)
    assert unknown.returncode == 2
    assert error_of(unknown)["code"] == "tx-not-ours"
    bad = wallet(evm_home, "--yes", "tx", "cancel", "0x1234")
    assert (bad.returncode, error_of(bad)["code"]) == (2, "bad-input")
    regtest = ["--network", "bitcoin-regtest", "--yes", "tx"]
    for command in ("speed-up", "cancel"):
        # An EVM hash is not a Bitcoin txid; a txid this wallet never sent is not ours.
        evm_hash = wallet(evm_home, *regtest, command, UNKNOWN)
        assert evm_hash.returncode == 2, evm_hash.stdout + evm_hash.stderr
        assert error_of(evm_hash)["code"] == "bad-input"
        assert "Bitcoin txid" in error_of(evm_hash)["message"]
        txid = wallet(evm_home, *regtest, command, UNKNOWN[2:])
        assert (txid.returncode, error_of(txid)["code"]) == (2, "tx-not-ours")


def test_refused_when_already_mined(evm_home: Path, chain: Chain) -> None:
    sent = wallet(evm_home, "--yes", "send", "--to", BOB, "--amount", "0.1")
    assert sent.json()["status"] == "success"
    for command in ("speed-up", "cancel"):
        refused = wallet(evm_home, "--yes", "tx", command, sent.json()["tx_hash"])
        assert refused.returncode == 2
        assert error_of(refused)["code"] == "tx-already-mined"
        assert "success" in error_of(refused)["message"]


def test_refused_mined_unknown_to_history(evm_home: Path, unmined: Chain) -> None:
    """History still says pending (--no-wait); the node's receipt refuses, and is recorded."""
    original = send_no_wait(evm_home, "--to", BOB, "--amount", "0.1")
    unmined.client.call("evm_mine")
    refused = wallet(evm_home, "--yes", "tx", "speed-up", original)
    assert refused.returncode == 2
    assert error_of(refused)["code"] == "tx-already-mined"
    assert ("confirmed", original) in [(e["event"], e["tx_hash"]) for e in journal(evm_home)]


def test_refused_hash_of_another_wallet(evm_home: Path, unmined: Chain) -> None:
    key = load_vectors("anvil_accounts.json")["vectors"][1]["private_key"]
    made = run_wallet(
        ["import-key", "--name", "other"],
        home=evm_home,
        stdin=key + "\n",
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert made.returncode == 0, made.stderr
    theirs = send_no_wait(evm_home, "--wallet", "other", "--to", ANVIL_ADDRESS_0, "--amount", "1")
    refused = wallet(evm_home, "--wallet", "dev", "--yes", "tx", "cancel", theirs)
    assert refused.returncode == 2
    assert error_of(refused)["code"] == "tx-not-ours"
    assert on_chain(unmined, theirs) is not None  # untouched
    mine = send_no_wait(evm_home, "--wallet", "dev", "--to", BOB, "--amount", "0.1")
    added = wallet(
        evm_home,
        "network",
        "add",
        "twin",
        "--chain",
        "evm",
        "--rpc",
        unmined.url,
        "--chain-id",
        "31337",
    )
    assert added.returncode == 0, added.stdout + added.stderr
    elsewhere = wallet(evm_home, "--wallet", "dev", "--network", "twin", "tx", "speed-up", mine)
    assert elsewhere.returncode == 2
    assert error_of(elsewhere)["code"] == "tx-not-ours"
    assert "--network devnet" in error_of(elsewhere)["message"]


def test_raise_above_the_ceiling_needs_explicit_fees(evm_home: Path, unmined: Chain) -> None:
    original = send_no_wait(evm_home, "--to", BOB, "--amount", "0.1")
    cap = int(on_chain(unmined, original)["maxFeePerGas"], 16)
    config = evm_home / "config.toml"
    text = config.read_text().replace(
        "devnet = true\n", f'devnet = true\nmax-fee-per-gas = "{cap + 1}wei"\n'
    )
    config.write_text(text)
    refused = wallet(evm_home, "--yes", "tx", "speed-up", original)
    assert refused.returncode == 6
    assert error_of(refused)["code"] == "fee-above-ceiling"
    low = wallet(evm_home, "--yes", "tx", "speed-up", original, "--max-fee-per-gas", f"{cap}wei")
    assert low.returncode == 2
    assert "+10%" in error_of(low)["message"]
    assert on_chain(unmined, original) is not None  # nothing replaced it
    given = f"{cap * 2}wei"
    explicit = wallet(
        evm_home, "--yes", "tx", "speed-up", original, "--max-fee-per-gas", given, "--no-wait"
    )
    assert explicit.returncode == 0, explicit.stdout + explicit.stderr
    assert int(explicit.json()["max_fee_per_gas"]) == cap * 2
    unmined.client.call("evm_mine")
    shown = wallet(evm_home, "history", "--refresh").json()
    assert shown["refreshed"]["updated"] == 1
    rows = {r["tx_hash"]: r["status"] for r in shown["transactions"]}
    assert rows == {original: "replaced", explicit.json()["tx_hash"]: "confirmed"}
