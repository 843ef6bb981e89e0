"""A small JSON-RPC client over one keep-alive HTTP connection, with batch requests.

Why not web3.py: it takes ~0.3 s to import, and its receipt wait polls at a fixed 100 ms,
which caps a send loop near 9 tx/s. This client reuses one connection, sends batches in one
round trip (at most MAX_BATCH calls each), and `wait_for_receipts` polls with a short
back-off that starts at 2 ms.

The node is not trusted (chains/http.py): every call has an overall deadline (`timeout`)
and a cap on the reply's size, and `quantity`/`hex_data` turn a malformed value into a
`MalformedReply` naming the method and field. All of these are exit 6, never a crash.

A connection can drop, or a request go unanswered, while the node answers the next one
(a proxy or node restarting, a lost request). A call or batch made only of READS is
asked again after no answer (`NoAnswer`: a timeout, a refused or dropped connection), at
most RETRIES more times, all within one overall deadline: the caller's `deadline` (a receipt
wait's, `--timeout`), or else `timeout` from the first attempt, so `rpc-timeout` still bounds
every call. Anything else, eth_sendRawTransaction above all, is asked once: the caller
learns the outcome from the hash, and a send of the same signed bytes again is answered
with an error `already_known` recognises.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from chains.errors import ChainIdMismatch, MalformedReply, NodeUnreachable, RpcError
from chains.http import DEFAULT_TIMEOUT, MAX_REPLY_BYTES, HttpClient, NoAnswer, one_line

Call = tuple[str, Sequence[Any]]

POLL_START = 0.002
MAX_BATCH = 200  # calls in one JSON-RPC request; longer batches are split
POLL_MAX = 0.5
_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,64}")  # at most 256 bits, as the EVM's words
_DATA = re.compile(r"0x(?:[0-9a-fA-F]{2})*")
_HEADERS = {"Content-Type": "application/json", "Connection": "keep-alive"}
RETRIES = 2  # more attempts of a read that got no answer
RETRY_PAUSE = 0.05  # seconds before the first retry; doubled for the next
READS = frozenset(
    {
        "anvil_getAutomine",
        "eth_blockNumber",
        "eth_call",
        "eth_chainId",
        "eth_estimateGas",
        "eth_feeHistory",
        "eth_gasPrice",
        "eth_getBalance",
        "eth_getBlockByNumber",
        "eth_getCode",
        "eth_getLogs",
        "eth_getTransactionByHash",
        "eth_getTransactionCount",
        "eth_getTransactionReceipt",
        "eth_maxPriorityFeePerGas",
    }
)  # calls that change nothing on the node: safe to ask again
# How nodes answer a raw transaction they already hold (the same signed bytes sent again).
_KNOWN = (
    "already known",  # geth, reth, erigon
    "transaction already imported",  # anvil (seen: send the same raw transaction twice)
    "known transaction",  # besu ("Known transaction"), older geth ("known transaction: 0x..")
    "alreadyknown",  # nethermind (AcceptTxResult.AlreadyKnown)
    "already imported",  # openethereum ("Transaction with the same hash was already imported")
    "existing tx with same hash",  # erigon's txpool
    "already_exists",  # erigon's txpool import result (ALREADY_EXISTS)
)


def already_known(error: RpcError) -> bool:
    """Whether `error` is the node's answer to a transaction it already holds: the caller
    treats that row as pending (sent), not rejected. Not "nonce too low": that is also the
    answer once the transaction (or another with its nonce) was mined; look up the hash."""
    text = error.message.lower()
    return any(phrase in text for phrase in _KNOWN)


def quantity(value: object, method: str, field: str) -> int:
    """A JSON-RPC QUANTITY (0x-prefixed hex) as an int; anything else is the node's fault."""
    if isinstance(value, str) and _QUANTITY.fullmatch(value):
        return int(value, 16)
    raise MalformedReply(f"the node's {method} reply has a malformed {field}: {_shown(value)}")


def hex_data(value: object, method: str, field: str) -> bytes:
    """JSON-RPC DATA (0x-prefixed, whole bytes) as bytes."""
    if isinstance(value, str) and _DATA.fullmatch(value):
        return bytes.fromhex(value[2:])
    raise MalformedReply(f"the node's {method} reply has a malformed {field}: {_shown(value)}")


def _shown(value: object) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 40 else text[:37] + "..."


class RpcClient:
    def __init__(
        self, url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_REPLY_BYTES
    ) -> None:
        self._http = HttpClient(url, timeout, max_bytes)
        self.url = self._http.url
        self._ids = itertools.count(1)
        self.retried = 0  # reads asked again after no answer (for benchmarks and tests)

    @property
    def timeout(self) -> float:
        return self._http.timeout

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, params: Sequence[Any] = (), deadline: float | None = None) -> Any:
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        return _result(self._post(request, deadline, method in READS), method)

    def batch(self, calls: Sequence[Call], deadline: float | None = None) -> list[Any]:
        """Results in call order; an entry that failed is returned as its `RpcError`.

        Sent as JSON-RPC batches of at most MAX_BATCH calls, one after another: a node
        asked 4,000 calls in one request answered none of them within the timeout, and
        nodes cap batch sizes (geth: 1,000). Each request gets its own `timeout`; one made
        only of READS is asked again after no answer (module docstring)."""
        results: list[Any] = []
        for start in range(0, len(calls), MAX_BATCH):
            results += self._batch(calls[start : start + MAX_BATCH], deadline)
        return results

    def _batch(self, calls: Sequence[Call], deadline: float | None) -> list[Any]:
        if not calls:
            return []
        first = next(self._ids)
        for _ in range(len(calls) - 1):
            next(self._ids)
        requests = [
            {"jsonrpc": "2.0", "id": first + i, "method": method, "params": list(params)}
            for i, (method, params) in enumerate(calls)
        ]
        answers = self._post(requests, deadline, all(method in READS for method, _ in calls))
        if not isinstance(answers, list):
            raise RpcError(f"the node answered a batch with {type(answers).__name__}")
        by_id = {
            answer.get("id"): answer
            for answer in answers
            if isinstance(answer, dict) and isinstance(answer.get("id"), int)
        }
        results: list[Any] = []
        for i, (method, _) in enumerate(calls):
            answer = by_id.get(first + i)
            if answer is None:
                results.append(RpcError(f"the node gave no answer to {method}"))
                continue
            try:
                results.append(_result(answer, method))
            except RpcError as exc:
                results.append(exc)
        return results

    def chain_id(self) -> int:
        return quantity(self.call("eth_chainId"), "eth_chainId", "chain id")

    def check_chain_id(self, expected: int | None, network: str) -> int:
        actual = self.chain_id()
        if expected is not None and actual != expected:
            raise ChainIdMismatch(
                f"the node at {self.url} reports chain id {actual}, but network {network!r} "
                f"expects {expected}; nothing was signed"
            )
        return actual

    def wait_for_receipts(
        self,
        tx_hashes: Sequence[str],
        timeout: float,
        found: Callable[[int], None] | None = None,
    ) -> dict[str, Any]:
        """Receipts by hash, with a growing pause between polls that find nothing new.

        Give the hashes in nonce order: each poll asks for the earliest MAX_BATCH still
        pending (later nonces cannot be mined before them), so 20,000 hashes cost about
        100 polls, not 100 requests a poll. `found` hears the running count. `timeout`
        bounds the whole wait, a poll in flight included: when it runs out, the receipts
        found so far are returned (the rest are still pending)."""
        pending = list(dict.fromkeys(tx_hashes))
        receipts: dict[str, Any] = {}
        deadline = time.monotonic() + timeout
        pause = POLL_START
        while pending:
            window = pending[:MAX_BATCH]
            try:
                answers = self._batch(
                    [("eth_getTransactionReceipt", [h]) for h in window], deadline
                )
            except NodeUnreachable:
                if time.monotonic() >= deadline:
                    break
                raise
            still = []
            for tx_hash, answer in zip(window, answers, strict=True):
                if isinstance(answer, RpcError):
                    raise answer
                if answer is None:
                    still.append(tx_hash)
                else:
                    receipts[tx_hash] = checked_receipt(answer)
            progressed = len(still) < len(window)
            pending = still + pending[MAX_BATCH:]
            if progressed and found is not None:
                found(len(receipts))
            if not pending or time.monotonic() >= deadline:
                break
            if progressed:
                pause = POLL_START
                if not still:
                    continue  # the whole window was mined: ask for the next one at once
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)
        return receipts

    def _post(self, payload: Any, deadline: float | None, read: bool) -> Any:
        body = json.dumps(payload).encode()
        status, data = self._request(body, deadline, read)
        if status != 200:
            raise NodeUnreachable(f"the node at {self.url} answered HTTP {status}: {data[:200]!r}")
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise RpcError(f"the node at {self.url} answered with malformed JSON") from None

    def _request(self, body: bytes, deadline: float | None, read: bool) -> tuple[int, bytes]:
        """POST `body`; a read again after no answer, RETRIES times, all by one deadline:
        the caller's, or else `timeout` from now (so `rpc-timeout` still bounds a call)."""
        overall = time.monotonic() + self.timeout if deadline is None else deadline
        retries = RETRIES if read else 0
        pause = RETRY_PAUSE
        for attempt in range(retries + 1):
            try:
                return self._http.request(
                    "POST",
                    body=body,
                    headers=_HEADERS,
                    deadline=deadline if not attempt else overall,
                    idempotent=read,
                )
            except NoAnswer as exc:
                if attempt == retries or overall - time.monotonic() <= pause:
                    if not attempt:
                        raise
                    raise NoAnswer(f"{exc.message} (asked {attempt + 1} times)") from None
            self.retried += 1
            time.sleep(pause)
            pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover


def checked_receipt(answer: object) -> dict[str, Any]:
    """A receipt whose fields the wallet reads are well-formed (block number, status, gas)."""
    method = "eth_getTransactionReceipt"
    if not isinstance(answer, dict):
        raise MalformedReply(f"the node's {method} reply is not an object: {_shown(answer)}")
    quantity(answer.get("blockNumber"), method, "blockNumber")
    for field in ("status", "gasUsed"):
        if field in answer:
            quantity(answer[field], method, field)
    return answer


def _result(answer: Any, method: str) -> Any:
    if not isinstance(answer, dict):
        raise RpcError(f"the node answered {method} with {type(answer).__name__}")
    error = answer.get("error")
    if error is not None:
        message = error.get("message", "unknown error") if isinstance(error, dict) else error
        code = error.get("code") if isinstance(error, dict) else None
        code = code if isinstance(code, int) else None
        data = error.get("data") if isinstance(error, dict) else None
        raise RpcError(f"{method}: {one_line(message, 300)}", code, data)
    return answer.get("result")
