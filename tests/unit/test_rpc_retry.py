"""A read that got no answer is asked again; a send never is (chains/evm/rpc.py).

Against a small local JSON-RPC server written here that, request by request, answers,
stalls (reads the request and never answers) or drops the connection (closes it without an
answer), and records the methods of every request it received. What the node received is
the proof: a stalled read arrives again, a stalled or dropped send arrives exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chains import http
from chains.errors import NodeUnreachable, RpcError
from chains.evm.rpc import READS, RETRIES, RpcClient, already_known
from tests.json_server import DROP, json_server

SEND = "eth_sendRawTransaction"
RAW = "0x02f8"


class ScriptedNode:
    """Takes the next action of `script` for each request ("answer" once it runs out)."""

    def __init__(self) -> None:
        self.script: list[str] = []
        self.received: list[list[str]] = []  # the methods of each request, in order
        self.idle_timeout: float | None = None  # close a keep-alive connection idle this long
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def next_action(self, methods: list[str]) -> str:
        with self.lock:
            self.received.append(methods)
            return self.script.pop(0) if self.script else "answer"

    def methods(self) -> list[str]:
        return [m for request in self.received for m in request]


@pytest.fixture
def node() -> Iterator[tuple[ScriptedNode, str]]:
    scripted = ScriptedNode()

    def answer(request: Any) -> object:
        calls = request if isinstance(request, list) else [request]
        action = scripted.next_action([call["method"] for call in calls])
        if action == "stall":
            scripted.stop.wait(30)
            return DROP
        if action == "drop":
            return DROP
        answers = [{"jsonrpc": "2.0", "id": call["id"], "result": "0x10"} for call in calls]
        return answers if isinstance(request, list) else answers[0]

    with json_server(answer, idle_timeout=lambda: scripted.idle_timeout) as url:
        try:
            yield scripted, url
        finally:
            scripted.stop.set()


@pytest.mark.parametrize("failure", ["stall", "drop"])
def test_a_read_with_no_answer_is_asked_again(node: tuple[ScriptedNode, str], failure: str) -> None:
    scripted, url = node
    scripted.script = [failure]
    client = RpcClient(url, timeout=0.4)
    # The caller's deadline leaves room for a second attempt after a stalled first.
    assert client.call("eth_blockNumber", deadline=time.monotonic() + 5) == "0x10"
    assert scripted.methods() == ["eth_blockNumber", "eth_blockNumber"]
    assert client.retried == 1
    client.close()


def test_a_dropped_read_is_asked_again_within_rpc_timeout(node: tuple[ScriptedNode, str]) -> None:
    """Without a caller's deadline, `timeout` bounds the call and its retries together."""
    scripted, url = node
    scripted.script = ["drop", "drop"]
    client = RpcClient(url, timeout=5.0)
    assert client.call("eth_getTransactionCount", ["0x" + "11" * 20, "pending"]) == "0x10"
    assert scripted.methods() == ["eth_getTransactionCount"] * 3
    client.close()


@pytest.mark.parametrize("failure", ["stall", "drop"])
def test_a_send_is_never_asked_twice(node: tuple[ScriptedNode, str], failure: str) -> None:
    scripted, url = node
    scripted.script = [failure]
    client = RpcClient(url, timeout=0.4)
    with pytest.raises(NodeUnreachable):
        client.call(SEND, [RAW], deadline=time.monotonic() + 5)
    time.sleep(0.3)  # a retry, had there been one, would have arrived by now
    assert scripted.methods() == [SEND]
    assert client.retried == 0
    client.close()


def test_a_batch_of_reads_is_retried_and_a_batch_with_a_send_is_not(
    node: tuple[ScriptedNode, str],
) -> None:
    scripted, url = node
    client = RpcClient(url, timeout=0.4)
    reads = [("eth_getTransactionReceipt", ["0x" + "ab" * 32]), ("eth_blockNumber", [])]
    scripted.script = ["stall"]
    assert client.batch(reads, deadline=time.monotonic() + 5) == ["0x10", "0x10"]
    assert len(scripted.received) == 2
    scripted.received.clear()
    scripted.script = ["stall"]
    with pytest.raises(NodeUnreachable):
        client.batch([*reads, (SEND, [RAW])], deadline=time.monotonic() + 5)
    time.sleep(0.3)
    assert scripted.received == [["eth_getTransactionReceipt", "eth_blockNumber", SEND]]
    client.close()


def test_retries_are_bounded(node: tuple[ScriptedNode, str]) -> None:
    scripted, url = node
    scripted.script = ["stall"] * 10
    client = RpcClient(url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(NodeUnreachable, match=f"asked {RETRIES + 1} times"):
        client.call("eth_chainId", deadline=time.monotonic() + 30)
    assert len(scripted.received) == RETRIES + 1
    assert time.monotonic() - started < (RETRIES + 1) * 0.3 + 1.0


def test_retries_end_at_the_callers_deadline(node: tuple[ScriptedNode, str]) -> None:
    scripted, url = node
    scripted.script = ["stall"] * 10
    client = RpcClient(url, timeout=30.0)
    started = time.monotonic()
    with pytest.raises(NodeUnreachable):
        client.call("eth_chainId", deadline=time.monotonic() + 0.5)
    assert time.monotonic() - started < 1.0
    assert len(scripted.received) == 1  # the one attempt used all the time there was


def test_a_stalled_read_without_a_deadline_keeps_rpc_timeout(
    node: tuple[ScriptedNode, str],
) -> None:
    """`rpc-timeout` is the overall deadline of one call: retrying does not stretch it."""
    scripted, url = node
    scripted.script = ["stall"] * 10
    client = RpcClient(url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(NodeUnreachable, match=r"did not answer within 0\.5 s"):
        client.call("eth_chainId")
    assert time.monotonic() - started < 1.0


def test_a_send_on_an_idle_connection_goes_on_a_new_one(
    node: tuple[ScriptedNode, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server closes idle keep-alive connections after 0.2 s. A send after 0.5 s idle
    opens a new connection first (IDLE_REUSE 0.3 s) and arrives once; with the old
    connection kept (IDLE_REUSE 100 s) it fails and is not sent again."""
    scripted, url = node
    scripted.idle_timeout = 0.2
    client = RpcClient(url, timeout=2.0)
    monkeypatch.setattr(http, "IDLE_REUSE", 0.3)
    client.call("eth_chainId")
    time.sleep(0.5)
    assert client.call(SEND, [RAW]) == "0x10"
    assert scripted.methods() == ["eth_chainId", SEND]
    monkeypatch.setattr(http, "IDLE_REUSE", 100.0)
    time.sleep(0.5)
    with pytest.raises(NodeUnreachable):
        client.call(SEND, [RAW])
    assert scripted.methods() == ["eth_chainId", SEND]  # the second never reached the node
    time.sleep(0.5)
    assert client.call("eth_chainId") == "0x10"  # a read on a stale connection: sent again
    client.close()


@pytest.mark.parametrize(
    "message",
    [
        "eth_sendRawTransaction: already known",
        "eth_sendRawTransaction: transaction already imported",
        "eth_sendRawTransaction: Known transaction",
        "eth_sendRawTransaction: known transaction: 5d1e...",
        "eth_sendRawTransaction: AlreadyKnown",
        "eth_sendRawTransaction: Transaction with the same hash was already imported.",
        "eth_sendRawTransaction: INTERNAL_ERROR: existing tx with same hash",
        "eth_sendRawTransaction: ALREADY_EXISTS: already known",
    ],
)
def test_already_known_wordings(message: str) -> None:
    assert already_known(RpcError(message, -32000))


@pytest.mark.parametrize(
    "message",
    [
        "eth_sendRawTransaction: nonce too low",
        "eth_sendRawTransaction: replacement transaction underpriced",
        "eth_sendRawTransaction: insufficient funds for gas * price + value",
        "eth_sendRawTransaction: unknown error",
    ],
)
def test_other_refusals_are_not_already_known(message: str) -> None:
    assert not already_known(RpcError(message, -32000))


def test_sends_are_not_reads() -> None:
    assert SEND not in READS
    assert not any(m.startswith(("evm_", "anvil_set", "eth_send")) for m in READS)
