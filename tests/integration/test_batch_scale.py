"""`wallet batch` at a script's scale, on the real anvil through a counting proxy: thousands
of rows complete in one run with every JSON-RPC request holding at most MAX_BATCH calls,
and a run killed mid-send resumes and pays every row exactly once.

(A 4,000-row run once sent every row in one request, timed out after 1,406 rows, and its
re-run hung: tests/integration/test_batch.py covers the small cases.)"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chains.evm.rpc import MAX_BATCH
from tests.conftest import (
    ANVIL_ADDRESS_0,
    PASSPHRASE,
    WALLET_BIN,
    Devnet,
    Result,
    clean_env,
    run_wallet,
)
from tests.evm_helpers import Chain
from tests.lying_proxy import LyingProxy

AMOUNT_WEI = 10**12  # 0.000001 ETH


class CountingProxy(LyingProxy):
    """Passes everything to anvil; records how many calls each request held, and can hold
    back every `eth_sendRawTransaction` request after the first `send_budget`."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.sizes: list[tuple[str, int]] = []
        self.send_budget: int | None = None
        self.drop: slice | None = None  # calls of the first send request the node loses

    def forward(self, body: bytes) -> bytes:
        request = json.loads(body)
        calls = request if isinstance(request, list) else [request]
        method = str(calls[0].get("method")) if calls else ""
        self.sizes.append((method, len(calls)))
        if method == "eth_sendRawTransaction" and self.drop is not None:
            lost, self.drop = calls[self.drop], None
            kept = [c for c in calls if c not in lost]
            answers = json.loads(super().forward(json.dumps(kept).encode()))
            fake = [{"jsonrpc": "2.0", "id": c["id"], "result": "0x" + "00" * 32} for c in lost]
            return json.dumps(answers + fake).encode()
        if method == "eth_sendRawTransaction" and self.send_budget is not None:
            if self.send_budget <= 0:  # a node that stops answering mid-run
                self.stopped.wait(120)
                return b'{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"gone"}}'
            self.send_budget -= 1
        return super().forward(body)


@pytest.fixture
def proxy(devnet: Devnet, chain: Chain) -> Iterator[CountingProxy]:
    counting = CountingProxy(devnet.url)
    counting.start()
    try:
        yield counting
    finally:
        counting.stop()


def through(home: Path, proxy: CountingProxy) -> Path:
    config = home / "config.toml"
    config.write_text(
        config.read_text()
        + f'\n[networks.devnet]\nchain = "evm"\nrpc = "{proxy.url}"\nchain_id = 31337\n'
        + "devnet = true\nrpc-timeout = 30\n"  # anvil, thousands of blocks in, on a busy machine
    )
    return home


def payees(count: int, salt: str) -> list[str]:
    return ["0x" + hashlib.sha256(f"{salt}-{i}".encode()).hexdigest()[:40] for i in range(count)]


def write_rows(path: Path, recipients: list[str]) -> Path:
    path.write_text("to,amount\n" + "".join(f"{a},0.000001\n" for a in recipients))
    return path


def batch(home: Path, csv_path: Path) -> Result:
    return run_wallet(
        ["--json", "--yes", "batch", str(csv_path), "--timeout", "60"],
        home=home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
        timeout=120,
    )


def paid_once(chain: Chain, recipients: list[str]) -> None:
    answers = chain.client.batch([("eth_getBalance", [a, "latest"]) for a in recipients])
    assert [int(a, 16) for a in answers] == [AMOUNT_WEI] * len(recipients)


def test_thousands_of_rows_complete_in_one_run_in_bounded_requests(
    anvil_home: Path, chain: Chain, proxy: CountingProxy, tmp_path: Path
) -> None:
    rows = 3_000
    recipients = payees(rows, "scale")
    csv_path = write_rows(tmp_path / "airdrop.csv", recipients)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    started = time.monotonic()
    result = batch(through(anvil_home, proxy), csv_path)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = result.json()["summary"]
    assert (summary["sent"], summary["confirmed"], summary["pending"]) == (rows, rows, 0)
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + rows
    paid_once(chain, recipients)
    assert max(size for _, size in proxy.sizes) <= MAX_BATCH
    assert elapsed < 60, elapsed


def test_a_run_killed_mid_send_resumes_and_pays_every_row_once(
    anvil_home: Path, chain: Chain, proxy: CountingProxy, tmp_path: Path
) -> None:
    """The node stops answering after the first chunk is sent; the run is SIGKILLed there
    (every row signed, 200 sent); the same command again sends the rest, each row once."""
    rows = 1_000
    recipients = payees(rows, "killed")
    csv_path = write_rows(tmp_path / "payroll.csv", recipients)
    home = through(anvil_home, proxy)
    journal = home / "history" / "dev.jsonl"
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.send_budget = 1
    process = subprocess.Popen(
        [WALLET_BIN, "--json", "--yes", "batch", str(csv_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_HOME=str(home)),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while _events(journal, "broadcast") < MAX_BATCH:
            assert process.poll() is None, process.returncode
            assert time.monotonic() < deadline, "the first chunk was never journalled"
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    assert (_events(journal, "signed"), _events(journal, "broadcast")) == (rows, MAX_BATCH)
    proxy.send_budget = None

    again = batch(home, csv_path)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    summary = again.json()["summary"]
    assert summary["confirmed"] == rows
    assert summary["rebroadcast"] == rows - MAX_BATCH  # sent now from the stored raw tx
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + rows
    paid_once(chain, recipients)
    assert max(size for _, size in proxy.sizes) <= MAX_BATCH
    assert run_wallet(["--json", "history", "--verify"], home=home).json()["ok"]


def test_transactions_the_node_lost_are_sent_again(
    anvil_home: Path, chain: Chain, proxy: CountingProxy, tmp_path: Path
) -> None:
    """The node acknowledges five transactions of the first chunk and forgets them, so
    every later nonce is stuck behind them: the run sends those five again from their
    signed raw transactions and finishes, each row paid once."""
    rows = 300
    recipients = payees(rows, "dropped")
    home = through(anvil_home, proxy)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    proxy.drop = slice(100, 105)
    result = batch(home, write_rows(tmp_path / "rows.csv", recipients))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.json()["summary"]["confirmed"] == rows
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + rows
    paid_once(chain, recipients)
    assert _events(home / "history" / "dev.jsonl", "broadcast") == rows + 5


def _events(journal: Path, event: str) -> int:
    if not journal.exists():
        return 0
    needle = f'"event":"{event}"'.encode()
    return journal.read_bytes().count(needle)
