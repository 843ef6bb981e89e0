"""A small JSON-RPC 2.0 client over one keep-alive HTTP connection, with batch requests,
shared by the chain families that speak JSON-RPC (EVM nodes, Solana validators).

The node is not trusted (chains/http.py): every call has an overall deadline (`timeout`)
and a cap on the reply's size. A connection can drop, or a request go unanswered, while the
node answers the next one (a proxy or node restarting, a lost request). A call or batch made
only of the family's READS is asked again after no answer (`NoAnswer`: a timeout, a refused
or dropped connection), at most RETRIES more times, all within one overall deadline: the
caller's `deadline` (a receipt wait's, `--timeout`), or else `timeout` from the first
attempt, so `rpc-timeout` still bounds every call. Anything else, a transaction sent above
all, is asked once: the caller learns the outcome from the transaction's hash.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from typing import Any

from chains.errors import NodeUnreachable, RpcError
from chains.http import DEFAULT_TIMEOUT, MAX_REPLY_BYTES, HttpClient, NoAnswer, one_line

Call = tuple[str, Sequence[Any]]

MAX_BATCH = 200  # calls in one JSON-RPC request; longer batches are split
_HEADERS = {"Content-Type": "application/json", "Connection": "keep-alive"}
RETRIES = 2  # more attempts of a read that got no answer
RETRY_PAUSE = 0.05  # seconds before the first retry; doubled for the next


def shown(value: object) -> str:
    """A node's value, short enough for a one-line message."""
    text = " ".join(repr(value).split())
    return text if len(text) <= 40 else text[:37] + "..."


class JsonRpcClient:
    def __init__(
        self,
        url: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_REPLY_BYTES,
        reads: frozenset[str] = frozenset(),
    ) -> None:
        """`reads`: the methods that change nothing on the node, safe to ask again."""
        self._http = HttpClient(url, timeout, max_bytes)
        self.url = self._http.url
        self.reads = reads
        self._ids = itertools.count(1)
        self.retried = 0  # reads asked again after no answer (for benchmarks and tests)

    @property
    def timeout(self) -> float:
        return self._http.timeout

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, params: Sequence[Any] = (), deadline: float | None = None) -> Any:
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        return result_of(self._post(request, deadline, method in self.reads), method)

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
        answers = self._post(requests, deadline, all(method in self.reads for method, _ in calls))
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
                results.append(result_of(answer, method))
            except RpcError as exc:
                results.append(exc)
        return results

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


def result_of(answer: Any, method: str) -> Any:
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
