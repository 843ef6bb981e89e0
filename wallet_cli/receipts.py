"""What the node says became of transactions, and the history entries that record it.

Shared by `wallet tx status`, `wallet history --refresh` and batch resumes. The node is not
trusted: a receipt is checked (chains.evm.rpc.checked_receipt) and must name the
transaction asked about, so a lying node is a network error (exit 6), never a crash and
never a wrong `confirmed` in history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chains.base import Network
from chains.errors import MalformedReply, RpcError, UnsupportedChain
from chains.evm.rpc import RpcClient, checked_receipt, quantity
from wallet_cli.errors import BadInput
from wallet_cli.store.history import FINAL_EVENTS, History

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet

CHUNK = 200  # receipts a JSON-RPC batch asks for; well under the node's reply-size cap
_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_METHOD = "eth_getTransactionReceipt"


@dataclass
class TxStatus:
    """`status`: success, failed, pending (the node has it, unmined) or not-found."""

    tx_hash: str
    status: str
    block: int | None = None
    reason: str | None = None

    def entry(self) -> dict[str, Any]:
        """The history entry for a final status."""
        document: dict[str, Any] = {
            "event": "confirmed" if self.status == "success" else "failed",
            "tx_hash": self.tx_hash,
            "block": self.block,
        }
        if self.reason:
            document["reason"] = self.reason
        return document


def parse_hash(text: str) -> str:
    if not _HASH.fullmatch(text.strip()):
        raise BadInput(f"not a transaction hash (0x and 64 hex digits): {text[:80]!r}")
    return text.strip().lower()


def from_receipt(tx_hash: str, answer: object) -> TxStatus:
    """A final status from a receipt the node sent for `tx_hash`."""
    receipt = checked_receipt(answer)
    named = receipt.get("transactionHash")
    if named is not None and (not isinstance(named, str) or named.lower() != tx_hash.lower()):
        raise MalformedReply(
            f"the node's {_METHOD} reply is for another transaction than {tx_hash}"
        )
    block = quantity(receipt["blockNumber"], _METHOD, "blockNumber")
    if quantity(receipt.get("status", "0x1"), _METHOD, "status") == 1:
        return TxStatus(tx_hash, "success", block)
    return TxStatus(tx_hash, "failed", block, "reverted")


def look_up(client: RpcClient, hashes: Sequence[str]) -> list[TxStatus]:
    """The status of each transaction: receipts in one batch call (per CHUNK), then, for
    those without one, whether the node knows them at all."""
    statuses: list[TxStatus] = []
    for start in range(0, len(hashes), CHUNK):
        chunk = list(hashes[start : start + CHUNK])
        answers = client.batch([(_METHOD, [h]) for h in chunk])
        missing = []
        for tx_hash, answer in zip(chunk, answers, strict=True):
            if isinstance(answer, RpcError):
                raise answer
            if answer is None:
                missing.append(len(statuses))
                statuses.append(TxStatus(tx_hash, "not-found"))
            else:
                statuses.append(from_receipt(tx_hash, answer))
        known = client.batch([("eth_getTransactionByHash", [statuses[i].tx_hash]) for i in missing])
        for i, seen in zip(missing, known, strict=True):
            if isinstance(seen, RpcError):
                raise seen
            if seen is not None and not isinstance(seen, dict):
                raise MalformedReply(
                    "the node's eth_getTransactionByHash reply is not an object or null"
                )
            if seen is not None:
                statuses[i].status = "pending"
    return statuses


def ours(history: History, network: Network, chain_id: int) -> dict[str, dict[str, Any]]:
    """This wallet's transactions on this network and chain: tx hash -> its newest entry
    fields (`status` is the newest event)."""
    mine: dict[str, dict[str, Any]] = {}
    for entry in history.entries():
        tx_hash = entry.get("tx_hash")
        if not isinstance(tx_hash, str):
            continue
        key = tx_hash.lower()
        if entry.get("event") == "signed":
            if entry.get("network") != network.name or entry.get("chain_id") not in (
                None,
                chain_id,
            ):
                continue
            mine[key] = {**entry, "status": "signed"}
        elif key in mine:
            mine[key].update({k: v for k, v in entry.items() if k not in ("prev", "seq")})
            mine[key]["status"] = entry.get("event")
    return mine


def pending(mine: dict[str, dict[str, Any]]) -> list[str]:
    """Transactions sent (or signed, then interrupted) whose fate history does not know."""
    return [
        row["tx_hash"]
        for row in mine.values()
        if row["status"] in ("signed", "broadcast") and not row.get("dry_run")
    ]


def record(history: History, statuses: Sequence[TxStatus]) -> list[TxStatus]:
    """Append `confirmed`/`failed` for final statuses history does not have yet, under the
    home lock (so two refreshes never record one receipt twice); returns those recorded."""
    final = [s for s in statuses if s.status in ("success", "failed")]
    if not final:
        return []
    with history.home.lock():
        done = {
            str(e.get("tx_hash", "")).lower()
            for e in history.entries()
            if e.get("event") in FINAL_EVENTS
        }
        new = [s for s in final if s.tx_hash.lower() not in done]
        history.append_many_locked([s.entry() for s in new])
    return new


@dataclass
class Lookup:
    """`tx status`: the node's word, whether the transaction is this wallet's (on this
    network), and whether history was updated now."""

    network: str
    status: TxStatus
    ours: bool
    recorded: bool

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "network": self.network,
            "tx_hash": self.status.tx_hash,
            "status": self.status.status,
            "block": self.status.block,
            "in_history": self.ours,
            "history_updated": self.recorded,
        }
        if self.status.reason:
            document["reason"] = self.status.reason
        return document


def status_of(wallet: Wallet | None, network: Network, text: str) -> Lookup:
    """One transaction's status from the node; a final one is recorded in history when the
    transaction is this wallet's on this network and history does not have it yet."""
    tx_hash = parse_hash(text)
    client, chain_id = _connect(network)
    try:
        history = History(wallet.home, wallet.name) if wallet is not None else None
        mine = ours(history, network, chain_id) if history is not None else {}
        row = mine.get(tx_hash)
        asked = row["tx_hash"] if row else tx_hash  # as history spells it
        status = look_up(client, [asked])[0]
    finally:
        client.close()
    recorded = bool(history is not None and row and record(history, [status]))
    return Lookup(network.name, status, row is not None, recorded)


def refresh(wallet: Wallet, network: Network) -> tuple[list[TxStatus], list[TxStatus]]:
    """Every transaction of this wallet on this network whose fate history does not know
    (sent with --no-wait, or interrupted), asked of the node in one batch call (per CHUNK);
    returns (all looked up, those now recorded as confirmed or failed)."""
    client, chain_id = _connect(network)
    try:
        history = History(wallet.home, wallet.name)
        statuses = look_up(client, pending(ours(history, network, chain_id)))
    finally:
        client.close()
    return statuses, record(history, statuses)


def _connect(network: Network) -> tuple[RpcClient, int]:
    from wallet_cli.transfer import connect

    if network.family != "evm":
        raise UnsupportedChain(
            f"transaction status is read from EVM receipts; {network.name!r} is a "
            f"{network.family} network"
        )
    return connect(network)
