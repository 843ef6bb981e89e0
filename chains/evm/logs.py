"""Reading what arrived at a set of addresses: ERC-20 `Transfer` logs (eth_getLogs) and
native transfers (scanning blocks' transactions, which every node offers), in block ranges
the caller bounds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chains.errors import RpcError
from chains.evm import abi
from chains.evm.address import parse
from chains.evm.rpc import RpcClient

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
        movements.append(
            Movement(
                token=parse(log["address"]),
                sender=_address(topics_seen[1]),
                recipient=_address(topics_seen[2]),
                value=int(data, 16) if data != "0x" else 0,
                tx_hash=log["transactionHash"],
                block=int(log["blockNumber"], 16),
                log_index=int(log["logIndex"], 16),
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
                if to and to.lower() in ours:
                    movements.append(
                        Movement(
                            token=None,
                            sender=parse(tx["from"]),
                            recipient=parse(to),
                            value=int(tx.get("value", "0x0"), 16),
                            tx_hash=tx["hash"],
                            block=int(tx["blockNumber"], 16),
                        )
                    )
    return movements
