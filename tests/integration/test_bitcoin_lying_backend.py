"""A Bitcoin backend that lies (the local Esplora/bitcoind server of test_bitcoin_backends,
told to quote a huge fee rate, send malformed amounts, stall or flood): the wallet refuses
with exit 6, names the field, and broadcasts nothing."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_wallet
from tests.evm_helpers import free_port
from tests.integration.test_bitcoin_backends import ENV, FakeNode, btc, make_handler, setup_home
from tests.integration.test_psbt_cli import FOREIGN

COIN = {"txid": "11" * 32, "vout": 0, "sats": 12_345_678}


class LyingNode(FakeNode):
    def __init__(self) -> None:
        super().__init__()
        self.fee_estimates: str | None = None  # Esplora /fee-estimates body
        self.feerate: str | None = None  # bitcoind estimatesmartfee "feerate", raw JSON
        self.value: str | None = None  # Esplora utxo "value" / bitcoind "amount", raw JSON
        self.stall = False
        self.huge = False
        self.released = threading.Event()


def lying_handler(node: LyingNode) -> type:
    base: Any = make_handler(node)

    class Handler(base):  # type: ignore[misc,valid-type]
        def do_GET(self) -> None:
            if self._lied():
                return
            path = self.path.removeprefix("/esplora")
            if path == "/fee-estimates" and node.fee_estimates is not None:
                self._send(200, node.fee_estimates)
            elif path.endswith("/utxo") and node.value is not None:
                coins = node.utxos.get(path.split("/")[2], [])
                items = [
                    f'{{"txid": "{u["txid"]}", "vout": {u["vout"]}, "value": {node.value}, '
                    '"status": {"confirmed": true}}'
                    for u in coins
                ]
                self._send(200, f"[{', '.join(items)}]")
            else:
                super().do_GET()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self._lied():
                return
            if self.path != "/esplora/tx":
                request = json.loads(body)
                method, params = request["method"], request["params"]
                if method == "estimatesmartfee" and node.feerate is not None:
                    result = f'{{"feerate": {node.feerate}, "blocks": 2}}'
                    self._send(200, f'{{"result": {result}, "error": null, "id": 1}}')
                    return
                if method == "scantxoutset" and node.value is not None:
                    unspents = [
                        f'{{"txid": "{u["txid"]}", "vout": {u["vout"]}, '
                        f'"desc": "addr({d[5:-1]})#abcd1234", "amount": {node.value}}}'
                        for d in params[1]
                        for u in node.utxos.get(d[5:-1], [])
                    ]
                    result = f'{{"success": true, "unspents": [{", ".join(unspents)}]}}'
                    self._send(200, f'{{"result": {result}, "error": null, "id": 1}}')
                    return
            self.rfile = io.BytesIO(body)
            super().do_POST()

        def _lied(self) -> bool:
            if node.stall:
                node.released.wait(10)
                return True
            if node.huge:
                self.send_response(200)
                self.send_header("Content-Length", str(100 * 1024 * 1024))
                self.end_headers()
                self.wfile.write(b"{" + b" " * 65536)
                return True
            return False

    return Handler


@pytest.fixture
def node() -> Iterator[tuple[LyingNode, int]]:
    fake = LyingNode()
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), lying_handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, port
    finally:
        fake.released.set()
        server.shutdown()
        server.server_close()


def url(port: int, backend: str) -> str:
    return (
        f"http://127.0.0.1:{port}/esplora" if backend == "esplora" else f"http://127.0.0.1:{port}/"
    )


def set_network(home: Path, rpc: str, backend: str, *extra: str) -> None:
    command = ["network", "add", "bitcoin-regtest", "--chain", "btc", "--rpc", rpc]
    added = run_wallet([*command, "--backend", backend, *extra], home=home)
    assert added.returncode == 0, added.stdout + added.stderr


def refused(result: Any, code: str, exit_code: int = 6) -> str:
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    error = result.json()["error"]
    assert error["code"] == code, error
    assert "unexpected" not in error["message"]
    return str(error["message"])


@pytest.mark.parametrize(
    ("backend", "estimate", "quoted"),
    [("esplora", '{"2": 900.5, "6": 800}', 901), ("bitcoind", "0.01", 1000)],
)
def test_a_backend_fee_rate_above_max_fee_rate_is_refused(
    home: Path,
    tmp_path: Path,
    node: tuple[LyingNode, int],
    backend: str,
    estimate: str,
    quoted: int,
) -> None:
    fake, port = node
    ours = setup_home(home, url(port, backend), backend)
    fake.utxos[ours] = [COIN]
    if backend == "esplora":
        fake.fee_estimates = estimate
    else:
        fake.feerate = estimate
    sent = btc(home, "send", "--to", FOREIGN, "--amount", "0.01", env=ENV)
    message = refused(sent, "fee-above-ceiling")
    assert f"quotes {quoted} sat/vB, above max-fee-rate 500 sat/vB" in message
    out = tmp_path / "high.psbt"
    created = btc(home, "psbt", "create", "--to", FOREIGN, "--amount", "0.01", "--out", str(out))
    refused(created, "fee-above-ceiling")
    assert not out.exists()
    assert fake.broadcasts == []

    explicit = ["send", "--to", FOREIGN, "--amount", "0.01", "--fee-rate", "600"]
    assert "typo" in refused(btc(home, *explicit, env=ENV), "bad-input", 2)
    assert btc(home, "--yes", *explicit, env=ENV).returncode == 0
    assert len(fake.broadcasts) == 1

    set_network(home, url(port, backend), backend, "--max-fee-rate", "2000")
    raised = btc(home, "send", "--to", FOREIGN, "--amount", "0.01", env=ENV)
    assert raised.returncode == 0, raised.stdout
    assert len(fake.broadcasts) == 2


@pytest.mark.parametrize(
    ("backend", "lie", "raw", "command", "needles"),
    [
        ("esplora", "fee_estimates", '{"2": "fast"}', "send", ["/fee-estimates", "2 blocks"]),
        ("esplora", "fee_estimates", "[1, 2]", "send", ["/fee-estimates", "table"]),
        ("esplora", "fee_estimates", '{"2": -3}', "send", ["/fee-estimates", "2 blocks"]),
        ("esplora", "value", '"abc"', "balance", ["/utxo", "value", "abc"]),
        ("esplora", "value", "null", "balance", ["/utxo", "value", "None"]),
        ("esplora", "value", "1.5", "balance", ["/utxo", "value"]),
        ("bitcoind", "value", '"abc"', "balance", ["scantxoutset", "amount", "abc"]),
        ("bitcoind", "value", "null", "balance", ["scantxoutset", "amount"]),
        ("bitcoind", "value", "0.123456789", "balance", ["scantxoutset", "amount"]),
        ("bitcoind", "feerate", '"x"', "send", ["estimatesmartfee", "feerate"]),
        ("bitcoind", "feerate", "-1", "send", ["estimatesmartfee", "feerate"]),
        ("bitcoind", "feerate", "1e999999999", "send", ["estimatesmartfee", "feerate"]),
    ],
)
def test_a_malformed_backend_reply_is_exit_6_naming_the_field(
    home: Path,
    node: tuple[LyingNode, int],
    backend: str,
    lie: str,
    raw: str,
    command: str,
    needles: list[str],
) -> None:
    fake, port = node
    ours = setup_home(home, url(port, backend), backend)
    fake.utxos[ours] = [COIN]
    setattr(fake, lie, raw)
    args = ["send", "--to", FOREIGN, "--amount", "0.01"] if command == "send" else ["balance"]
    message = refused(btc(home, *args, env=ENV), "malformed-reply")
    for needle in needles:
        assert needle in message, message
    assert fake.broadcasts == []


@pytest.mark.parametrize("backend", ["esplora", "bitcoind"])
def test_a_stalled_or_flooding_backend_is_cut_off(
    home: Path, node: tuple[LyingNode, int], backend: str
) -> None:
    fake, port = node
    setup_home(home, url(port, backend), backend)
    set_network(home, url(port, backend), backend, "--rpc-timeout", "1")
    fake.stall = True
    started = time.monotonic()
    assert "did not answer within 1 s" in refused(btc(home, "balance"), "node-unreachable")
    assert time.monotonic() - started < 1 + 4
    fake.stall, fake.huge = False, True
    assert "larger than 32 MiB" in refused(btc(home, "balance"), "reply-too-large")
