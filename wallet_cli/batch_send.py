"""Sending a batch's signed rows and awaiting their receipts, in bounded pieces.

Every request to the node carries at most the session's `max_batch` transactions (EVM: 200
JSON-RPC calls), each chunk's outcome is journalled before the next is sent, and outcomes
are asked for the earliest pending nonces first, so a 20,000-row run costs about as much
per row as a 1,000-row one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chains.session import ChainSession, Expired, SignedTx
from wallet_cli.batch_report import RowResult
from wallet_cli.store.history import History
from wallet_cli.transfer import final_entry

Progress = Callable[[str, int, int], None]
STALL = 30.0  # seconds without a receipt before dropped transactions are looked for
STALL_DEVNET = 2.0  # the same on a devnet (automine: a block a transaction)


def broadcast_all(
    session: ChainSession,
    history: History,
    results: Sequence[Sequence[RowResult]],
    signed: Sequence[SignedTx],
    progress: Progress,
    throttle: Callable[[Sequence[RowResult]], None] | None = None,
) -> None:
    """Send in chunks of the session's `max_batch`, journalling each chunk's
    `broadcast`/`rejected`; `results` are the rows each transaction pays (one on EVM, every
    row on Bitcoin). `throttle` sees the rows sent so far after each chunk (to hold back
    the next)."""
    sent = 0
    for start in range(0, len(signed), session.max_batch):
        chunk = signed[start : start + session.max_batch]
        refusals = session.broadcast(chunk)
        entries = []
        for offset, (tx, refusal) in enumerate(zip(chunk, refusals, strict=True)):
            gone = "expired" if isinstance(refusal, Expired) else "rejected"
            for result in results[start + offset]:
                if refusal is not None:
                    result.status, result.reason = gone, refusal
                else:
                    result.status = "pending"
            if refusal is not None:
                entries.append({"event": gone, "tx_hash": tx.tx_hash, "reason": refusal})
            else:
                entries.append({"event": "broadcast", "tx_hash": tx.tx_hash})
        history.append_many(entries)
        sent += len(chunk)
        progress("sent", sent, len(signed))
        if throttle is not None and sent < len(signed):
            throttle([row for rows in results[:sent] for row in rows])


def await_all(
    session: ChainSession,
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
    by_hash: dict[str, list[RowResult]] = {}
    for row in waiting:
        by_hash.setdefault(row.tx_hash or "", []).append(row)
    total, done = len(by_hash), 0
    deadline = time.monotonic() + timeout
    left = list(by_hash)
    while len(left) > until:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        span = min(remaining, STALL_DEVNET if session.network.is_devnet else STALL)
        asked = time.monotonic()
        found = session.wait(left, span, _counted(progress, done, total))
        entries: list[dict[str, Any]] = []
        for tx_hash, outcome in found.items():
            for result in by_hash[tx_hash]:
                result.status, result.block = outcome.status, outcome.block
                result.reason = outcome.reason
            entries.append(final_entry(outcome))
        history.append_many(entries)
        done += len(found)
        left = [h for h in left if h not in found]
        if left and not found:
            revived = _revive(session, history, left[: session.max_batch], raws)
            if not revived:
                session.nudge()
                # A chain whose wait only looks (Bitcoin: blocks every ten minutes) is
                # asked again once a span, not in a tight loop.
                idle = span - (time.monotonic() - asked)
                if idle > 0:
                    time.sleep(min(idle, max(0.0, deadline - time.monotonic())))
    progress("confirmed", done, total)


def _counted(progress: Progress, base: int, total: int) -> Callable[[int], None]:
    return lambda n: progress("confirmed", base + n, total)


def _revive(
    session: ChainSession, history: History, window: list[str], raws: Mapping[str, str]
) -> int:
    """Send again the transactions of `window` the node has neither mined nor kept."""
    lost = [o.tx_hash for o in session.look_up(window) if o.status == "not-found"]
    again = [h for h in lost if h in raws]
    if not again:
        return 0
    refusals = session.broadcast([SignedTx(h, raws[h]) for h in again])
    sent = [h for h, refusal in zip(again, refusals, strict=True) if refusal is None]
    history.append_many([{"event": "broadcast", "tx_hash": h} for h in sent])
    return len(sent)
