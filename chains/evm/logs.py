"""Reading what arrived at a set of addresses: ERC-20 `Transfer` logs (eth_getLogs) and
native transfers (scanning blocks' transactions, which every node offers), in block ranges
the caller bounds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from chains.errors import ChainError, MalformedReply, RpcError
from chains.evm import abi
from chains.evm.address import parse
from chains.evm.rpc import RpcClient, hex_data, quantity

BLOCKS_PER_REQUEST = 100


@dataclass(frozen=True)
class Movement:
    """One transfer: `token` None for the native coin; `log_index` -1 for native."""

    token: str | None
    sender: str
    recipient: str
    value: int
    tx_hash: str
    block: int
    log_index: int = -1


def _topic(address: str) -> str:
    return "0x" + abi.address_word(address).hex()


def _address(topic: str) -> str:
    return parse("0x" + topic[-40:])


def token_transfers(
    client: RpcClient, addresses: Iterable[str], first: int, last: int, *, incoming: bool
) -> list[Movement]:
    """Transfer logs to (`incoming`) or from our addresses in blocks first..last."""
    ours = [_topic(a) for a in addresses]
    topics: list[Any] = [abi.TRANSFER_TOPIC, None, ours] if incoming else [abi.TRANSFER_TOPIC, ours]
    logs = client.call(
        "eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(last), "topics": topics}]
    )
    movements = []
    for log in logs or []:
        topics_seen = log.get("topics", [])
        if len(topics_seen) != 3:
            continue  # ERC-721 and odd events share the topic but not the shape
        data = log.get("data") or "0x"
        with _malformed("eth_getLogs"):
            movements.append(
                Movement(
                    token=parse(log["address"]),
                    sender=_address(topics_seen[1]),
                    recipient=_address(topics_seen[2]),
                    value=int.from_bytes(hex_data(data, "eth_getLogs", "data")),
                    tx_hash=_hash(log["transactionHash"], "eth_getLogs"),
                    block=quantity(log["blockNumber"], "eth_getLogs", "blockNumber"),
                    log_index=quantity(log["logIndex"], "eth_getLogs", "logIndex"),
                )
            )
    return movements


def native_transfers(
    client: RpcClient, addresses: Iterable[str], first: int, last: int
) -> list[Movement]:
    ours = {a.lower() for a in addresses}
    movements = []
    for start in range(first, last + 1, BLOCKS_PER_REQUEST):
        numbers = range(start, min(last, start + BLOCKS_PER_REQUEST - 1) + 1)
        blocks = client.batch([("eth_getBlockByNumber", [hex(n), True]) for n in numbers])
        for block in blocks:
            if isinstance(block, RpcError):
                raise block
            for tx in (block or {}).get("transactions", []):
                to = tx.get("to")
                if isinstance(to, str) and to.lower() in ours:
                    with _malformed("eth_getBlockByNumber"):
                        movements.append(
                            Movement(
                                token=None,
                                sender=parse(tx["from"]),
                                recipient=parse(to),
                                value=quantity(tx.get("value"), "eth_getBlockByNumber", "value"),
                                tx_hash=_hash(tx["hash"], "eth_getBlockByNumber"),
                                block=quantity(
                                    tx["blockNumber"], "eth_getBlockByNumber", "blockNumber"
                                ),
                            )
                        )
    return movements


@contextlib.contextmanager
def _malformed(method: str) -> Iterator[None]:
    """A log or transaction missing a field, or with a field of the wrong type, is the
    node's fault (exit 6), never a crash."""
    try:
        yield
    except (KeyError, TypeError, AttributeError, IndexError, ChainError) as exc:
        if isinstance(exc, MalformedReply):
            raise
        detail = exc.args[0] if isinstance(exc, KeyError) else type(exc).__name__
        raise MalformedReply(f"the node's {method} reply is malformed ({detail})") from None


def _hash(value: object, method: str) -> str:
    if isinstance(value, str) and len(value) == 66:
        hex_data(value, method, "transaction hash")
        return value
    raise MalformedReply(f"the node's {method} reply has a malformed transaction hash")
