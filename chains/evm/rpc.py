"""A small JSON-RPC client over one keep-alive HTTP connection, with batch requests.

Why not web3.py: it takes ~0.3 s to import, and its receipt wait polls at a fixed 100 ms,
which caps a send loop near 9 tx/s. This client reuses one connection, sends batches in one
round trip, and `wait_for_receipts` polls with a short back-off that starts at 2 ms.
Connection failures and timeouts are `NodeUnreachable` (exit 6), bounded by `timeout`.
"""

from __future__ import annotations

import http.client
import itertools
import json
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from chains.errors import ChainIdMismatch, NodeUnreachable, RpcError

Call = tuple[str, Sequence[Any]]

POLL_START = 0.002
POLL_MAX = 0.5


class RpcClient:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NodeUnreachable(f"RPC URL {url!r} is not an http(s) URL")
        self.url = url
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        return _result(self._post(request), method)

    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """Results in call order; an entry that failed is returned as its `RpcError`."""
        if not calls:
            return []
        first = next(self._ids)
        for _ in range(len(calls) - 1):
            next(self._ids)
        requests = [
            {"jsonrpc": "2.0", "id": first + i, "method": method, "params": list(params)}
            for i, (method, params) in enumerate(calls)
        ]
        answers = self._post(requests)
        if not isinstance(answers, list):
            raise RpcError(f"the node answered a batch with {type(answers).__name__}")
        by_id = {answer.get("id"): answer for answer in answers}
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
        return int(self.call("eth_chainId"), 16)

    def check_chain_id(self, expected: int | None, network: str) -> int:
        actual = self.chain_id()
        if expected is not None and actual != expected:
            raise ChainIdMismatch(
                f"the node at {self.url} reports chain id {actual}, but network {network!r} "
                f"expects {expected}; nothing was signed"
            )
        return actual

    def wait_for_receipts(self, tx_hashes: Sequence[str], timeout: float) -> dict[str, Any]:
        """Receipts by hash; polls all pending ones in one batch, with a growing pause."""
        pending = list(tx_hashes)
        receipts: dict[str, Any] = {}
        deadline = time.monotonic() + timeout
        pause = POLL_START
        while pending:
            answers = self.batch([("eth_getTransactionReceipt", [h]) for h in pending])
            still = []
            for tx_hash, answer in zip(pending, answers, strict=True):
                if isinstance(answer, RpcError):
                    raise answer
                if answer is None:
                    still.append(tx_hash)
                else:
                    receipts[tx_hash] = answer
            pending = still
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)
        return receipts

    def _post(self, payload: Any) -> Any:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request("POST", self._path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException) as exc:
                # A keep-alive connection the server closed: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise NodeUnreachable(f"the node at {self.url} is unreachable: {exc}") from None
                continue
            except (TimeoutError, OSError) as exc:
                self.close()
                reason = "timed out" if isinstance(exc, TimeoutError) else str(exc)
                raise NodeUnreachable(f"the node at {self.url} is unreachable: {reason}") from None
            if response.status != 200:
                raise NodeUnreachable(
                    f"the node at {self.url} answered HTTP {response.status}: {data[:200]!r}"
                )
            try:
                return json.loads(data)
            except ValueError:
                raise RpcError(f"the node at {self.url} answered with malformed JSON") from None
        raise NodeUnreachable(f"the node at {self.url} is unreachable")  # pragma: no cover

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            cls = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = cls(self._host, self._port, timeout=self._timeout)
        return self._connection


def _result(answer: Any, method: str) -> Any:
    if not isinstance(answer, dict):
        raise RpcError(f"the node answered {method} with {type(answer).__name__}")
    error = answer.get("error")
    if error is not None:
        message = error.get("message", "unknown error") if isinstance(error, dict) else str(error)
        code = error.get("code") if isinstance(error, dict) else None
        data = error.get("data") if isinstance(error, dict) else None
        raise RpcError(f"{method}: {message}", code, data)
    return answer.get("result")
