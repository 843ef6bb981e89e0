"""Bitcoin backends: what a node tells us about coins, fees and broadcasts.

Two wire formats: an Esplora REST server (blockstream/mempool style) and a bitcoind JSON-RPC
endpoint. Both give amounts as integer satoshis to the rest of the wallet (BTC decimals and
fee rates are parsed as Decimal, never float), and every failure is `NodeUnreachable`,
`RpcError` or `MalformedReply` (exit 6) carrying the node's own message or naming the field.
Every request has an overall deadline and a cap on the reply's size (chains/http.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from chains.errors import MalformedReply, UnsupportedChain
from chains.http import DEFAULT_TIMEOUT

MAX_SATS = 21_000_000 * 100_000_000
_TXID = re.compile(r"[0-9a-fA-F]{64}")


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


def backend_for(kind: str | None, url: str | None, timeout: float = DEFAULT_TIMEOUT) -> Backend:
    if not url:
        raise UnsupportedChain(
            "this Bitcoin network has no backend: wallet network add NAME --chain btc "
            "--rpc URL --backend esplora|bitcoind"
        )
    if kind in (None, "esplora"):
        from chains.btc.backends.esplora import EsploraClient

        return EsploraClient(url, timeout)
    if kind == "bitcoind":
        from chains.btc.backends.bitcoind import BitcoindClient

        return BitcoindClient(url, timeout)
    raise UnsupportedChain(f"unknown Bitcoin backend {kind!r} (esplora or bitcoind)")


def malformed(where: str, field: str, value: object) -> MalformedReply:
    shown = " ".join(repr(value).split())
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return MalformedReply(f"the node's {where} reply has a malformed {field}: {shown}")


def txid_field(value: object, where: str) -> str:
    if isinstance(value, str) and _TXID.fullmatch(value):
        return value.lower()
    raise malformed(where, "txid", value)


def vout_field(value: object, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**32:
        return value
    raise malformed(where, "vout", value)


def sats_field(value: object, where: str, field: str = "value") -> int:
    """Whole satoshis, within the 21 million BTC that can exist."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_SATS:
        return value
    raise malformed(where, field, value)


def btc_field(value: object, where: str, field: str = "amount") -> int:
    """A BTC amount (a JSON decimal, read as Decimal) in whole satoshis."""
    number = decimal_field(value, where, field)
    sats = number * 100_000_000
    if sats != sats.to_integral_value() or not 0 < sats <= MAX_SATS:
        raise malformed(where, field, value)
    return int(sats)


def decimal_field(value: object, where: str, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise malformed(where, field, value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise malformed(where, field, value) from None
    if not number.is_finite() or number < 0 or number.adjusted() > 15:
        raise malformed(where, field, value)
    return number


def rate_up(sat_per_vb: Decimal) -> int:
    """A fee rate rounded up to whole sat/vB, at least 1."""
    return max(1, math.ceil(sat_per_vb))
