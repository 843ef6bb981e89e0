"""Bitcoin backends against a local HTTP server that speaks the Esplora REST and bitcoind
JSON-RPC wire formats (responses shaped as those APIs document them). No live Bitcoin node
runs in CI: none can be installed on these machines."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, clean_env, load_vectors, run_wallet
from tests.evm_helpers import free_port
from tests.integration.test_psbt_cli import FOREIGN, kernel_verify

MNEMONIC = load_vectors("bip84.json")["mnemonic"]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}


class FakeNode:
    def __init__(self) -> None:
        self.utxos: dict[str, list[dict[str, Any]]] = {}
        self.broadcasts: list[str] = []
        self.reject: str | None = None
        self.auth: list[str | None] = []


def make_handler(node: FakeNode) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _send(self, status: int, body: str | bytes, kind: str = "application/json") -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = self.path.removeprefix("/esplora")
            if path == "/fee-estimates":
                self._send(200, json.dumps({"1": 12.5, "2": 9.8, "3": 7.1, "6": 3.2, "144": 1.0}))
            elif path.startswith("/address/") and path.endswith("/utxo"):
                address = path.split("/")[2]
                items = [
                    {
                        "txid": u["txid"],
                        "vout": u["vout"],
                        "value": u["sats"],
                        "status": {
                            "confirmed": True,
                            "block_height": 101,
                            "block_hash": "00" * 32,
                            "block_time": 1_700_000_000,
                        },
                    }
                    for u in node.utxos.get(address, [])
                ]
                self._send(200, json.dumps(items))
            else:
                self._send(404, "Not Found", "text/plain")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            if self.path == "/esplora/tx":
                if node.reject:
                    self._send(400, f"sendrawtransaction RPC error: {node.reject}", "text/plain")
                    return
                node.broadcasts.append(body)
                self._send(200, "ab" * 32, "text/plain")
                return
            node.auth.append(self.headers.get("Authorization"))
            request = json.loads(body)
            method, params = request["method"], request["params"]
            if method == "scantxoutset":
                unspents = []
                for descriptor in params[1]:
                    address = descriptor[5:-1]
                    for u in node.utxos.get(address, []):
                        btc = f"{u['sats'] // 100_000_000}.{u['sats'] % 100_000_000:08d}"
                        unspents.append(
                            f'{{"txid": "{u["txid"]}", "vout": {u["vout"]}, '
                            f'"desc": "addr({address})#abcd1234", '
                            f'"amount": {btc}, "height": 101}}'
                        )
                result = f'{{"success": true, "unspents": [{", ".join(unspents)}]}}'
                self._send(200, f'{{"result": {result}, "error": null, "id": {request["id"]}}}')
            elif method == "estimatesmartfee":
                self._send(
                    200,
                    json.dumps(
                        {
                            "result": {"feerate": 0.00012345, "blocks": 2},
                            "error": None,
                            "id": request["id"],
                        }
                    ),
                )
            elif method == "sendrawtransaction":
                if node.reject:
                    error = {"code": -26, "message": node.reject}
                    self._send(
                        500, json.dumps({"result": None, "error": error, "id": request["id"]})
                    )
                    return
                node.broadcasts.append(params[0])
                self._send(
                    200, json.dumps({"result": "cd" * 32, "error": None, "id": request["id"]})
                )
            else:
                self._send(
                    200,
                    json.dumps(
                        {
                            "result": None,
                            "id": request["id"],
                            "error": {"code": -32601, "message": "no method"},
                        }
                    ),
                )

    return Handler


@pytest.fixture
def node() -> Iterator[tuple[FakeNode, int]]:
    fake = FakeNode()
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, port
    finally:
        server.shutdown()
        server.server_close()


def setup_home(home: Path, rpc: str, backend: str) -> str:
    assert run_wallet(["restore"], home=home, stdin=MNEMONIC, env=clean_env(**ENV)).returncode == 0
    added = run_wallet(
        ["network", "add", "bitcoin-regtest", "--chain", "btc", "--rpc", rpc, "--backend", backend],
        home=home,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    first = run_wallet(["--json", "--network", "bitcoin-regtest", "address"], home=home).json()
    return str(first["addresses"][0]["address"])


def btc(home: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return run_wallet(
        ["--json", "--network", "bitcoin-regtest", *args], home=home, env=clean_env(**(env or {}))
    )


@pytest.mark.parametrize("backend", ["esplora", "bitcoind"])
def test_balance_psbt_and_send_through_a_backend(
    home: Path, tmp_path: Path, node: tuple[FakeNode, int], backend: str
) -> None:
    import bdkpython

    fake, port = node
    rpc = (
        f"http://127.0.0.1:{port}/esplora"
        if backend == "esplora"
        else f"http://user:secret@127.0.0.1:{port}/"
    )
    ours = setup_home(home, rpc, backend)
    fake.utxos[ours] = [{"txid": "11" * 32, "vout": 0, "sats": 12_345_678}]
    balance = btc(home, "balance").json()
    assert (balance["balance"], balance["base_units"]) == ("0.12345678", "12345678")

    out = tmp_path / "auto.psbt"
    created = btc(home, "psbt", "create", "--to", FOREIGN, "--amount", "0.001", "--out", str(out))
    assert created.returncode == 0, created.stdout
    assert created.json()["inputs"][0]["outpoint"] == f"{'11' * 32}:0"
    expected_rate = 10 if backend == "esplora" else 13  # ceil(9.8); ceil(12.345 sat/vB)
    assert abs(created.json()["fee_rate"] - expected_rate) < 1

    sent = btc(home, "send", "--to", FOREIGN, "--amount", "0.001", env=ENV)
    assert sent.returncode == 0, sent.stdout
    document = sent.json()
    assert document["status"] == "pending"
    assert document["chain"] == "btc"
    assert document["amount"] == "0.001"
    assert len(fake.broadcasts) == 1
    raw = fake.broadcasts[0]
    spk = bdkpython.Address(ours, bdkpython.Network.REGTEST).script_pubkey().to_bytes()
    assert kernel_verify(raw, [(bytes(spk), 12_345_678)]) == [True]
    if backend == "bitcoind":
        assert fake.auth[-1] == "Basic " + base64.b64encode(b"user:secret").decode()
    history = btc(home, "history").json()["transactions"]
    assert history[0]["status"] == "broadcast"


@pytest.mark.parametrize("backend", ["esplora", "bitcoind"])
def test_a_rejected_broadcast_is_transfer_failed_with_the_node_message(
    home: Path, node: tuple[FakeNode, int], backend: str
) -> None:
    fake, port = node
    rpc = (
        f"http://127.0.0.1:{port}/esplora" if backend == "esplora" else f"http://127.0.0.1:{port}/"
    )
    ours = setup_home(home, rpc, backend)
    fake.utxos[ours] = [{"txid": "22" * 32, "vout": 1, "sats": 500_000}]
    fake.reject = "min relay fee not met, 100 < 141"
    result = btc(home, "send", "--to", FOREIGN, "--amount", "0.001", "--fee-rate", "1", env=ENV)
    # One pipeline, one answer: a node refusing a signed transaction is `transfer-failed`
    # (exit 1) on every chain, with the node's own words, and `rejected` in history.
    assert result.returncode == 1
    assert result.json()["error"]["code"] == "transfer-failed"
    assert "min relay fee not met" in result.json()["error"]["message"]
    history = btc(home, "history").json()["transactions"]
    assert history[0]["status"] == "rejected"


def test_node_down_is_exit_6(home: Path) -> None:
    setup_home(home, f"http://127.0.0.1:{free_port()}/esplora", "esplora")
    assert btc(home, "balance").returncode == 6
    assert btc(home, "send", "--to", FOREIGN, "--amount", "0.001", env=ENV).returncode == 6


def test_dry_run_signs_but_does_not_broadcast(home: Path, node: tuple[FakeNode, int]) -> None:
    fake, port = node
    ours = setup_home(home, f"http://127.0.0.1:{port}/esplora", "esplora")
    fake.utxos[ours] = [{"txid": "33" * 32, "vout": 0, "sats": 200_000}]
    result = btc(home, "send", "--to", FOREIGN, "--amount", "0.001", "--dry-run", env=ENV)
    assert result.returncode == 0, result.stdout
    assert result.json()["status"] == "not-broadcast"
    assert result.json()["raw_transaction"]
    assert fake.broadcasts == []


def test_psbt_broadcast_sends_the_finalized_transaction(
    home: Path, tmp_path: Path, node: tuple[FakeNode, int]
) -> None:
    fake, port = node
    ours = setup_home(home, f"http://127.0.0.1:{port}/esplora", "esplora")
    fake.utxos[ours] = [{"txid": "44" * 32, "vout": 2, "sats": 300_000}]
    psbt = tmp_path / "b.psbt"
    created = btc(home, "psbt", "create", "--to", FOREIGN, "--amount", "0.002", "--out", str(psbt))
    assert created.returncode == 0, created.stdout
    assert btc(home, "psbt", "broadcast", str(psbt)).returncode == 2  # unsigned: cannot finalize
    assert btc(home, "psbt", "sign", str(psbt), env=ENV).returncode == 0
    raw = btc(home, "psbt", "finalize", str(psbt)).json()["raw_transaction"]
    sent = btc(home, "psbt", "broadcast", str(psbt))
    assert sent.returncode == 0, sent.stdout
    assert sent.json()["tx_hash"] == "ab" * 32
    assert fake.broadcasts == [raw]
