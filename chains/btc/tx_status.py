"""Whether a Bitcoin backend has a transaction in a block, in its mempool, or not at all.

Esplora: `GET /tx/:txid/status`. bitcoind: `getrawtransaction TXID true` (the mempool, and
blocks when the node keeps a transaction index; without one a mined transaction it no longer
has in the mempool reads as not found). A confirmed Bitcoin transaction cannot fail."""

from __future__ import annotations

from typing import Any

from chains.btc.backends import malformed
from chains.errors import RpcError
from chains.session import Receipt

NOT_FOUND_HTTP = 404
NOT_FOUND_BITCOIND = "No such mempool or blockchain transaction"


def status(node: Any, txid: str) -> Receipt:
    from chains.btc.backends.bitcoind import BitcoindClient

    if isinstance(node, BitcoindClient):
        return _bitcoind(node, txid)
    return _esplora(node, txid)


def _esplora(node: Any, txid: str) -> Receipt:
    where = f"Esplora /tx/{txid}/status"
    try:
        answer = node._json(f"/tx/{txid}/status")
    except RpcError as exc:
        if exc.rpc_code == NOT_FOUND_HTTP:
            return Receipt(txid, "not-found")
        raise
    if not isinstance(answer, dict) or not isinstance(answer.get("confirmed"), bool):
        raise malformed(where, "status", answer)
    if not answer["confirmed"]:
        return Receipt(txid, "pending")
    height = answer.get("block_height")
    if not isinstance(height, int) or isinstance(height, bool) or height < 0:
        raise malformed(where, "block_height", height)
    return Receipt(txid, "success", height)


def _bitcoind(node: Any, txid: str) -> Receipt:
    try:
        answer = node.call("getrawtransaction", [txid, True])
    except RpcError as exc:
        if NOT_FOUND_BITCOIND.lower() in exc.message.lower():
            return Receipt(txid, "not-found")
        raise
    if not isinstance(answer, dict):
        raise malformed("bitcoind getrawtransaction", "transaction", answer)
    confirmations = answer.get("confirmations", 0)
    if not isinstance(confirmations, int) or confirmations <= 0:
        return Receipt(txid, "pending")
    block_hash = answer.get("blockhash")
    header = node.call("getblockheader", [block_hash, True]) if block_hash else None
    height = header.get("height") if isinstance(header, dict) else None
    return Receipt(txid, "success", height if isinstance(height, int) else None)
