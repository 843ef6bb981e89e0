"""The coin store's dealings with an Esplora server that is slow, broken or absent, and
with the tour's server run as a program (tests/fake_esplora.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chains.btc.backends.esplora import EsploraClient
from chains.btc.networks import NETWORKS
from chains.btc.store import BitcoinStore
from chains.errors import MalformedReply, NodeUnreachable, RpcError
from tests.evm_helpers import free_port
from tests.integration.test_btc_store import Esplora, descriptors, open_store, script_at


@pytest.fixture
def esplora() -> Iterator[Esplora]:
    served = Esplora()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()


def test_the_tour_server_funds_addresses_bdk_finds_on_mainnet(tmp_path: Path) -> None:
    """scripts/tour.sh runs tests/fake_esplora.py as a program on the `bitcoin` network:
    its chain starts at mainnet's genesis, so bdk's scan connects to it."""
    mainnet = NETWORKS["bitcoin"]
    store = BitcoinStore.open(tmp_path / "main.sqlite", descriptors("wpkh", "bitcoin"), mainnet)
    address = str(store.wallet.peek_address(_external(), 4).address)
    port_file = tmp_path / "port"
    script = Path(__file__).parents[1] / "fake_esplora.py"
    server = subprocess.Popen([sys.executable, str(script), str(port_file), f"{address}:5000"])
    try:
        for _ in range(100):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        backend = EsploraClient(f"http://127.0.0.1:{port_file.read_text()}/esplora")
        assert [u.sats for u in backend.utxos([address])] == [5000]
        store.sync(backend)
        assert [(c.address, c.sats) for c in store.coins()] == [(address, 5000)]
    finally:
        server.terminate()
        server.wait(timeout=10)


def _external() -> Any:
    import bdkpython

    return bdkpython.KeychainKind.EXTERNAL


def test_a_stalling_server_fails_the_sync_by_its_deadline(tmp_path: Path, esplora: Esplora) -> None:
    """bdk's client waits for ever on a server that never answers; the store does not."""

    store = open_store(tmp_path)
    esplora.chain.fund([(100_000, script_at(store, 0, 0))])
    esplora.chain.stall = 2.0
    started = time.monotonic()
    with pytest.raises(NodeUnreachable, match=r"within 0\.5 s"):
        store.sync(esplora.backend, deadline=0.5)
    assert time.monotonic() - started < 1.9  # the server would still be stalling
    assert store.coins() == []
    esplora.chain.stall = 0.0
    store.sync(esplora.backend)
    assert store.last_sync == "full"  # the stalled scan did not count
    assert [c.sats for c in store.coins()] == [100_000]


def test_esplora_failures_are_node_errors(tmp_path: Path, esplora: Esplora) -> None:

    store = open_store(tmp_path)
    esplora.chain.fault = (400, "bad request, go away")  # 429 and 5xx: bdk retries first
    with pytest.raises(RpcError, match="HTTP 400: bad request"):
        store.sync(esplora.backend)
    esplora.chain.fault = (200, "this is not JSON")
    with pytest.raises(MalformedReply):
        store.sync(esplora.backend)
    with pytest.raises(NodeUnreachable, match="unreachable"):
        store.sync(EsploraClient(f"http://127.0.0.1:{free_port()}"))
    assert store.coins() == []
