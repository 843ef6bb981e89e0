"""Rows an earlier run of the same batch run signed: found in history by their key, and
settled from the node's receipts. A row signed but never seen by the node is sent again as
the same signed transaction (same nonce), so it can be paid once at most."""

from __future__ import annotations

from typing import Any

from chains.session import ChainSession, Expired, SignedTx
from wallet_cli.batch_report import RowResult
from wallet_cli.store.history import History
from wallet_cli.store.history_index import HistoryIndex
from wallet_cli.transfer import expired_entry, final_entry

Unsettled = tuple[RowResult, str]  # the row and its signed raw transaction


def prior(history: History, results: list[RowResult]) -> tuple[list[int], list[Unsettled]]:
    """Rows an earlier run of this run id signed, from history: settled ones get their
    status; returns the positions still to send and the unsettled rows with their raw tx."""
    index = HistoryIndex.current(history)  # rows looked up by key: no whole-journal read
    try:
        by_key = index.signed_by_key(result.key for result in results)
        final = {
            signed["tx_hash"]: entry
            for signed in by_key.values()
            if isinstance(signed.get("tx_hash"), str)
            and (entry := index.final_entry(signed["tx_hash"])) is not None
        }
    finally:
        index.close()
    fresh: list[int] = []
    unsettled: list[Unsettled] = []
    for position, result in enumerate(results):
        signed = by_key.get(result.key)
        if signed is None:
            fresh.append(position)
            continue
        result.recorded(signed)
        settled = final.get(signed["tx_hash"])
        if settled is not None and settled["event"] == "expired":
            fresh.append(position)  # it can never land: this run signs the row again
            continue
        if settled is None:
            unsettled.append((result, signed["raw"]))
            continue
        result.status = "success" if settled["event"] == "confirmed" else "failed"
        result.block, result.reason = settled.get("block"), settled.get("reason")
    return fresh, unsettled


def look_up(session: ChainSession, rows: list[Unsettled]) -> list[dict[str, Any]]:
    """Give unsettled rows the node's status (read-only: a dry run stops here); returns the
    history entries for those now final. Rows the node does not know keep `not-found`."""
    hashes = [result.tx_hash or "" for result, _ in rows]
    outcomes = [
        outcome
        for start in range(0, len(hashes), session.max_batch)
        for outcome in session.look_up(hashes[start : start + session.max_batch])
    ]
    entries: list[dict[str, Any]] = []
    for (result, _), outcome in zip(rows, outcomes, strict=True):
        result.status, result.block, result.reason = outcome.status, outcome.block, outcome.reason
        if outcome.status in ("success", "failed", "expired"):
            entries.append(final_entry(outcome))
    return entries


def settle(session: ChainSession, history: History, rows: list[Unsettled]) -> None:
    """Rows signed earlier with no final status: mined, still pending, or never sent (then
    the same signed transaction is sent again, so it can never be paid twice)."""
    entries = look_up(session, rows)
    resend = [(result, raw) for result, raw in rows if result.status == "not-found"]
    for start in range(0, len(resend), session.max_batch):
        chunk = resend[start : start + session.max_batch]
        refusals = session.broadcast([SignedTx(r.tx_hash or "", raw, r.nonce) for r, raw in chunk])
        for (result, _), refusal in zip(chunk, refusals, strict=True):
            result.rebroadcast = True
            if isinstance(refusal, Expired):
                result.status, result.reason = "expired", refusal
                entries.append(expired_entry(result.tx_hash or "", refusal))
            elif refusal is not None:
                result.status, result.reason = "unknown", f"re-broadcast refused: {refusal}"
            else:
                result.status = "pending"
                entries.append({"event": "broadcast", "tx_hash": result.tx_hash})
    history.append_many(entries)
