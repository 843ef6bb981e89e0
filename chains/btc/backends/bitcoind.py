"""bitcoind JSON-RPC (https://developer.bitcoin.org/reference/rpc/): scantxoutset for coins,
estimatesmartfee, sendrawtransaction. BTC amounts arrive as JSON decimals and are parsed as
Decimal, so no satoshi is ever lost to float rounding."""

from __future__ import annotations

import base64
import itertools
import json
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from chains.btc.backends import Utxo
from chains.btc.backends.http import request
from chains.errors import RpcError

SATS_PER_BTC = Decimal(100_000_000)


class BitcoindClient:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._headers = {"Content-Type": "application/json"}
        if parts.username:
            token = f"{parts.username}:{parts.password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        self.url = urlunsplit(parts)
        self._ids = itertools.count(1)

    def call(self, method: str, params: list[Any]) -> Any:
        payload = {"jsonrpc": "1.0", "id": next(self._ids), "method": method, "params": params}
        try:
            body = request(self.url, json.dumps(payload).encode(), self._headers)
        except RpcError as exc:
            # bitcoind answers errors with HTTP 500 and a JSON body carrying the message.
            message = _message(exc.data) or exc.message
            raise RpcError(f"bitcoind {method}: {message}", exc.rpc_code) from None
        answer = json.loads(body, parse_float=Decimal)
        if answer.get("error"):
            raise RpcError(f"bitcoind {method}: {answer['error'].get('message')}")
        return answer.get("result")

    def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        result = self.call("scantxoutset", ["start", [f"addr({a})" for a in addresses]])
        coins = []
        for item in result.get("unspents", []):
            descriptor = str(item.get("desc", ""))
            address = next((a for a in addresses if f"addr({a})" in descriptor), "")
            coins.append(
                Utxo(
                    txid=str(item["txid"]),
                    vout=int(item["vout"]),
                    sats=int(Decimal(item["amount"]) * SATS_PER_BTC),
                    address=address or _address_of(descriptor),
                )
            )
        return coins

    def fee_rate(self, blocks: int) -> int:
        result = self.call("estimatesmartfee", [blocks])
        per_kvb = result.get("feerate")
        if per_kvb is None:
            raise RpcError(f"bitcoind has no fee estimate yet: {result.get('errors')}")
        return max(1, math.ceil(Decimal(per_kvb) * SATS_PER_BTC / 1000))

    def broadcast(self, raw_hex: str) -> str:
        return str(self.call("sendrawtransaction", [raw_hex]))


def _message(data: object) -> str | None:
    if not isinstance(data, str):
        return None
    try:
        return str(json.loads(data)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return None


def _address_of(descriptor: str) -> str:
    start = descriptor.find("addr(")
    return descriptor[start + 5 : descriptor.find(")", start)] if start >= 0 else ""
