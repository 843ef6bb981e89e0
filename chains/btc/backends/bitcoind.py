"""bitcoind JSON-RPC (https://developer.bitcoin.org/reference/rpc/): scantxoutset for coins,
estimatesmartfee, sendrawtransaction. BTC amounts arrive as JSON decimals and are parsed as
Decimal, so no satoshi is ever lost to float rounding."""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from chains.btc.backends import (
    Utxo,
    btc_field,
    decimal_field,
    malformed,
    rate_up,
    txid_field,
    vout_field,
)
from chains.btc.backends.http import Http
from chains.errors import RpcError
from chains.http import DEFAULT_TIMEOUT, one_line

SATS_PER_BTC = Decimal(100_000_000)
_TXID = re.compile(r"[0-9a-fA-F]{64}")


class BitcoindClient:
    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        parts = urlsplit(url)
        self._headers = {"Content-Type": "application/json"}
        if parts.username:
            token = f"{parts.username}:{parts.password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        self._http = Http(urlunsplit(parts), timeout)
        self.url = self._http.url
        self.timeout = timeout
        self._ids = itertools.count(1)

    def call(self, method: str, params: list[Any], timeout: float | None = None) -> Any:
        """One JSON-RPC call; `timeout` (seconds) replaces the usual one for slow calls."""
        payload = {"jsonrpc": "1.0", "id": next(self._ids), "method": method, "params": params}
        try:
            body = self._http.request("", json.dumps(payload).encode(), self._headers, timeout)
        except RpcError as exc:
            # bitcoind answers errors with HTTP 500 and a JSON body carrying the message.
            message = _message(exc.data) or exc.message
            raise RpcError(f"bitcoind {method}: {message}", exc.rpc_code) from None
        try:
            answer = json.loads(body, parse_float=Decimal)
        except (ValueError, RecursionError):
            raise RpcError(f"bitcoind answered {method} with malformed JSON") from None
        if not isinstance(answer, dict):
            raise malformed(f"bitcoind {method}", "answer", answer)
        error = answer.get("error")
        if error:
            text = error.get("message") if isinstance(error, dict) else error
            raise RpcError(f"bitcoind {method}: {one_line(text, 300)}")
        return answer.get("result")

    def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        where = "bitcoind scantxoutset"
        result = self.call("scantxoutset", ["start", [f"addr({a})" for a in addresses]])
        unspents = result.get("unspents", []) if isinstance(result, dict) else None
        if not isinstance(unspents, list):
            raise malformed(where, "unspents", result)
        coins = []
        for item in unspents:
            if not isinstance(item, dict):
                raise malformed(where, "unspent", item)
            descriptor = str(item.get("desc", ""))
            address = next((a for a in addresses if f"addr({a})" in descriptor), "")
            coins.append(
                Utxo(
                    txid=txid_field(item.get("txid"), where),
                    vout=vout_field(item.get("vout"), where),
                    sats=btc_field(item.get("amount"), where, "amount"),
                    address=address or _address_of(descriptor),
                )
            )
        return coins

    def fee_rate(self, blocks: int) -> int:
        where = "bitcoind estimatesmartfee"
        result = self.call("estimatesmartfee", [blocks])
        if not isinstance(result, dict):
            raise malformed(where, "result", result)
        per_kvb = result.get("feerate")
        if per_kvb is None:
            errors = one_line(result.get("errors"), 200)
            raise RpcError(f"bitcoind has no fee estimate yet: {errors}")
        btc_per_kvb = decimal_field(per_kvb, where, "feerate")
        return rate_up(btc_per_kvb * SATS_PER_BTC / 1000)

    def broadcast(self, raw_hex: str) -> str:
        """The txid bitcoind names, or "" when its answer is not one."""
        answer = self.call("sendrawtransaction", [raw_hex])
        return answer.lower() if isinstance(answer, str) and _TXID.fullmatch(answer) else ""


def _message(data: object) -> str | None:
    if not isinstance(data, str):
        return None
    try:
        return one_line(json.loads(data)["error"]["message"], 300)
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def _address_of(descriptor: str) -> str:
    start = descriptor.find("addr(")
    return descriptor[start + 5 : descriptor.find(")", start)] if start >= 0 else ""
