"""Retries against the real anvil (chains/evm/rpc.py): a read the lying proxy stalls once is
asked again and answered with anvil's real value; a send it stalls is never sent again, so
anvil never sees it until the caller sends it, and anvil's answer to the same signed bytes
sent twice is what `already_known` recognises.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from chains.errors import NodeUnreachable, RpcError
from chains.evm.rpc import RpcClient, already_known
from chains.evm.tx import Eip1559Tx, SignedTx, Signer
from keystore.secret import PrivateKey
from tests.conftest import load_vectors
from tests.evm_helpers import Chain
from tests.lying_proxy import GWEI, LyingProxy, lying_proxy

SEND = "eth_sendRawTransaction"
ACCOUNT = load_vectors("anvil_accounts.json")["vectors"][6]  # used by no other test
SENDER = ACCOUNT["address"]


@pytest.fixture
def proxy(chain: Chain) -> Iterator[LyingProxy]:
    with lying_proxy(chain.url) as lying:
        yield lying


def transfer(nonce: int, tip: int = GWEI) -> SignedTx:
    signer = Signer(PrivateKey(bytes.fromhex(ACCOUNT["private_key"][2:])))
    return signer.sign(Eip1559Tx(31337, nonce, tip, 100 * GWEI, 21_000, b"\x42" * 20, 1))


def stall_once(proxy: LyingProxy, method: str) -> None:
    """Stall the first request holding `method`, pass everything after it."""
    proxy.mode, proxy.methods = "stall", {method}

    def release() -> None:
        deadline = time.monotonic() + 10
        while method not in proxy.seen and time.monotonic() < deadline:
            time.sleep(0.01)
        proxy.mode = "pass"

    threading.Thread(target=release, daemon=True).start()


def test_a_read_stalled_once_is_asked_again(chain: Chain, proxy: LyingProxy) -> None:
    expected = chain.nonce(SENDER)
    client = RpcClient(proxy.url, timeout=1.0)
    stall_once(proxy, "eth_getTransactionCount")
    started = time.monotonic()
    answer = client.call("eth_getTransactionCount", [SENDER, "pending"], time.monotonic() + 10)
    assert int(answer, 16) == expected
    assert proxy.seen.count("eth_getTransactionCount") == 2
    assert 1.0 <= time.monotonic() - started < 3.0  # one timeout, then the real answer
    client.close()


def test_a_receipt_poll_stalled_once_is_asked_again(chain: Chain, proxy: LyingProxy) -> None:
    tx = transfer(chain.nonce(SENDER))
    chain.client.call(SEND, [tx.raw_hex])  # anvil mines it at once (automine)
    client = RpcClient(proxy.url, timeout=1.0)
    stall_once(proxy, "eth_getTransactionReceipt")
    found = client.wait_for_receipts([tx.hash_hex], 10.0)
    assert int(found[tx.hash_hex]["status"], 16) == 1
    assert proxy.seen.count("eth_getTransactionReceipt") == 2
    client.close()


def test_a_stalled_send_is_not_sent_again(chain: Chain, proxy: LyingProxy) -> None:
    nonce = chain.nonce(SENDER)
    tx = transfer(nonce)
    client = RpcClient(proxy.url, timeout=1.0)
    proxy.mode, proxy.methods = "stall", {SEND}
    with pytest.raises(NodeUnreachable):
        client.call(SEND, [tx.raw_hex], time.monotonic() + 10)
    proxy.mode = "pass"
    time.sleep(0.5)  # a retry, had there been one, would have reached anvil by now
    assert proxy.seen.count(SEND) == 1
    assert chain.client.call("eth_getTransactionByHash", [tx.hash_hex]) is None
    assert chain.nonce(SENDER) == nonce
    # The caller's way: the same signed bytes, sent again by the caller, pay once.
    assert client.call(SEND, [tx.raw_hex]) == tx.hash_hex
    assert chain.client.wait_for_receipts([tx.hash_hex], 10.0)
    assert chain.nonce(SENDER) == nonce + 1
    with pytest.raises(RpcError) as mined:
        client.call(SEND, [tx.raw_hex])
    assert not already_known(mined.value)  # "nonce too low": the caller looks up the hash
    client.close()


def test_anvil_answers_a_repeated_transaction_as_already_known(chain: Chain) -> None:
    """The same signed bytes sent twice while pending (automine off, so it stays pending);
    another transaction with the same nonce is a different refusal."""
    client = chain.client
    client.call("evm_setAutomine", [False])
    try:
        nonce = chain.nonce(SENDER)
        tx = transfer(nonce)
        assert client.call(SEND, [tx.raw_hex]) == tx.hash_hex
        with pytest.raises(RpcError) as again:
            client.call(SEND, [tx.raw_hex])
        assert already_known(again.value), again.value.message
        (answer,) = client.batch([(SEND, [tx.raw_hex])])
        assert isinstance(answer, RpcError)
        assert already_known(answer)
        with pytest.raises(RpcError) as other:
            client.call(SEND, [transfer(nonce, tip=GWEI + 1).raw_hex])
        assert not already_known(other.value), other.value.message
    finally:
        client.call("anvil_dropAllTransactions")
        client.call("evm_setAutomine", [True])
