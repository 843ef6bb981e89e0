"""The ERC-20 allowances a set of owners has granted: found from the node's `Approval`
logs (eth_getLogs, in bounded chunks), each (owner, token, spender) then confirmed with
`allowance(owner, spender)` now. A log is history (the allowance may since have been spent
or revoked); the allowance call is the truth, and a zero one is not an allowance at all.

ERC-721 emits an `Approval` event with the same topic and a fourth, indexed token id: those
logs are skipped (their approvals are per item and show up in no `allowance()`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chains.base import Asset, Grant
from chains.errors import ChainError, RpcError
from chains.evm import abi
from chains.evm.address import parse
from chains.evm.call_intents import APPROVAL_TOPIC, allowance_call, is_unlimited
from chains.evm.rpc import MAX_BATCH, RpcClient, hex_data, quantity
from chains.evm.transfer import token_asset

CHUNK_BLOCKS = 2000  # per eth_getLogs request: what public nodes commonly accept
MAX_SCAN_BLOCKS = 100_000  # per run: 50 requests at most


@dataclass(frozen=True)
class Allowance:
    """What `owner` has allowed now: `grant.amount` base units of `grant.token` to
    `grant.spender`; `block` is the last `Approval` log seen for the pair."""

    owner: str
    grant: Grant
    asset: Asset
    block: int


@dataclass(frozen=True)
class AllowanceScan:
    first_block: int
    last_block: int
    allowances: tuple[Allowance, ...]
    head: int = 0  # the chain's latest block when scanned: last_block < head means more to read


def scan(
    client: RpcClient,
    owners: Sequence[str],
    *,
    token: str | None = None,
    first_block: int | None = None,
    known: Sequence[tuple[str, str, str, int]] = (),
    chunk: int = CHUNK_BLOCKS,
    max_blocks: int = MAX_SCAN_BLOCKS,
) -> AllowanceScan:
    """Allowances by `owners` (of `token` only, when given) whose `Approval` logs fall in
    `first_block`.. (default: the last `max_blocks` blocks), at most `max_blocks` blocks, and
    those of the `known` (owner, token, spender, block) pairs an earlier scan found: every
    one confirmed with `allowance()` now."""
    latest = quantity(client.call("eth_blockNumber"), "eth_blockNumber", "block number")
    first = max(0, latest - max_blocks + 1) if first_block is None else first_block
    last = min(latest, first + max_blocks - 1)
    pairs: dict[tuple[str, str, str], int] = {  # (owner, token, spender) -> last block
        (owner, contract, spender): block
        for owner, contract, spender, block in known
        if owner in owners and (token is None or contract == token)
    }
    for start in range(first, last + 1, chunk):
        for found in _approval_logs(client, owners, token, start, min(last, start + chunk - 1)):
            owner, contract, spender, block = found
            key = (owner, contract, spender)
            pairs[key] = max(block, pairs.get(key, -1))
    amounts = _allowances(client, list(pairs))
    assets = _assets(client, sorted({contract for _, contract, _ in pairs}))
    found_now = []
    for (owner, contract, spender), amount in zip(pairs, amounts, strict=True):
        if not amount:
            continue  # spent, revoked, or not an ERC-20 answer
        unlimited = is_unlimited(amount)
        grant = Grant("approve", contract, spender, amount, unlimited, None, "allowance")
        found_now.append(
            Allowance(owner, grant, assets[contract], pairs[(owner, contract, spender)])
        )
    found_now.sort(key=lambda a: (a.owner, a.grant.token or "", a.grant.spender))
    return AllowanceScan(first, last, tuple(found_now), latest)


def _approval_logs(
    client: RpcClient, owners: Sequence[str], token: str | None, first: int, last: int
) -> list[tuple[str, str, str, int]]:
    topics: list[Any] = [APPROVAL_TOPIC, ["0x" + abi.address_word(o).hex() for o in owners]]
    query: dict[str, Any] = {"fromBlock": hex(first), "toBlock": hex(last), "topics": topics}
    if token is not None:
        query["address"] = token
    found = []
    for log in client.call("eth_getLogs", [query]) or []:
        try:
            seen = log.get("topics", [])
            if len(seen) != 3:
                continue  # ERC-721: a fourth, indexed token id
            found.append(
                (
                    parse("0x" + seen[1][-40:]),
                    parse(log["address"]),
                    parse("0x" + seen[2][-40:]),
                    quantity(log["blockNumber"], "eth_getLogs", "blockNumber"),
                )
            )
        except (KeyError, TypeError, AttributeError, IndexError, ChainError):
            continue  # a malformed log names no allowance; allowance() is the truth anyway
    return found


def _allowances(client: RpcClient, pairs: list[tuple[str, str, str]]) -> list[int]:
    """`allowance(owner, spender)` of each pair's token, now; 0 when the token will not say."""
    amounts: list[int] = []
    for start in range(0, len(pairs), MAX_BATCH):
        calls = [
            (
                "eth_call",
                [{"to": token, "data": "0x" + allowance_call(owner, spender).hex()}, "latest"],
            )
            for owner, token, spender in pairs[start : start + MAX_BATCH]
        ]
        for answer in client.batch(calls):
            amounts.append(_uint_answer(answer))
    return amounts


def _uint_answer(answer: Any) -> int:
    if isinstance(answer, RpcError) or not isinstance(answer, str):
        return 0
    try:
        return abi.decode_uint(hex_data(answer, "eth_call", "allowance()"))
    except ChainError:
        return 0


def _assets(client: RpcClient, tokens: list[str]) -> dict[str, Asset]:
    """Symbol and decimals of each token; one that does not answer is shown in base units."""
    assets = {}
    for token in tokens:
        try:
            assets[token] = token_asset(client, token)
        except ChainError:
            assets[token] = Asset("?", 0, token)
    return assets
