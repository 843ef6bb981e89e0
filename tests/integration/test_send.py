"""`wallet send` and `wallet balance` against a real anvil: nothing about the network is
mocked. Each test starts from the same snapshot of the chain (the `chain` fixture)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    ANVIL_ADDRESS_0,
    PASSPHRASE,
    WALLET_BIN,
    Devnet,
    Result,
    clean_env,
    load_vectors,
    run_wallet,
)
from tests.evm_helpers import Chain, free_port

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
BOB = ANVIL[1]["address"]
ZERO = "0x" + "0" * 40


def send(home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    environment = env if env is not None else clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    return run_wallet(["--json", "send", *args], home=home, env=environment, timeout=timeout)


def history(home: Path) -> list[dict[str, Any]]:
    path = home / "history" / "dev.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_send_eth(evm_home: Path, chain: Chain) -> None:
    before = chain.balance(BOB)
    result = send(evm_home, "--to", BOB, "--amount", "1.5")
    assert result.returncode == 0, result.stdout + result.stderr
    document = result.json()
    assert set(document) >= {
        "network",
        "chain",
        "from",
        "to",
        "amount",
        "unit",
        "tx_hash",
        "status",
        "block",
        "screening",
    }
    assert document["network"] == "devnet"
    assert document["chain"] == "evm"
    assert document["from"] == ANVIL_ADDRESS_0
    assert document["to"] == BOB
    assert (document["amount"], document["unit"]) == ("1.5", "ETH")
    assert document["status"] == "success"
    assert isinstance(document["block"], int)
    assert document["screening"]["verdict"] in ("ok", "info")
    assert chain.balance(BOB) - before == 15 * 10**17
    receipt = chain.client.call("eth_getTransactionReceipt", [document["tx_hash"]])
    assert int(receipt["status"], 16) == 1
    assert int(receipt["type"], 16) == 2
    events = [e["event"] for e in history(evm_home)]
    assert events == ["signed", "broadcast", "confirmed"]
    verify = run_wallet(["--json", "history", "--verify"], home=evm_home)
    assert verify.json()["ok"] is True


@pytest.mark.parametrize(
    ("amount", "wei"), [("20gwei", 20 * 10**9), ("1000wei", 1000), ("0.000001", 10**12)]
)
def test_amount_units(evm_home: Path, chain: Chain, amount: str, wei: int) -> None:
    before = chain.balance(BOB)
    assert send(evm_home, "--to", BOB, "--amount", amount).returncode == 0
    assert chain.balance(BOB) - before == wei


def test_dry_run_signs_but_sends_nothing(evm_home: Path, chain: Chain) -> None:
    from eth_account import Account

    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = send(evm_home, "--to", BOB, "--amount", "1", "--dry-run")
    assert result.returncode == 0
    document = result.json()
    assert document["status"] == "not-broadcast"
    assert Account.recover_transaction(document["raw_transaction"]) == ANVIL_ADDRESS_0
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert chain.client.call("eth_getTransactionByHash", [document["tx_hash"]]) is None


def test_no_wait_and_legacy(evm_home: Path, chain: Chain) -> None:
    result = send(evm_home, "--to", BOB, "--amount", "1", "--no-wait", "--legacy")
    assert result.returncode == 0
    document = result.json()
    assert document["status"] == "pending"
    receipt = chain.client.wait_for_receipts([document["tx_hash"]], 10)[document["tx_hash"]]
    assert int(receipt["type"], 16) == 0
    assert int(receipt["status"], 16) == 1


def test_token_transfer_by_address_and_symbol(evm_home: Path, chain: Chain, devnet: Devnet) -> None:
    before = chain.token_balance(devnet.token, BOB)
    by_address = send(evm_home, "--to", BOB, "--amount", "12.5", "--token", devnet.token)
    assert by_address.returncode == 0, by_address.stdout
    assert by_address.json()["unit"] == "TUSD"
    by_symbol = send(evm_home, "--to", BOB, "--amount", "0.000001", "--token", "tusd")
    assert by_symbol.returncode == 0, by_symbol.stdout
    assert chain.token_balance(devnet.token, BOB) - before == 12_500_001
    balance = run_wallet(["--json", "balance", BOB, "--token", "TUSD"], home=evm_home).json()
    assert balance["balance"] == "12.500001"
    assert balance["base_units"] == str(12_500_001 + before)


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (
            ["--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C", "--amount", "1"],
            "invalid-address",
            "39",
        ),
        (
            ["--to", "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", "--amount", "1"],
            "invalid-address",
            "EIP-55",
        ),
        (
            ["--to", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "--amount", "1"],
            "invalid-address",
            "Bitcoin",
        ),
        (["--to", BOB, "--amount", "-1"], "invalid-amount", "negative"),
        (["--to", BOB, "--amount", "0"], "invalid-amount", "more than zero"),
        (["--to", BOB, "--amount", "lots"], "invalid-amount", "not a number"),
        (["--to", BOB, "--amount", "0.0000000000000000001"], "invalid-amount", "19 decimals"),
        (["--to", BOB, "--amount", "1.0000001", "--token", "TUSD"], "invalid-amount", "at most 6"),
        (["--to", BOB, "--amount", "1", "--token", "DOGE"], "unknown-token", "DOGE"),
        (["--to", BOB, "--amount", "1", "--token", BOB], "unknown-token", "no contract code"),
        (["--to", BOB, "--amount", "2000000", "--token", "TUSD"], "insufficient-funds", "holds"),
        (["--to", BOB, "--amount", "10001"], "insufficient-funds", "holds"),
    ],
)
def test_bad_input_sends_nothing(
    evm_home: Path, chain: Chain, args: list[str], code: str, needle: str
) -> None:
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = send(evm_home, *args)
    assert result.returncode == 2, result.stdout
    error = result.json()["error"]
    assert error["code"] == code
    assert needle in error["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert history(evm_home) == []


def test_balance_too_low_for_value_plus_fee(evm_home: Path, chain: Chain) -> None:
    poor = run_wallet(["--json", "address", "--index", "12"], home=evm_home).json()
    address = poor["addresses"][0]["address"]
    assert chain.balance(address) == 0
    assert send(evm_home, "--to", address, "--amount", "1").returncode == 0
    result = send(evm_home, "--index", "12", "--to", BOB, "--amount", "1")
    assert result.returncode == 2
    assert "value plus the fee cap" in result.json()["error"]["message"]


def test_node_down_is_exit_6_quickly(anvil_home: Path) -> None:
    port = free_port()
    run_wallet(
        [
            "network",
            "add",
            "down",
            "--chain",
            "evm",
            "--rpc",
            f"http://127.0.0.1:{port}",
            "--chain-id",
            "31337",
        ],
        home=anvil_home,
    )
    started = time.monotonic()
    result = send(
        anvil_home,
        "--to",
        BOB,
        "--amount",
        "1",
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_NETWORK="down"),
    )
    assert result.returncode == 6
    assert result.json()["error"]["code"] == "node-unreachable"
    assert time.monotonic() - started < 15
    assert history(anvil_home) == []


def test_chain_id_mismatch_signs_nothing(evm_home: Path, chain: Chain, devnet: Devnet) -> None:
    run_wallet(
        [
            "network",
            "add",
            "fake-mainnet",
            "--chain",
            "evm",
            "--rpc",
            devnet.url,
            "--chain-id",
            "1",
        ],
        home=evm_home,
    )
    result = send(
        evm_home,
        "--to",
        BOB,
        "--amount",
        "1",
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_NETWORK="fake-mainnet"),
    )
    assert result.returncode == 6
    error = result.json()["error"]
    assert error["code"] == "chain-id-mismatch"
    assert "31337" in error["message"]
    assert history(evm_home) == []


def test_revert_is_caught_before_signing(evm_home: Path, chain: Chain, devnet: Devnet) -> None:
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = send(evm_home, "--to", devnet.reverter, "--amount", "1")
    assert result.returncode == 1
    assert "Reverter: no ether accepted" in result.json()["error"]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_revert_on_chain_is_status_failed_with_reason(
    evm_home: Path, chain: Chain, devnet: Devnet
) -> None:
    result = run_wallet(
        [
            "--json",
            "--yes",
            "send",
            "--to",
            devnet.reverter,
            "--amount",
            "1",
            "--gas-limit",
            "100000",
        ],
        home=evm_home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert result.returncode == 1
    document = result.json()
    assert document["status"] == "failed"
    assert "Reverter: no ether accepted" in document["reason"]
    assert history(evm_home)[-1]["event"] == "failed"


def test_screening_block_gets_no_signature(evm_home: Path, chain: Chain) -> None:
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = send(evm_home, "--to", ZERO, "--amount", "1")
    assert result.returncode == 3
    error = result.json()["error"]
    assert error["code"] == "screening-blocked"
    assert error["screening"]["verdict"] == "block"
    assert error["screening"]["findings"][0]["rule"] == "zero-address"
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert history(evm_home) == []


def test_allow_overrides_a_block_and_is_recorded(evm_home: Path, chain: Chain) -> None:
    result = send(evm_home, "--to", ZERO, "--amount", "1wei", "--allow", "zero-address")
    assert result.returncode == 0, result.stdout
    assert "DANGER" in result.stderr
    signed = [e for e in history(evm_home) if e["event"] == "signed"]
    assert signed[0]["allowed_blocks"] == ["zero-address"]


def test_concurrent_sends_never_reuse_a_nonce(evm_home: Path, chain: Chain) -> None:
    start = chain.nonce(ANVIL_ADDRESS_0)
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_HOME=str(evm_home))
    procs = [
        subprocess.Popen(
            [WALLET_BIN, "--json", "send", "--to", BOB, "--amount", f"0.{i + 1}", "--no-wait"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        for i in range(4)
    ]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), outputs
    nonces = sorted(json.loads(out)["nonce"] for out, _ in outputs)
    assert nonces == list(range(start, start + 4))
    hashes = [json.loads(out)["tx_hash"] for out, _ in outputs]
    receipts = chain.client.wait_for_receipts(hashes, 20)
    assert all(int(r["status"], 16) == 1 for r in receipts.values())
    assert len(receipts) == 4


def test_read_commands_need_no_passphrase(evm_home: Path, chain: Chain) -> None:
    balance = run_wallet(["--json", "balance"], home=evm_home)
    assert balance.returncode == 0
    assert balance.json()["address"] == ANVIL_ADDRESS_0
    assert balance.json()["asset"] == "ETH"
    assert run_wallet(["history"], home=evm_home).returncode == 0
