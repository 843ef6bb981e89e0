"""Sending a chunk of transactions to a devnet that automines (anvil, hardhat): with automine
on, the node mines a block for each transaction as it arrives, in tiny and often empty
blocks, and every block costs it time that grows with the accounts in its state; a
20,000-row batch then slows to a crawl and a send request can go unanswered for seconds.
So a chunk is sent with automine paused and mined as one block.

A process killed while automine is paused would leave the devnet in manual mining: a marker
file in the wallet's state folder is written first and removed after, and the next session
that finds it turns automine back on. Never on a network that is not a devnet."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from chains.errors import ChainError
from chains.evm.rpc import RpcClient


def marker(state: Path | None, chain_id: int) -> Path | None:
    return state / f"devnet-{chain_id}-automine-paused" if state is not None else None


def heal(client: RpcClient, paused: Path | None) -> None:
    """A run that died while automine was paused left this marker: turn it back on."""
    if paused is None or not paused.exists():
        return
    with contextlib.suppress(ChainError):
        client.call("evm_setAutomine", [True])
    paused.unlink(missing_ok=True)


def automines(client: RpcClient) -> bool:
    try:
        return client.call("anvil_getAutomine") is True
    except ChainError:
        return False  # not anvil (or hardhat): send as to any node


@contextlib.contextmanager
def _paused(client: RpcClient, paused: Path | None) -> Iterator[None]:
    if paused is not None:
        paused.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(paused, os.O_WRONLY | os.O_CREAT, 0o600))
    client.call("evm_setAutomine", [False])
    try:
        yield
    finally:
        client.call("evm_setAutomine", [True])
        if paused is not None:
            paused.unlink(missing_ok=True)


def send_in_one_block(
    client: RpcClient, paused: Path | None, send: Callable[[], list[Any]]
) -> list[Any]:
    """`send()` with automine paused, then one block mined for what it sent."""
    with _paused(client, paused):
        answers = send()
        client.call("evm_mine")
    return answers
