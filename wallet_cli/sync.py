"""`wallet sync`: record what arrived at this wallet's addresses, so screening can tell an
address that only ever sent dust or zero-value transfers, or forged transfers in the
wallet's name (the usual address-poisoning bait), from a real counterparty.

Bounded: at most `max_blocks` per run, `chunk` blocks per log request; where the last run
stopped is kept in `sync/<wallet>.<network>.json`, and a first run starts `max_blocks`
before the chain's head (poisoning bait is recent). Native transfers are found by reading
whole blocks, which is heavy on a public node, so only the last `native_blocks` of the
range are read for them.

A transfer whose counterparty is one of this wallet's own addresses, or the zero address
(a mint, or a burn), is recorded unflagged: neither is poisoning bait, and listing them as
suspicious senders would only teach a person to ignore the list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chains.amounts import format_amount
from chains.base import Network
from chains.evm import logs
from chains.evm.rpc import RpcClient, quantity
from chains.evm.transfer import token_asset
from wallet_cli.store.atomic import make_private_dir, write_atomic
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.store.history_index import HistoryIndex
from wallet_cli.wallet import Wallet

NATIVE_DUST_WEI = 10**13  # 0.00001 ETH
ZERO_ADDRESS = "0x" + "0" * 40
TOKEN_DUST_DIVISOR = 1000  # under a thousandth of one token unit


@dataclass
class SyncResult:
    """`senders`: the distinct counterparties of the suspicious transfers recorded now;
    `suspicious` counts them (so a count shown beside the list always matches it), and
    `suspicious_transfers` counts the transfers."""

    network: str
    first_block: int
    last_block: int
    recorded: int
    suspicious_transfers: int
    senders: list[str]

    @property
    def suspicious(self) -> int:
        return len(self.senders)

    def to_json(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "from_block": self.first_block,
            "to_block": self.last_block,
            "recorded": self.recorded,
            "suspicious": self.suspicious,
            "suspicious_transfers": self.suspicious_transfers,
            "suspicious_senders": self.senders,
        }


def sync(
    wallet: Wallet,
    network: Network,
    config: Config,
    client: RpcClient,
    *,
    from_block: int | None = None,
    chunk: int = 2000,
    max_blocks: int = 50_000,
    native_blocks: int = 5_000,
) -> SyncResult:
    state_path = wallet.home.root / "sync" / f"{wallet.name}.{network.name}.json"
    latest = quantity(client.call("eth_blockNumber"), "eth_blockNumber", "block number")
    saved = _saved_next(state_path)
    if from_block is not None:
        first = from_block
    elif saved is not None:
        first = saved
    else:
        first = max(0, latest - max_blocks + 1)
    last = min(latest, first + max_blocks - 1)
    native_from = max(first, last - native_blocks + 1)
    record = wallet.public.chains["evm"]
    ours = sorted(set(record.addresses.values()))
    history = History(wallet.home, wallet.name)
    seen: set[tuple[str, int]] = set()  # found in this run; earlier ones are in the index
    listed = {a.lower() for a in config.tokens(network.name).values()}
    classify = _Classifier(client, listed, {a.lower() for a in ours} | {ZERO_ADDRESS})
    new: list[dict[str, Any]] = []
    index = HistoryIndex.current(history)
    try:
        for start in range(first, last + 1, chunk):
            end = min(last, start + chunk - 1)
            moves = [
                *((m, "in") for m in logs.token_transfers(client, ours, start, end, incoming=True)),
                *(
                    (m, "out")
                    for m in logs.token_transfers(client, ours, start, end, incoming=False)
                ),
            ]
            if end >= native_from:
                native = logs.native_transfers(client, ours, max(start, native_from), end)
                moves += [(m, "in") for m in native]
            for move, direction in moves:
                if (move.tx_hash, move.log_index) in seen:
                    continue
                if index.has_incoming(move.tx_hash, move.log_index):
                    continue
                if direction == "out" and index.signed(move.tx_hash):
                    continue  # our own transfer, already in history
                seen.add((move.tx_hash, move.log_index))
                new.append(classify.entry(move, direction, network))
    finally:
        index.close()
    with wallet.home.lock():  # another sync may have recorded some of these meanwhile
        index = HistoryIndex.current(history, locked=True)
        try:
            new = [e for e in new if not index.has_incoming(e["tx_hash"], e["log_index"])]
        finally:
            index.close()
        history.append_many_locked(new)
        make_private_dir(state_path.parent)
        write_atomic(state_path, json.dumps({"next_block": last + 1}).encode())
    suspicious = [e for e in new if e["flags"]]
    senders = sorted({e["counterparty"] for e in suspicious})
    return SyncResult(network.name, first, last, len(new), len(suspicious), senders)


def _saved_next(path: Any) -> int | None:
    try:
        return int(json.loads(path.read_bytes())["next_block"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class _Classifier:
    def __init__(self, client: RpcClient, listed: set[str], harmless: set[str]) -> None:
        self.client = client
        self.listed = listed
        self.harmless = harmless  # lower-case: this wallet's addresses and the zero address
        self._decimals: dict[str, tuple[int, str]] = {}

    def _asset(self, token: str) -> tuple[int, str]:
        if token not in self._decimals:
            try:
                asset = token_asset(self.client, token)
                self._decimals[token] = (asset.decimals, asset.symbol)
            except Exception:
                self._decimals[token] = (0, "?")
        return self._decimals[token]

    def entry(self, move: logs.Movement, direction: str, network: Network) -> dict[str, Any]:
        flags: list[str] = []
        if move.token is None:
            unit, shown = "ETH", format_amount(move.value, 18)
            if move.value == 0:
                flags.append("zero-value")
            elif move.value < NATIVE_DUST_WEI:
                flags.append("dust")
        else:
            decimals, unit = self._asset(move.token)
            shown = format_amount(move.value, decimals)
            if move.value == 0:
                flags.append("zero-value")
            elif move.token.lower() not in self.listed:
                flags.append("unlisted-token")
            elif move.value * TOKEN_DUST_DIVISOR < 10**decimals:
                flags.append("dust")
        counterparty = move.sender if direction == "in" else move.recipient
        if direction == "out":
            flags.append("forged-outgoing")
        if counterparty.lower() in self.harmless:
            flags = []
        what = "zero-value" if "zero-value" in flags else shown
        summary = (
            f"a {what} {unit} transfer"
            if direction == "in"
            else f"a {what} {unit} transfer forged as sent by this wallet to it"
        )
        return {
            "event": "incoming",
            "network": network.name,
            "direction": direction,
            "counterparty": counterparty,
            "from": move.sender,
            "to": move.recipient,
            "token": move.token,
            "value_base": str(move.value),
            "amount": shown,
            "unit": unit,
            "tx_hash": move.tx_hash,
            "log_index": move.log_index,
            "block": move.block,
            "flags": flags,
            "summary": summary,
        }


def sync_network(wallet: Wallet, network: Network, config: Config, **options: Any) -> SyncResult:
    """`sync` over a connection of its own to the network's node (checked chain id); the
    caller holds no RPC client. `options` are `sync`'s keywords."""
    from chains.errors import UnsupportedChain
    from chains.evm.session import connect

    if network.family != "evm":
        raise UnsupportedChain(
            f"wallet sync reads EVM logs; {network.name!r} is not an EVM network"
        )
    session = connect(network, "", 0, None)
    try:
        return sync(wallet, network, config, session.client, **options)
    finally:
        session.close()
