"""Sending a batch's signed rows and awaiting their receipts, in bounded pieces.

Every JSON-RPC request carries at most `MAX_BATCH` calls (chains/evm/rpc.py), each chunk's
outcome is journalled before the next is sent, and receipts are asked for the earliest
pending nonces first, so a 20,000-row run costs about as much per row as a 1,000-row one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chains.base import Network
from chains.errors import ChainError, RpcError
from chains.evm.rpc import MAX_BATCH, RpcClient
from chains.evm.tx import SignedTx
from wallet_cli import receipts
from wallet_cli.batch_report import RowResult
from wallet_cli.store.history import History

Progress = Callable[[str, int, int], None]
STALL = 30.0  # seconds without a receipt before dropped transactions are looked for
STALL_DEVNET = 2.0  # the same on a devnet (automine: a block a transaction)


def broadcast_all(
    client: RpcClient,
    history: History,
    results: Sequence[RowResult],
    signed: Sequence[SignedTx],
    progress: Progress,
    throttle: Callable[[Sequence[RowResult]], None] | None = None,
) -> None:
    """Send in chunks of MAX_BATCH, journalling each chunk's `broadcast`/`rejected`;
    `throttle` sees the rows sent so far after each chunk (to hold back the next)."""
    sent = 0
    for start in range(0, len(signed), MAX_BATCH):
        chunk = signed[start : start + MAX_BATCH]
        answers = client.batch([("eth_sendRawTransaction", [tx.raw_hex]) for tx in chunk])
        entries = []
        for offset, (tx, answer) in enumerate(zip(chunk, answers, strict=True)):
            result = results[start + offset]
            if isinstance(answer, RpcError):
                result.status, result.reason = "rejected", answer.message
                entries.append(
                    {"event": "rejected", "tx_hash": tx.hash_hex, "reason": answer.message}
                )
            else:
                result.status = "pending"
                entries.append({"event": "broadcast", "tx_hash": tx.hash_hex})
        history.append_many(entries)
        sent += len(chunk)
        progress("sent", sent, len(signed))
        if throttle is not None and sent < len(signed):
            throttle(results[:sent])


def await_all(
    client: RpcClient,
    network: Network,
    history: History,
    results: Sequence[RowResult],
    timeout: float,
    progress: Progress,
    raws: Mapping[str, str],
    until: int = 0,
) -> None:
    """Receipts of every pending row, earliest nonce first, journalled as they come in.

    When no receipt comes for a while, the earliest pending rows the node no longer knows
    (dropped from its pool) are sent again from their signed raw transaction in `raws`
    (tx hash -> raw): the same nonce, so never paid twice. Returns once at most `until`
    rows are pending, or at `timeout`."""
    waiting = [r for r in results if r.status == "pending" and r.tx_hash]
    if len(waiting) <= until:
        return
    waiting.sort(key=lambda r: (r.nonce is None, r.nonce or 0))
    by_hash = {r.tx_hash: r for r in waiting if r.tx_hash}
    total, done = len(waiting), 0
    deadline = time.monotonic() + timeout
    left = list(by_hash)
    while len(left) > until:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        span = min(remaining, STALL_DEVNET if network.is_devnet else STALL)
        found = client.wait_for_receipts(left, span, _counted(progress, done, total))
        entries: list[dict[str, Any]] = []
        for tx_hash, receipt in found.items():
            status = receipts.from_receipt(tx_hash, receipt)
            result = by_hash[tx_hash]
            result.status, result.block, result.reason = status.status, status.block, status.reason
            entries.append(status.entry())
        history.append_many(entries)
        done += len(found)
        left = [h for h in left if h not in found]
        if left and not found:
            revived = _revive(client, history, left[:MAX_BATCH], raws)
            if not revived and network.is_devnet:
                _nudge(client)
    progress("confirmed", done, total)


def _counted(progress: Progress, base: int, total: int) -> Callable[[int], None]:
    return lambda n: progress("confirmed", base + n, total)


def _revive(client: RpcClient, history: History, window: list[str], raws: Mapping[str, str]) -> int:
    """Send again the transactions of `window` the node has neither mined nor kept."""
    lost = [s.tx_hash for s in receipts.look_up(client, window) if s.status == "not-found"]
    again = [h for h in lost if h in raws]
    if not again:
        return 0
    answers = client.batch([("eth_sendRawTransaction", [raws[h]]) for h in again])
    sent = [h for h, answer in zip(again, answers, strict=True) if not isinstance(answer, RpcError)]
    history.append_many([{"event": "broadcast", "tx_hash": h} for h in sent])
    return len(sent)


def _nudge(client: RpcClient) -> None:
    """anvil's automine can miss transactions that became ready while it mined a block:
    they sit in its pool until another one arrives. On a devnet in automine, ask it to mine
    one block (never on a devnet whose mining was paused, never on another network)."""
    try:
        if client.call("anvil_getAutomine") is True:
            client.call("evm_mine")
    except ChainError:
        pass  # not anvil, or it would not: the wait goes on as on any node
