"""An EVM node's JSON-RPC, on the shared client (chains/jsonrpc.py: one keep-alive
connection, batches, deadlines, reads asked again after no answer).

Why not web3.py: it takes ~0.3 s to import, and its receipt wait polls at a fixed 100 ms,
which caps a send loop near 9 tx/s. This client reuses one connection, sends batches in one
round trip (at most MAX_BATCH calls each), and `wait_for_receipts` polls with a short
back-off that starts at 2 ms.

The node is not trusted (chains/http.py): every call has an overall deadline (`timeout`)
and a cap on the reply's size, and `quantity`/`hex_data` turn a malformed value into a
`MalformedReply` naming the method and field. All of these are exit 6, never a crash.

A connection can drop, or a request go unanswered, while the node answers the next one
(a proxy or node restarting, a lost request). A call or batch made only of READS is
asked again after no answer (`NoAnswer`: a timeout, a refused or dropped connection), at
most RETRIES more times, all within one overall deadline: the caller's `deadline` (a receipt
wait's, `--timeout`), or else `timeout` from the first attempt, so `rpc-timeout` still bounds
every call. Anything else, eth_sendRawTransaction above all, is asked once: the caller
learns the outcome from the hash, and a send of the same signed bytes again is answered
with an error `already_known` recognises.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from chains.errors import ChainIdMismatch, MalformedReply, NodeUnreachable, RpcError
from chains.http import DEFAULT_TIMEOUT, MAX_REPLY_BYTES
from chains.jsonrpc import MAX_BATCH, RETRIES, Call, JsonRpcClient
from chains.jsonrpc import shown as _shown

__all__ = [
    "MAX_BATCH",
    "READS",
    "RETRIES",
    "Call",
    "RpcClient",
    "already_known",
    "checked_receipt",
    "hex_data",
    "quantity",
]

POLL_START = 0.002
POLL_MAX = 0.5
_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,64}")  # at most 256 bits, as the EVM's words
_DATA = re.compile(r"0x(?:[0-9a-fA-F]{2})*")
READS = frozenset(
    {
        "anvil_getAutomine",
        "eth_blockNumber",
        "eth_call",
        "eth_chainId",
        "eth_estimateGas",
        "eth_feeHistory",
        "eth_gasPrice",
        "eth_getBalance",
        "eth_getBlockByNumber",
        "eth_getCode",
        "eth_getLogs",
        "eth_getTransactionByHash",
        "eth_getTransactionCount",
        "eth_getTransactionReceipt",
        "eth_maxPriorityFeePerGas",
    }
)  # calls that change nothing on the node: safe to ask again
# How nodes answer a raw transaction they already hold (the same signed bytes sent again).
_KNOWN = (
    "already known",  # geth, reth, erigon
    "transaction already imported",  # anvil (seen: send the same raw transaction twice)
    "known transaction",  # besu ("Known transaction"), older geth ("known transaction: 0x..")
    "alreadyknown",  # nethermind (AcceptTxResult.AlreadyKnown)
    "already imported",  # openethereum ("Transaction with the same hash was already imported")
    "existing tx with same hash",  # erigon's txpool
    "already_exists",  # erigon's txpool import result (ALREADY_EXISTS)
)


def already_known(error: RpcError) -> bool:
    """Whether `error` is the node's answer to a transaction it already holds: the caller
    treats that row as pending (sent), not rejected. Not "nonce too low": that is also the
    answer once the transaction (or another with its nonce) was mined; look up the hash."""
    text = error.message.lower()
    return any(phrase in text for phrase in _KNOWN)


def quantity(value: object, method: str, field: str) -> int:
    """A JSON-RPC QUANTITY (0x-prefixed hex) as an int; anything else is the node's fault."""
    if isinstance(value, str) and _QUANTITY.fullmatch(value):
        return int(value, 16)
    raise MalformedReply(f"the node's {method} reply has a malformed {field}: {_shown(value)}")


def hex_data(value: object, method: str, field: str) -> bytes:
    """JSON-RPC DATA (0x-prefixed, whole bytes) as bytes."""
    if isinstance(value, str) and _DATA.fullmatch(value):
        return bytes.fromhex(value[2:])
    raise MalformedReply(f"the node's {method} reply has a malformed {field}: {_shown(value)}")


class RpcClient(JsonRpcClient):
    """An EVM node's JSON-RPC: chain id checks and receipt waits on the shared client."""

    def __init__(
        self, url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_REPLY_BYTES
    ) -> None:
        super().__init__(url, timeout, max_bytes, READS)

    def chain_id(self) -> int:
        return quantity(self.call("eth_chainId"), "eth_chainId", "chain id")

    def check_chain_id(self, expected: int | None, network: str) -> int:
        actual = self.chain_id()
        if expected is not None and actual != expected:
            raise ChainIdMismatch(
                f"the node at {self.url} reports chain id {actual}, but network {network!r} "
                f"expects {expected}; nothing was signed"
            )
        return actual

    def wait_for_receipts(
        self,
        tx_hashes: Sequence[str],
        timeout: float,
        found: Callable[[int], None] | None = None,
    ) -> dict[str, Any]:
        """Receipts by hash, with a growing pause between polls that find nothing new.

        Give the hashes in nonce order: each poll asks for the earliest MAX_BATCH still
        pending (later nonces cannot be mined before them), so 20,000 hashes cost about
        100 polls, not 100 requests a poll. `found` hears the running count. `timeout`
        bounds the whole wait, a poll in flight included: when it runs out, the receipts
        found so far are returned (the rest are still pending)."""
        pending = list(dict.fromkeys(tx_hashes))
        receipts: dict[str, Any] = {}
        deadline = time.monotonic() + timeout
        pause = POLL_START
        while pending:
            window = pending[:MAX_BATCH]
            try:
                answers = self._batch(
                    [("eth_getTransactionReceipt", [h]) for h in window], deadline
                )
            except NodeUnreachable:
                if time.monotonic() >= deadline:
                    break
                raise
            still = []
            for tx_hash, answer in zip(window, answers, strict=True):
                if isinstance(answer, RpcError):
                    raise answer
                if answer is None:
                    still.append(tx_hash)
                else:
                    receipts[tx_hash] = checked_receipt(answer)
            progressed = len(still) < len(window)
            pending = still + pending[MAX_BATCH:]
            if progressed and found is not None:
                found(len(receipts))
            if not pending or time.monotonic() >= deadline:
                break
            if progressed:
                pause = POLL_START
                if not still:
                    continue  # the whole window was mined: ask for the next one at once
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)
        return receipts


def checked_receipt(answer: object) -> dict[str, Any]:
    """A receipt whose fields the wallet reads are well-formed (block number, status, gas)."""
    method = "eth_getTransactionReceipt"
    if not isinstance(answer, dict):
        raise MalformedReply(f"the node's {method} reply is not an object: {_shown(answer)}")
    quantity(answer.get("blockNumber"), method, "blockNumber")
    for field in ("status", "gasUsed"):
        if field in answer:
            quantity(answer[field], method, field)
    return answer
