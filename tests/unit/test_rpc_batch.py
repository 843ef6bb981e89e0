"""JSON-RPC batches are bounded: however many calls a caller hands `RpcClient.batch`, no
request carries more than MAX_BATCH, and answers come back in call order. Receipts are
asked for the earliest pending hashes first, each mined one once. Against a small local
JSON-RPC server written here that counts the calls in every request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chains.errors import RpcError
from chains.evm.rpc import MAX_BATCH, RpcClient
from tests.json_server import json_server


class FakeNode:
    """Answers `echo` with its parameter and receipts for the hashes in `mined`."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.asked: list[str] = []
        self.mined: set[str] = set()

    def answer(self, call: dict[str, Any]) -> dict[str, Any]:
        method, params = call["method"], call["params"]
        result: Any = None
        if method == "echo":
            result = params[0]
        elif method == "eth_getTransactionReceipt":
            self.asked.append(params[0])
            if params[0] in self.mined:
                result = {"blockNumber": "0x1", "status": "0x1", "transactionHash": params[0]}
        else:
            return {"jsonrpc": "2.0", "id": call["id"], "error": {"code": -1, "message": "no"}}
        return {"jsonrpc": "2.0", "id": call["id"], "result": result}


@pytest.fixture
def node() -> Iterator[tuple[FakeNode, str]]:
    fake = FakeNode()

    def answer(request: Any) -> object:
        calls = request if isinstance(request, list) else [request]
        fake.sizes.append(len(calls))
        answers = [fake.answer(call) for call in calls]
        return answers if isinstance(request, list) else answers[0]

    with json_server(answer) as url:
        yield fake, url


def test_a_long_batch_is_split_into_bounded_requests_in_order(
    node: tuple[FakeNode, str],
) -> None:
    fake, url = node
    client = RpcClient(url, timeout=5.0)
    calls = [("echo", [i]) for i in range(5 * MAX_BATCH + 1)]
    calls[7] = ("nope", [])
    answers = client.batch(calls)
    assert isinstance(answers[7], RpcError)
    assert answers[:7] + answers[8:] == list(range(7)) + list(range(8, len(calls)))
    assert fake.sizes == [MAX_BATCH] * 5 + [1]
    client.close()


def test_receipts_are_polled_earliest_first_in_bounded_requests(
    node: tuple[FakeNode, str],
) -> None:
    fake, url = node
    hashes = [f"0x{i:064x}" for i in range(5 * MAX_BATCH)]
    fake.mined = set(hashes)
    client = RpcClient(url, timeout=5.0)
    counts: list[int] = []
    found = client.wait_for_receipts(hashes, 5.0, counts.append)
    assert sorted(found) == sorted(hashes)
    assert max(fake.sizes) <= MAX_BATCH
    assert fake.asked == hashes  # each asked once, earliest first
    assert counts == [MAX_BATCH * k for k in range(1, 6)]
    client.close()


def test_a_receipt_wait_returns_what_was_mined_at_its_timeout(
    node: tuple[FakeNode, str],
) -> None:
    fake, url = node
    hashes = [f"0x{i:064x}" for i in range(3 * MAX_BATCH)]
    fake.mined = set(hashes[: MAX_BATCH + 10])
    client = RpcClient(url, timeout=5.0)
    found = client.wait_for_receipts(hashes, 0.3)
    assert sorted(found) == sorted(hashes[: MAX_BATCH + 10])
    assert max(fake.sizes) <= MAX_BATCH
    client.close()
