"""A node that lies, stalls or floods (tests/lying_proxy.py, in front of the real anvil):
for each way, `wallet --yes send --amount 1wei` is refused cleanly within its deadline, with
one line and no traceback, and the chain shows nothing sent (the sender's nonce is unchanged).

The home's devnet points at the proxy with `rpc-timeout = 2`, so every call to the node has
a 2 s overall deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, Devnet, Result, clean_env, run_wallet
from tests.evm_helpers import Chain
from tests.lying_proxy import GWEI, LyingProxy, lying_proxy

BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
DEADLINE = 2.0
SLACK = 4.0  # process start-up, import and the first calls, on a busy machine
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def proxy(devnet: Devnet, chain: Chain) -> Iterator[LyingProxy]:
    with lying_proxy(devnet.url) as lying:
        yield lying


def use_proxy(home: Path, proxy: LyingProxy, extra: str = "") -> Path:
    config = home / "config.toml"
    config.write_text(
        config.read_text()
        + f'\n[networks.devnet]\nchain = "evm"\nrpc = "{proxy.url}"\nchain_id = 31337\n'
        + f"devnet = true\nrpc-timeout = {DEADLINE}\n{extra}"
    )
    return home


def send(home: Path, *args: str, yes: bool = True, timeout: float = 30) -> tuple[Result, float]:
    command = ["--json", *(["--yes"] if yes else []), "send", "--to", BOB, "--amount", "1wei"]
    started = time.monotonic()
    result = run_wallet([*command, *args], home=home, env=clean_env(**ENV), timeout=timeout)
    return result, time.monotonic() - started


def refused(result: Result, code: str, exit_code: int = 6) -> str:
    """The error's one-line message, after checking its code and exit status."""
    assert result.returncode == exit_code, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    error: dict[str, Any] = result.json()["error"]
    assert error["code"] == code, error
    message: str = error["message"]
    assert "\n" not in message
    assert "unexpected" not in message
    return message


@pytest.mark.parametrize(
    ("method", "field", "value", "args", "needles"),
    [
        ("eth_maxPriorityFeePerGas", None, hex(5000 * GWEI), [], ["priority fee of 5000 gwei"]),
        ("eth_getBlockByNumber", "baseFeePerGas", hex(2000 * GWEI), [], ["base fee of 2000"]),
        ("eth_gasPrice", None, hex(3000 * GWEI), ["--legacy"], ["gas price of 3000 gwei"]),
        ("eth_estimateGas", None, hex(10**9), [], ["1,000,000,000 gas", "more than a block"]),
    ],
)
def test_an_inflated_fee_quote_is_refused(
    anvil_home: Path,
    chain: Chain,
    proxy: LyingProxy,
    method: str,
    field: str | None,
    value: str,
    args: list[str],
    needles: list[str],
) -> None:
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.lie(method, value, field)
    result, _ = send(home, *args)
    message = refused(result, "fee-above-ceiling")
    for needle in needles:
        assert needle in message, message
    assert "nothing was signed" in message
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_base_plus_priority_fee_above_the_ceiling_is_refused(
    anvil_home: Path, chain: Chain, proxy: LyingProxy
) -> None:
    """Each below 1000 gwei, together above: the transaction could not be included under it."""
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.lie("eth_getBlockByNumber", hex(600 * GWEI), "baseFeePerGas")
    proxy.lie("eth_maxPriorityFeePerGas", hex(500 * GWEI))
    message = refused(send(home)[0], "fee-above-ceiling")
    assert "plus a priority fee of 500 gwei" in message
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_an_inflated_gas_estimate_is_held_under_max_fee(
    anvil_home: Path, chain: Chain, proxy: LyingProxy
) -> None:
    home = use_proxy(anvil_home, proxy, 'max-fee = "0.001"\n')
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.lie("eth_estimateGas", hex(5_000_000))
    message = refused(send(home)[0], "fee-above-ceiling")
    assert "5,000,000 gas" in message
    assert "above max-fee 0.001 ETH" in message
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_a_network_ceiling_can_be_raised_in_config(
    anvil_home: Path, chain: Chain, proxy: LyingProxy
) -> None:
    home = use_proxy(anvil_home, proxy, 'max-fee-per-gas = "6000gwei"\nmax-fee = "1"\n')
    proxy.lie("eth_maxPriorityFeePerGas", hex(5000 * GWEI))
    result, _ = send(home)
    assert result.returncode == 0, result.stdout
    tx = chain.client.call("eth_getTransactionByHash", [result.json()["tx_hash"]])
    assert int(tx["maxPriorityFeePerGas"], 16) == 5000 * GWEI
    assert int(tx["maxFeePerGas"], 16) <= 6000 * GWEI


def test_explicit_fees_skip_an_inflating_node(
    anvil_home: Path, chain: Chain, proxy: LyingProxy
) -> None:
    home = use_proxy(anvil_home, proxy)
    proxy.lie("eth_maxPriorityFeePerGas", hex(5000 * GWEI))
    proxy.lie("eth_getBlockByNumber", hex(2000 * GWEI), "baseFeePerGas")
    result, _ = send(home, "--max-fee-per-gas", "10gwei", "--priority-fee", "1.5gwei")
    assert result.returncode == 0, result.stdout
    assert result.json()["status"] == "success"
    tx = chain.client.call("eth_getTransactionByHash", [result.json()["tx_hash"]])
    assert int(tx["maxFeePerGas"], 16) == 10 * GWEI
    assert int(tx["maxPriorityFeePerGas"], 16) == 15 * GWEI // 10
    legacy, _ = send(home, "--legacy", "--max-fee-per-gas", "7")
    assert legacy.returncode == 0, legacy.stdout
    tx = chain.client.call("eth_getTransactionByHash", [legacy.json()["tx_hash"]])
    assert int(tx["gasPrice"], 16) == 7 * GWEI


def test_explicit_fees_are_still_held_under_max_fee(
    anvil_home: Path, chain: Chain, proxy: LyingProxy
) -> None:
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result, _ = send(home, "--max-fee-per-gas", "10000gwei", "--priority-fee", "1gwei")
    message = refused(result, "fee-above-ceiling")
    assert "above max-fee 0.1 ETH" in message
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--max-fee-per-gas", "lots"], "is not a gas price like 500gwei"),
        (["--max-fee-per-gas", "0"], "more than zero"),
        (["--max-fee-per-gas", "1gwei", "--priority-fee", "2gwei"], "cannot be more"),
        (["--legacy", "--priority-fee", "1gwei"], "EIP-1559"),
        (["--gas-limit", "-5"], "--gas-limit"),
        (["--gas-limit", "0"], "--gas-limit"),
        (["--gas-limit", "40000000"], "--gas-limit"),
    ],
)
def test_bad_fee_and_gas_options_are_exit_2_before_any_call(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, args: list[str], needle: str
) -> None:
    home = use_proxy(anvil_home, proxy)
    result, _ = send(home, *args)
    assert result.returncode == 2, result.stdout
    assert needle in result.json()["error"]["message"]
    assert proxy.seen == []


@pytest.mark.parametrize(
    ("method", "field", "value", "args", "needles"),
    [
        ("eth_chainId", None, None, [], ["eth_chainId", "chain id", "None"]),
        ("eth_chainId", None, "0xzz", [], ["eth_chainId", "chain id", "0xzz"]),
        ("eth_getTransactionCount", None, None, [], ["eth_getTransactionCount", "nonce"]),
        ("eth_getBalance", None, 12345, [], ["eth_getBalance", "balance", "12345"]),
        ("eth_maxPriorityFeePerGas", None, "lots", [], ["eth_maxPriorityFeePerGas", "priority"]),
        ("eth_getBlockByNumber", "baseFeePerGas", "0xnothex", [], ["baseFeePerGas"]),
        ("eth_getBlockByNumber", None, None, [], ["eth_getBlockByNumber", "not a block"]),
        ("eth_gasPrice", None, [1], ["--legacy"], ["eth_gasPrice", "gas price"]),
        ("eth_estimateGas", None, None, [], ["eth_estimateGas", "gas"]),
        ("eth_estimateGas", None, "0x" + "f" * 65, [], ["eth_estimateGas", "gas"]),
    ],
)
def test_a_malformed_value_is_exit_6_naming_method_and_field(
    anvil_home: Path,
    chain: Chain,
    proxy: LyingProxy,
    method: str,
    field: str | None,
    value: Any,
    args: list[str],
    needles: list[str],
) -> None:
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.lie(method, value, field)
    message = refused(send(home, *args)[0], "malformed-reply")
    for needle in needles:
        assert needle in message, message
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_a_malformed_receipt_is_exit_6_naming_the_field(
    anvil_home: Path, chain: Chain, proxy: LyingProxy
) -> None:
    home = use_proxy(anvil_home, proxy)
    proxy.lie("eth_getTransactionReceipt", "soon", "blockNumber")
    message = refused(send(home)[0], "malformed-reply")
    assert "eth_getTransactionReceipt" in message
    assert "blockNumber" in message


@pytest.mark.parametrize("methods", [None, {"eth_getTransactionCount"}])
def test_a_trickling_node_is_cut_off_at_the_deadline(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, methods: set[str] | None
) -> None:
    """One byte a second never trips a per-read timeout; the overall deadline does."""
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.mode, proxy.methods, proxy.every = "trickle", methods, 0.5
    result, elapsed = send(home, timeout=20)
    assert "did not answer within 2 s" in refused(result, "node-unreachable")
    assert elapsed < DEADLINE + SLACK, elapsed
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


@pytest.mark.parametrize("methods", [None, {"eth_getTransactionCount"}])
def test_a_stalled_node_is_cut_off_at_the_deadline(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, methods: set[str] | None
) -> None:
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.mode, proxy.methods = "stall", methods
    result, elapsed = send(home, timeout=20)
    refused(result, "node-unreachable")
    assert elapsed < DEADLINE + SLACK, elapsed
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_send_timeout_bounds_every_call(anvil_home: Path, chain: Chain, proxy: LyingProxy) -> None:
    """`--timeout` is shorter than the network's rpc-timeout: it bounds each call too."""
    config = anvil_home / "config.toml"
    use_proxy(anvil_home, proxy)
    config.write_text(config.read_text().replace(f"rpc-timeout = {DEADLINE}", "rpc-timeout = 60"))
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.mode, proxy.every = "trickle", 0.5
    result, elapsed = send(anvil_home, "--timeout", "1.5", timeout=30)
    refused(result, "node-unreachable")
    assert elapsed < 1.5 + SLACK, elapsed
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_a_trickled_receipt_wait_ends_at_timeout(
    anvil_home: Path, chain: Chain, proxy: LyingProxy
) -> None:
    """The transfer is sent; the wait for its receipt cannot outlast --timeout."""
    home = use_proxy(anvil_home, proxy)
    proxy.mode, proxy.methods, proxy.every = "trickle", {"eth_getTransactionReceipt"}, 0.5
    result, elapsed = send(home, "--timeout", "1", timeout=30)
    assert result.returncode == 0, result.stdout
    assert result.json()["status"] == "pending"
    assert elapsed < 1 + SLACK, elapsed


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_huge_reply_is_refused_not_read(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, declare_length: bool
) -> None:
    """100 MB of valid JSON (the real answer, then whitespace): refused at 32 MiB."""
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.mode, proxy.declare_length = "huge", declare_length
    result, elapsed = send(home, timeout=30)
    assert "larger than 32 MiB" in refused(result, "reply-too-large")
    assert elapsed < DEADLINE + SLACK, elapsed
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


@pytest.mark.parametrize(
    ("extra", "lie"),
    [("", hex(100 * GWEI)), ('fee-warn-floor = "0.00000001"\n', None)],
    ids=["inflated-base-fee", "low-floor"],
)
def test_a_fee_above_the_amount_warns(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, extra: str, lie: str | None
) -> None:
    home = use_proxy(anvil_home, proxy, extra)
    if lie is not None:
        proxy.lie("eth_getBlockByNumber", lie, "baseFeePerGas")
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    unattended, _ = send(home, yes=False)
    refused(unattended, "not-confirmed", 5)
    findings = unattended.json()["error"]["screening"]["findings"]
    warned = [f for f in findings if f["rule"] == "fee-exceeds-amount"]
    assert warned
    assert warned[0]["severity"] == "warn"
    assert "ETH) is more than the amount sent (0.000000000000000001 ETH)" in warned[0]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    decided, _ = send(home)
    assert decided.returncode == 0, decided.stdout
    assert decided.json()["status"] == "success"
    assert "fee-exceeds-amount" in [f["rule"] for f in decided.json()["screening"]["findings"]]


def batch(home: Path, tmp_path: Path, *args: str) -> Result:
    rows = [f"{BOB},1wei", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,2wei"]
    path = tmp_path / "pay.csv"
    path.write_text("\n".join(rows) + "\n")
    return run_wallet(
        ["--json", "--yes", "batch", str(path), *args], home=home, env=clean_env(**ENV)
    )


def test_batch_refuses_an_inflated_fee_and_takes_explicit_fees(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, tmp_path: Path
) -> None:
    home = use_proxy(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.lie("eth_maxPriorityFeePerGas", hex(5000 * GWEI))
    message = refused(batch(home, tmp_path), "fee-above-ceiling")
    assert "priority fee of 5000 gwei" in message
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    explicit = batch(home, tmp_path, "--max-fee-per-gas", "10gwei", "--priority-fee", "1gwei")
    assert explicit.returncode == 0, explicit.stdout
    results = explicit.json()["results"]
    assert [r["status"] for r in results] == ["success", "success"]
    assert {r["fee_unit"] for r in results} == {"ETH"}
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 2


def test_a_malformed_receipt_on_batch_resume_is_exit_6(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, tmp_path: Path
) -> None:
    home = use_proxy(anvil_home, proxy)
    first = batch(home, tmp_path, "--no-wait")
    assert first.returncode == 0, first.stdout
    proxy.lie("eth_getTransactionReceipt", "0xnothex", "blockNumber")
    message = refused(batch(home, tmp_path), "malformed-reply")
    assert "eth_getTransactionReceipt" in message
    assert "blockNumber" in message


@pytest.mark.parametrize(
    ("method", "value", "needle"),
    [
        ("eth_blockNumber", None, "eth_blockNumber"),
        ("eth_getLogs", [{"topics": ["0x" + "00" * 32] * 3, "address": 5}], "eth_getLogs"),
        (
            "eth_getLogs",
            [
                {
                    "topics": ["0x" + "00" * 32] * 3,
                    "address": ANVIL_ADDRESS_0,
                    "data": "0x",
                    "transactionHash": "0x" + "11" * 32,
                    "blockNumber": "soon",
                    "logIndex": "0x0",
                }
            ],
            "blockNumber",
        ),
    ],
)
def test_sync_refuses_malformed_logs_and_block_numbers(
    anvil_home: Path, chain: Chain, proxy: LyingProxy, method: str, value: Any, needle: str
) -> None:
    home = use_proxy(anvil_home, proxy)
    proxy.lie(method, value)
    result = run_wallet(["--json", "sync"], home=home)
    message = refused(result, "malformed-reply")
    assert needle in message
    assert not (home / "sync").exists()
