"""What an EVM node says became of transactions. The node is not trusted: a receipt is
checked (rpc.checked_receipt) and must name the transaction asked about, so a lying node is
a network error (exit 6), never a crash and never a wrong `confirmed` in history."""

from __future__ import annotations

from collections.abc import Sequence

from chains.errors import MalformedReply, RpcError
from chains.evm.rpc import MAX_BATCH, RpcClient, checked_receipt, quantity
from chains.session import Receipt

_METHOD = "eth_getTransactionReceipt"


def from_receipt(tx_hash: str, answer: object) -> Receipt:
    """A final outcome from a receipt the node sent for `tx_hash`."""
    receipt = checked_receipt(answer)
    named = receipt.get("transactionHash")
    if named is not None and (not isinstance(named, str) or named.lower() != tx_hash.lower()):
        raise MalformedReply(
            f"the node's {_METHOD} reply is for another transaction than {tx_hash}"
        )
    block = quantity(receipt["blockNumber"], _METHOD, "blockNumber")
    if quantity(receipt.get("status", "0x1"), _METHOD, "status") == 1:
        return Receipt(tx_hash, "success", block)
    return Receipt(tx_hash, "failed", block, "reverted")


def look_up(client: RpcClient, hashes: Sequence[str]) -> list[Receipt]:
    """The outcome of each transaction: receipts in one batch call (per MAX_BATCH), then,
    for those without one, whether the node knows them at all (`pending`)."""
    outcomes: list[Receipt] = []
    for start in range(0, len(hashes), MAX_BATCH):
        chunk = list(hashes[start : start + MAX_BATCH])
        answers = client.batch([(_METHOD, [h]) for h in chunk])
        missing = []
        for tx_hash, answer in zip(chunk, answers, strict=True):
            if isinstance(answer, RpcError):
                raise answer
            if answer is None:
                missing.append(len(outcomes))
                outcomes.append(Receipt(tx_hash, "not-found"))
            else:
                outcomes.append(from_receipt(tx_hash, answer))
        known = client.batch([("eth_getTransactionByHash", [outcomes[i].tx_hash]) for i in missing])
        for i, seen in zip(missing, known, strict=True):
            if isinstance(seen, RpcError):
                raise seen
            if seen is not None and not isinstance(seen, dict):
                raise MalformedReply(
                    "the node's eth_getTransactionByHash reply is not an object or null"
                )
            if seen is not None:
                outcomes[i] = Receipt(outcomes[i].tx_hash, "pending")
    return outcomes
