"""Bitcoin backends: what a node tells us about coins, fees and broadcasts.

Two wire formats: an Esplora REST server (blockstream/mempool style) and a bitcoind JSON-RPC
endpoint. Both give amounts as integer satoshis to the rest of the wallet (bitcoind's BTC
decimals are parsed as Decimal, never float), and every failure is `NodeUnreachable` or
`RpcError` (exit 6) carrying the node's own message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chains.errors import UnsupportedChain


@dataclass(frozen=True)
class Utxo:
    txid: str
    vout: int
    sats: int
    address: str
    confirmed: bool = True


class Backend(Protocol):
    def utxos(self, addresses: Sequence[str]) -> list[Utxo]: ...

    def fee_rate(self, blocks: int) -> int: ...  # sat/vB, rounded up

    def broadcast(self, raw_hex: str) -> str: ...  # txid


def backend_for(kind: str | None, url: str | None) -> Backend:
    if not url:
        raise UnsupportedChain(
            "this Bitcoin network has no backend: wallet network add NAME --chain btc "
            "--rpc URL --backend esplora|bitcoind"
        )
    if kind in (None, "esplora"):
        from chains.btc.backends.esplora import EsploraClient

        return EsploraClient(url)
    if kind == "bitcoind":
        from chains.btc.backends.bitcoind import BitcoindClient

        return BitcoindClient(url)
    raise UnsupportedChain(f"unknown Bitcoin backend {kind!r} (esplora or bitcoind)")
