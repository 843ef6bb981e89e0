"""Rows an earlier run of the same batch run signed: found in history by their key, and
settled from the node's receipts. A row signed but never seen by the node is sent again as
the same signed transaction (same nonce), so it can be paid once at most."""

from __future__ import annotations

from typing import Any

from chains.errors import RpcError
from chains.evm.rpc import RpcClient
from wallet_cli import receipts
from wallet_cli.batch_report import RowResult
from wallet_cli.store.history import History
from wallet_cli.store.history_index import HistoryIndex

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
        if settled is None:
            unsettled.append((result, signed["raw"]))
            continue
        result.status = "success" if settled["event"] == "confirmed" else "failed"
        result.block, result.reason = settled.get("block"), settled.get("reason")
    return fresh, unsettled


def look_up(client: RpcClient, rows: list[Unsettled]) -> list[dict[str, Any]]:
    """Give unsettled rows the node's status (read-only: a dry run stops here); returns the
    history entries for those now final. Rows the node does not know keep `not-found`."""
    statuses = receipts.look_up(client, [result.tx_hash or "" for result, _ in rows])
    entries: list[dict[str, Any]] = []
    for (result, _), status in zip(rows, statuses, strict=True):
        result.status, result.block, result.reason = status.status, status.block, status.reason
        if status.status in ("success", "failed"):
            entries.append(status.entry())
    return entries


def settle(client: RpcClient, history: History, rows: list[Unsettled]) -> None:
    """Rows signed earlier with no final status: mined, still pending, or never sent (then
    the same signed transaction is sent again, so it can never be paid twice)."""
    entries = look_up(client, rows)
    resend = [(result, raw) for result, raw in rows if result.status == "not-found"]
    if resend:
        answers = client.batch([("eth_sendRawTransaction", [raw]) for _, raw in resend])
        for (result, _), answer in zip(resend, answers, strict=True):
            result.rebroadcast = True
            if isinstance(answer, RpcError):
                result.status, result.reason = "unknown", f"re-broadcast refused: {answer.message}"
            else:
                result.status = "pending"
                entries.append({"event": "broadcast", "tx_hash": result.tx_hash})
    history.append_many(entries)
