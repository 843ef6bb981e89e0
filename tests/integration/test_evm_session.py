"""The EVM session's sending (chains/evm/session.py, devnet_mining.py) against the real
anvil: a chunk whose answer is lost counts what the node took and sends the rest once more,
so nothing is paid twice or lost; on a devnet that automines, a chunk is mined as one block
and automine is on again after; a marker left by a killed run turns automine back on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chains.base import Network
from chains.evm.session import EvmSession, connect
from chains.evm.tx import Eip1559Tx, Signer
from chains.session import SignedTx
from keystore.secret import PrivateKey
from tests.conftest import load_vectors
from tests.evm_helpers import Chain
from tests.lying_proxy import GWEI, LyingProxy, lying_proxy

SEND = "eth_sendRawTransaction"
ACCOUNT = load_vectors("anvil_accounts.json")["vectors"][6]
SENDER = ACCOUNT["address"]


@pytest.fixture
def proxy(chain: Chain) -> Iterator[LyingProxy]:
    with lying_proxy(chain.url) as lying:
        yield lying


def network(url: str, devnet: bool = True) -> Network:
    return Network("devnet", "evm", url, 31337, is_devnet=devnet)


def transfers(first_nonce: int, count: int) -> list[SignedTx]:
    signer = Signer(PrivateKey(bytes.fromhex(ACCOUNT["private_key"][2:])))
    signed = []
    for nonce in range(first_nonce, first_nonce + count):
        tx = Eip1559Tx(31337, nonce, GWEI, 100 * GWEI, 21_000, b"\x42" * 20, 1)
        one = signer.sign(tx)
        signed.append(SignedTx(one.hash_hex, one.raw_hex, nonce))
    return signed


def session(url: str, state: Path | None = None, devnet: bool = True) -> EvmSession:
    return connect(network(url, devnet), SENDER, 0, 2.0, state)


def once(proxy: LyingProxy, mode: str) -> None:
    """The first send request gets `mode`; everything after it passes."""
    proxy.mode, proxy.methods = mode, {SEND}

    def release() -> None:
        deadline = time.monotonic() + 10
        while SEND not in proxy.seen and time.monotonic() < deadline:
            time.sleep(0.01)
        proxy.mode = "pass"

    threading.Thread(target=release, daemon=True).start()


@pytest.mark.parametrize("mode", ["swallow", "stall"])
def test_a_chunk_whose_answer_is_lost_is_paid_once(
    chain: Chain, proxy: LyingProxy, mode: str
) -> None:
    nonce = chain.nonce(SENDER)
    signed = transfers(nonce, 3)
    sending = session(proxy.url, devnet=False)
    try:
        once(proxy, mode)
        assert sending.broadcast(signed) == [None, None, None]
    finally:
        sending.close()
    found = chain.client.wait_for_receipts([s.tx_hash for s in signed], 10.0)
    assert len(found) == 3
    assert chain.nonce(SENDER) == nonce + 3
    # swallowed: the node had them all, nothing was sent again; stalled: sent once more
    assert proxy.seen.count(SEND) == (3 if mode == "swallow" else 6)  # one entry a call


def test_a_devnet_chunk_is_sent_with_automine_paused_and_mined_as_one_block(
    chain: Chain, proxy: LyingProxy, tmp_path: Path
) -> None:
    nonce = chain.nonce(SENDER)
    signed = transfers(nonce, 5)
    sending = session(proxy.url, tmp_path)
    try:
        assert sending.broadcast(signed) == [None] * 5
    finally:
        sending.close()
    calls = [m for m in proxy.seen if m != "eth_chainId"]
    assert calls == [
        "anvil_getAutomine", "evm_setAutomine", *[SEND] * 5, "evm_mine", "evm_setAutomine",
    ]  # fmt: skip
    found = chain.client.wait_for_receipts([s.tx_hash for s in signed], 10.0)
    assert len({receipt["blockNumber"] for receipt in found.values()}) == 1
    assert chain.client.call("anvil_getAutomine") is True
    assert list(tmp_path.iterdir()) == []  # the marker is gone


def test_automine_paused_by_a_killed_run_is_turned_back_on(chain: Chain, tmp_path: Path) -> None:
    (tmp_path / "devnet-31337-automine-paused").write_text("")
    chain.client.call("evm_setAutomine", [False])
    try:
        session(chain.url, tmp_path).close()
        assert chain.client.call("anvil_getAutomine") is True
        assert list(tmp_path.iterdir()) == []
    finally:
        chain.client.call("evm_setAutomine", [True])


def test_not_a_devnet_keeps_the_nodes_mining_alone(chain: Chain, proxy: LyingProxy) -> None:
    nonce = chain.nonce(SENDER)
    signed = transfers(nonce, 3)
    sending = session(proxy.url, devnet=False)
    try:
        assert sending.broadcast(signed) == [None] * 3
    finally:
        sending.close()
    assert len(chain.client.wait_for_receipts([s.tx_hash for s in signed], 10.0)) == 3
    asked = set(proxy.seen)
    assert asked == {"eth_chainId", SEND}, asked  # no automine switch, no block mined
