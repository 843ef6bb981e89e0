"""Bitcoin backends against local servers that speak the Esplora REST and bitcoind JSON-RPC
wire formats over one fake chain of real transactions (tests/fake_esplora.py,
tests/integration/fake_bitcoind.py): bdk syncs the wallet's coin store from them, the
wallet asks them for fees and broadcasts through them. Switches on the servers below make
them refuse a broadcast or lie (test_bitcoin_lying_backend.py). No live Bitcoin node runs
in CI: none can be installed on these machines."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests import fake_esplora
from tests.conftest import PASSPHRASE, clean_env, load_vectors, run_wallet
from tests.evm_helpers import free_port
from tests.fake_esplora import Chain, address_script
from tests.integration import fake_bitcoind
from tests.integration.test_psbt_cli import FOREIGN, kernel_verify

MNEMONIC = load_vectors("bip84.json")["mnemonic"]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}


class Served:
    """One chain behind an Esplora server and a bitcoind server, with switches that make
    either refuse a broadcast, lie in one field (raw JSON text), stall or flood."""

    def __init__(self) -> None:
        self.chain = Chain()
        self.node = fake_bitcoind.Node(chain=self.chain)
        self.reject: str | None = None  # the node's words refusing every broadcast
        self.auth: list[str | None] = []  # bitcoind Authorization headers
        self.fee_estimates: str | None = None  # Esplora /fee-estimates body
        self.utxo_value: str | None = None  # Esplora /address/A/utxo "value"
        self.scripthash_body: str | None = None  # Esplora /scripthash/H/txs body
        self.feerate: str | None = None  # bitcoind estimatesmartfee "feerate"
        self.amount: str | None = None  # bitcoind scantxoutset "amount"
        self.stall = False
        self.huge = False
        self.released = threading.Event()
        self.servers: list[ThreadingHTTPServer] = []
        self.esplora_port = self._start(esplora_handler(self))
        self.bitcoind_port = self._start(bitcoind_handler(self))

    def _start(self, handler: type[BaseHTTPRequestHandler]) -> int:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        return int(server.server_address[1])

    def url(self, backend: str, credentials: str = "") -> str:
        if backend == "esplora":
            return f"http://127.0.0.1:{self.esplora_port}/esplora"
        at = f"{credentials}@" if credentials else ""
        return f"http://{at}127.0.0.1:{self.bitcoind_port}/"

    def fund(self, address: str, sats: int, confirmed: bool = True) -> str:
        return self.chain.fund([(sats, address_script(address))], confirmed)

    def close(self) -> None:
        self.released.set()
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _lied(served: Served, handler: BaseHTTPRequestHandler) -> bool:
    if served.stall:
        served.released.wait(10)
        return True
    if served.huge:
        handler.send_response(200)
        handler.send_header("Content-Length", str(100 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"{" + b" " * 65536)
        return True
    return False


def _reply(handler: BaseHTTPRequestHandler, status: int, body: str) -> None:
    data = body.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def esplora_handler(served: Served) -> type[BaseHTTPRequestHandler]:
    base: Any = fake_esplora.handler(served.chain)

    class Handler(base):  # type: ignore[misc]
        def do_GET(self) -> None:
            if _lied(served, self):
                return
            path = self.path.removeprefix("/esplora")
            if path == "/fee-estimates" and served.fee_estimates is not None:
                _reply(self, 200, served.fee_estimates)
            elif path.endswith("/utxo") and served.utxo_value is not None:
                items = served.chain.utxos(address_script(path.split("/")[2]))
                for item in items:
                    item["value"] = "<lie>"
                _reply(self, 200, json.dumps(items).replace('"<lie>"', served.utxo_value))
            elif path.startswith("/scripthash/") and served.scripthash_body is not None:
                _reply(self, 200, served.scripthash_body)
            else:
                super().do_GET()

        def do_POST(self) -> None:
            if _lied(served, self):
                return
            if served.reject is not None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                _reply(self, 400, f"sendrawtransaction RPC error: {served.reject}")
                return
            super().do_POST()

    return Handler


def bitcoind_handler(served: Served) -> type[BaseHTTPRequestHandler]:
    base: Any = fake_bitcoind.handler(served.node)

    class Handler(base):  # type: ignore[misc]
        def do_POST(self) -> None:
            served.auth.append(self.headers.get("Authorization"))
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if _lied(served, self):
                return
            request = json.loads(body)
            method, params, ident = request["method"], request["params"], request["id"]
            if method == "estimatesmartfee" and served.feerate is not None:
                result = f'{{"feerate": {served.feerate}, "blocks": 2}}'
                _reply(self, 200, f'{{"result": {result}, "error": null, "id": {ident}}}')
                return
            if method == "scantxoutset" and served.amount is not None:
                scan = fake_bitcoind._scan(served.node, params[1])
                for item in scan["unspents"]:
                    item["amount"] = "<lie>"
                text = fake_bitcoind._dumps({"result": scan, "error": None, "id": ident})
                _reply(self, 200, text.replace('"<lie>"', served.amount))
                return
            if method == "sendrawtransaction" and served.reject is not None:
                error = {"code": -26, "message": served.reject}
                _reply(self, 500, json.dumps({"result": None, "error": error, "id": ident}))
                return
            replay: Any = self  # the body, read above, for the base handler to read again
            replay.rfile = io.BytesIO(body)
            super().do_POST()

    return Handler


@pytest.fixture
def served() -> Iterator[Served]:
    fake = Served()
    try:
        yield fake
    finally:
        fake.close()


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


def spk(address: str) -> bytes:
    import bdkpython

    return bytes(bdkpython.Address(address, bdkpython.Network.REGTEST).script_pubkey().to_bytes())


@pytest.mark.parametrize("backend", ["esplora", "bitcoind"])
def test_balance_psbt_and_send_through_a_backend(
    home: Path, tmp_path: Path, served: Served, backend: str
) -> None:
    ours = setup_home(home, served.url(backend, "user:secret"), backend)
    funding = served.fund(ours, 12_345_678)
    balance = btc(home, "balance").json()
    assert (balance["balance"], balance["base_units"]) == ("0.12345678", "12345678")

    out = tmp_path / "auto.psbt"
    created = btc(home, "psbt", "create", "--to", FOREIGN, "--amount", "0.001", "--out", str(out))
    assert created.returncode == 0, created.stdout
    assert created.json()["inputs"][0]["outpoint"] == f"{funding}:0"
    expected_rate = 10 if backend == "esplora" else 13  # ceil(9.8); ceil(12.345 sat/vB)
    assert abs(created.json()["fee_rate"] - expected_rate) < 1

    sent = btc(home, "send", "--to", FOREIGN, "--amount", "0.001", env=ENV)
    assert sent.returncode == 0, sent.stdout
    document = sent.json()
    assert document["status"] == "pending"
    assert document["chain"] == "btc"
    assert document["amount"] == "0.001"
    assert len(served.chain.broadcasts) == 1
    raw = served.chain.broadcasts[0]
    assert document["tx_hash"] == fake_esplora.parse_tx(bytes.fromhex(raw)).txid
    assert kernel_verify(raw, [(spk(ours), 12_345_678)]) == [True]
    assert kernel_verify(raw, [(spk(ours), 12_345_677)]) == [False]
    if backend == "bitcoind":
        assert served.auth
        assert set(served.auth) == {"Basic " + base64.b64encode(b"user:secret").decode()}
    history = btc(home, "history").json()["transactions"]
    assert history[0]["status"] == "broadcast"


@pytest.mark.parametrize("backend", ["esplora", "bitcoind"])
def test_a_rejected_broadcast_is_transfer_failed_with_the_node_message(
    home: Path, served: Served, backend: str
) -> None:
    ours = setup_home(home, served.url(backend), backend)
    served.fund(ours, 500_000)
    served.reject = "min relay fee not met, 100 < 141"
    result = btc(home, "send", "--to", FOREIGN, "--amount", "0.001", "--fee-rate", "1", env=ENV)
    # One pipeline, one answer: a node refusing a signed transaction is `transfer-failed`
    # (exit 1) on every chain, with the node's own words, and `rejected` in history.
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.json()["error"]["code"] == "transfer-failed"
    assert "min relay fee not met" in result.json()["error"]["message"]
    history = btc(home, "history").json()["transactions"]
    assert history[0]["status"] == "rejected"
    assert served.chain.broadcasts == []
    # The refused transaction did not spend the coin: the next send may use it.
    served.reject = None
    again = btc(home, "send", "--to", FOREIGN, "--amount", "0.001", "--fee-rate", "1", env=ENV)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(served.chain.broadcasts) == 1


def test_node_down_is_exit_6(home: Path) -> None:
    setup_home(home, f"http://127.0.0.1:{free_port()}/esplora", "esplora")
    assert btc(home, "balance").returncode == 6
    assert btc(home, "send", "--to", FOREIGN, "--amount", "0.001", env=ENV).returncode == 6


def test_dry_run_signs_but_does_not_broadcast(home: Path, served: Served) -> None:
    ours = setup_home(home, served.url("esplora"), "esplora")
    served.fund(ours, 200_000)
    result = btc(home, "send", "--to", FOREIGN, "--amount", "0.001", "--dry-run", env=ENV)
    assert result.returncode == 0, result.stdout
    assert result.json()["status"] == "not-broadcast"
    raw = result.json()["raw_transaction"]
    assert kernel_verify(raw, [(spk(ours), 200_000)]) == [True]
    assert served.chain.broadcasts == []
    assert not any(r.startswith("POST") for r in served.chain.requests)


def test_psbt_broadcast_sends_the_finalized_transaction(
    home: Path, tmp_path: Path, served: Served
) -> None:
    ours = setup_home(home, served.url("esplora"), "esplora")
    funding = served.fund(ours, 300_000)
    psbt = tmp_path / "b.psbt"
    created = btc(home, "psbt", "create", "--to", FOREIGN, "--amount", "0.002", "--out", str(psbt))
    assert created.returncode == 0, created.stdout
    assert [i["outpoint"] for i in created.json()["inputs"]] == [f"{funding}:0"]
    assert btc(home, "psbt", "broadcast", str(psbt)).returncode == 2  # unsigned: cannot finalize
    assert btc(home, "psbt", "sign", str(psbt), env=ENV).returncode == 0
    raw = btc(home, "psbt", "finalize", str(psbt)).json()["raw_transaction"]
    sent = btc(home, "psbt", "broadcast", str(psbt))
    assert sent.returncode == 0, sent.stdout
    txid = fake_esplora.parse_tx(bytes.fromhex(raw)).txid
    assert sent.json()["tx_hash"] == txid
    assert served.chain.broadcasts == [raw]
    assert txid in served.chain.txs
