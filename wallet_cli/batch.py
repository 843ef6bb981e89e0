"""`wallet batch`: many transfers from one CSV, validated and screened in full before any
signature, then signed together and sent pipelined (JSON-RPC batches), receipts awaited
together.

Idempotent: each row gets a key (wallet, network, sender, the file's SHA-256, row number)
written to history with its signed raw transaction. Running the same file again skips
rows already confirmed, and re-broadcasts (never re-signs) rows that were signed but whose
fate is unknown, so no row is ever sent twice, even after a crash.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chains.amounts import parse_amount
from chains.base import Asset, Network
from chains.errors import ChainError, RpcError
from chains.evm.rpc import RpcClient, checked_receipt, quantity
from chains.evm.transfer import ItemError, TransferItem, plan_batch
from chains.evm.tx import SignedTx, Signer
from chains.registry import adapter_for
from wallet_cli import screening
from wallet_cli.errors import BadBatchFile, ScreeningBlocked
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.transfer import (
    CHECK_AMOUNT_DECIMALS,
    Confirm,
    SendResult,
    Unlock,
    connect,
    enforce,
    fee_policy,
    new_result,
    parse_positive_amount,
    resolve_asset,
    screening_context,
    signed_entry,
)
from wallet_cli.wallet import Wallet

Progress = Callable[[str, int, int], None]
SEND_CHUNK = 200
MAX_ROWS = 10_000


@dataclass(frozen=True)
class BatchRow:
    line: int
    to: str
    amount: str
    token: str | None


@dataclass
class RowResult:
    row: BatchRow
    result: SendResult | None = None
    skipped: bool = False
    status: str = "not-broadcast"
    tx_hash: str | None = None
    block: int | None = None
    reason: str | None = None
    recorded: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Fresh rows describe what was signed now; skipped ones what history recorded."""
        source: Any = self.result or self.recorded
        pick = (lambda name: getattr(source, name)) if self.result else source.get
        document: dict[str, Any] = {
            "row": self.row.line,
            "to": pick("to") or self.row.to,
            "amount": pick("amount") or self.row.amount,
            "unit": pick("unit"),
            "tx_hash": self.tx_hash,
            "status": self.status,
            "block": self.block,
            "skipped": self.skipped,
        }
        if self.result is not None:
            document["screening"] = self.result.report.to_json()
        if self.reason:
            document["reason"] = self.reason
        return document


# About 400 bytes a row at MAX_ROWS rows; a field longer than any address, amount or token.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_FIELD = 256


def read_rows(data: bytes, path: Path) -> list[BatchRow]:
    """The rows of a batch CSV, refused with the row named if any is malformed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadBatchFile(f"{path} is not UTF-8 text") from None
    rows: list[BatchRow] = []
    reader = csv.reader(io.StringIO(text))
    line_number = 0
    try:
        for line_number, cells in enumerate(reader, start=1):
            cells = [c.strip() for c in cells]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if line_number == 1 and cells[0].lower() == "to":
                continue
            if any(len(cell) > MAX_FIELD for cell in cells):
                raise BadBatchFile(
                    f"row {line_number}: a field is longer than {MAX_FIELD} characters"
                )
            if len(cells) not in (2, 3) or not cells[0] or not cells[1]:
                got = repr(cells) if len(cells) <= 3 else f"{len(cells)} fields"
                raise BadBatchFile(f"row {line_number}: expected 'to,amount[,token]', got {got}")
            token = cells[2] if len(cells) == 3 and cells[2] else None
            rows.append(BatchRow(line_number, cells[0], cells[1], token))
            if len(rows) > MAX_ROWS:
                raise BadBatchFile(
                    f"{path} has more than {MAX_ROWS} rows; at most {MAX_ROWS} per batch"
                )
    except csv.Error as exc:  # a field past csv's own limit, a NUL byte
        raise BadBatchFile(f"row {line_number + 1}: not valid CSV ({exc})") from None
    if not rows:
        raise BadBatchFile(f"{path} has no rows")
    return rows


def run_batch(
    wallet: Wallet,
    network: Network,
    config: Config,
    path: Path,
    *,
    index: int,
    unlock: Unlock,
    confirm: Confirm,
    progress: Progress,
    allow: frozenset[str] = frozenset(),
    wait: bool = True,
    timeout: float = 300.0,
    max_fee_per_gas: str | None = None,
    priority_fee: str | None = None,
) -> list[RowResult]:
    from keystore.files import read_limited

    fees = fee_policy(network, max_fee_per_gas, priority_fee)  # bad fees: exit 2, no node asked

    data = read_limited(path, MAX_FILE_BYTES, "batch file")
    rows = read_rows(data, path)
    adapter = adapter_for(network.family)
    targets = []
    for row in rows:
        with _row_errors(row):
            targets.append(adapter.parse_address(row.to, network))
            parse_amount(row.amount, CHECK_AMOUNT_DECIMALS, allow_units=row.token is None)
    sender = wallet.addresses(adapter.account_key(network, None), [index])[0].address
    client, chain_id = connect(network)
    try:
        assets: dict[str | None, Asset] = {}
        amounts = []
        for row in rows:
            with _row_errors(row):
                if row.token not in assets:
                    assets[row.token] = resolve_asset(client, config, network, row.token)
                amounts.append(parse_positive_amount(row.amount, assets[row.token]))
        digest = hashlib.sha256(data).hexdigest()
        keys = [
            hashlib.sha256(
                f"{wallet.name}|{network.name}|{chain_id}|{sender}|{digest}|{row.line}".encode()
            ).hexdigest()
            for row in rows
        ]
        history = History(wallet.home, wallet.name)
        results = [RowResult(row) for row in rows]
        # One run of a file at a time: the file's lock is held to the end, receipts
        # included, and the rows still to send are decided under the account lock.
        with wallet.home.account_lock(f"batch-{chain_id}-{sender}-{digest}"):
            with wallet.home.account_lock(f"evm-{chain_id}-{sender}"):
                fresh = _resume(client, history, keys, results, progress)
                items = [
                    TransferItem(targets[i], assets[rows[i].token], amounts[i], rows[i].to)
                    for i in fresh
                ]
                try:
                    plans = plan_batch(
                        client,
                        network=network.name,
                        chain_id=chain_id,
                        sender=sender,
                        items=items,
                        fees=fees,
                    )
                except ItemError as exc:
                    line = rows[fresh[exc.position]].line
                    raise BadBatchFile(f"row {line}: {exc.error.message}") from None
                context = screening_context(wallet, network, config, client)
                if context.code is not None:
                    context.code.prefetch([t.recipient for t in items])
                reports = [screening.check(plan.preview, context) for plan in plans]
                for i, plan, report in zip(fresh, plans, reports, strict=True):
                    try:
                        enforce(report, allow, confirm, plan.preview)
                    except ScreeningBlocked as exc:
                        raise ScreeningBlocked(
                            f"row {rows[i].line}: {exc.message}", report
                        ) from None
                progress("screened", len(rows), len(rows))
                if plans:
                    unlock()
                    signer = Signer(wallet.private_key("evm", index))
                signed: list[SignedTx] = []
                entries = []
                for i, plan, report in zip(fresh, plans, reports, strict=True):
                    one = signer.sign(plan.tx)
                    signed.append(one)
                    result = new_result(
                        network,
                        sender,
                        targets[i],
                        assets[rows[i].token],
                        amounts[i],
                        plan,
                        report,
                        one,
                    )
                    results[i].result, results[i].tx_hash = result, one.hash_hex
                    entries.append(
                        signed_entry(result, chain_id, one, allow=allow, dry_run=False, key=keys[i])
                    )
                history.append_many(entries)
                progress("signed", len(signed), len(signed))
                _broadcast_all(client, history, [results[i] for i in fresh], signed, progress)
            if wait:
                _await_all(client, history, results, timeout, progress)
        return results
    finally:
        client.close()


@contextlib.contextmanager
def _row_errors(row: BatchRow) -> Iterator[None]:
    """Re-raise a chain input error as a batch error naming the row."""
    try:
        yield
    except ChainError as error:
        if error.kind != "input":
            raise
        raise BadBatchFile(f"row {row.line}: {error.message}") from None


def _resume(
    client: RpcClient,
    history: History,
    keys: list[str],
    results: list[RowResult],
    progress: Progress,
) -> list[int]:
    """Settle rows this file already signed; return the positions still to send."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    events: dict[str, list[dict[str, Any]]] = {}
    for entry in history.entries():  # one read of the journal serves both indexes
        if entry.get("key"):
            by_key.setdefault(entry["key"], []).append(entry)
        if entry.get("tx_hash"):
            events.setdefault(entry["tx_hash"], []).append(entry)
    fresh, rebroadcast = [], []
    for position, key in enumerate(keys):
        signed = by_key.get(key)
        if not signed:
            fresh.append(position)
            continue
        entry = signed[-1]
        result = results[position]
        result.skipped, result.tx_hash, result.recorded = True, entry["tx_hash"], entry
        final = [
            e for e in events.get(entry["tx_hash"], []) if e["event"] in ("confirmed", "failed")
        ]
        if final:
            result.status = "success" if final[-1]["event"] == "confirmed" else "failed"
            result.block, result.reason = final[-1].get("block"), final[-1].get("reason")
        else:
            rebroadcast.append((result, entry["raw"]))
    if rebroadcast:
        _settle_unfinished(client, history, rebroadcast)
        progress("resumed", len(rebroadcast), len(rebroadcast))
    return fresh


def _settle_unfinished(
    client: RpcClient, history: History, rows: list[tuple[RowResult, str]]
) -> None:
    """Rows signed earlier with no final status: mined, still pending, or never sent."""
    hashes = [result.tx_hash for result, _ in rows]
    receipts = client.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
    known = client.batch([("eth_getTransactionByHash", [h]) for h in hashes])
    entries: list[dict[str, Any]] = []
    resend: list[tuple[RowResult, str]] = []
    for (result, raw), receipt, seen in zip(rows, receipts, known, strict=True):
        if isinstance(receipt, dict):
            _apply_receipt(result, receipt, entries)
        elif isinstance(seen, dict):
            result.status = "pending"
        else:
            resend.append((result, raw))
    if resend:
        answers = client.batch([("eth_sendRawTransaction", [raw]) for _, raw in resend])
        for (result, _), answer in zip(resend, answers, strict=True):
            if isinstance(answer, RpcError):
                result.status, result.reason = "unknown", f"re-broadcast refused: {answer.message}"
            else:
                result.status = "pending"
                entries.append({"event": "broadcast", "tx_hash": result.tx_hash})
    history.append_many(entries)


def _apply_receipt(
    result: RowResult, receipt: dict[str, Any], entries: list[dict[str, Any]]
) -> None:
    receipt = checked_receipt(receipt)  # the node's word, checked before it is believed
    result.block = quantity(receipt["blockNumber"], "eth_getTransactionReceipt", "blockNumber")
    ok = quantity(receipt.get("status", "0x1"), "eth_getTransactionReceipt", "status") == 1
    result.status = "success" if ok else "failed"
    entry: dict[str, Any] = {
        "event": "confirmed" if ok else "failed",
        "tx_hash": result.tx_hash,
        "block": result.block,
    }
    if not ok:
        result.reason = entry["reason"] = "reverted"
    entries.append(entry)


def _broadcast_all(
    client: RpcClient,
    history: History,
    results: list[RowResult],
    signed: list[SignedTx],
    progress: Progress,
) -> None:
    sent = 0
    for start in range(0, len(signed), SEND_CHUNK):
        chunk = signed[start : start + SEND_CHUNK]
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


def _await_all(
    client: RpcClient,
    history: History,
    results: list[RowResult],
    timeout: float,
    progress: Progress,
) -> None:
    waiting = [r for r in results if r.status == "pending" and r.tx_hash]
    if not waiting:
        return
    receipts = client.wait_for_receipts([r.tx_hash for r in waiting if r.tx_hash], timeout)
    entries: list[dict[str, Any]] = []
    for result in waiting:
        receipt = receipts.get(result.tx_hash or "")
        if receipt is not None:
            _apply_receipt(result, receipt, entries)
    history.append_many(entries)
    progress("confirmed", len(entries), len(waiting))
