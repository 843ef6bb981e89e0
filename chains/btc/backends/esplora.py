"""Esplora REST (https://github.com/Blockstream/esplora/blob/master/API.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from chains.btc.backends import Utxo
from chains.btc.backends.http import request
from chains.errors import RpcError


class EsploraClient:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _json(self, path: str) -> Any:
        body = request(f"{self.url}{path}")
        try:
            return json.loads(body)
        except ValueError:
            raise RpcError(f"Esplora answered {path} with malformed JSON") from None

    def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        coins = []
        for address in addresses:
            for item in self._json(f"/address/{address}/utxo"):
                coins.append(
                    Utxo(
                        txid=str(item["txid"]),
                        vout=int(item["vout"]),
                        sats=int(item["value"]),
                        address=address,
                        confirmed=bool(item.get("status", {}).get("confirmed", False)),
                    )
                )
        return coins

    def fee_rate(self, blocks: int) -> int:
        estimates = self._json("/fee-estimates")
        targets = sorted((int(k), float(v)) for k, v in estimates.items())
        if not targets:
            raise RpcError("Esplora gave no fee estimates")
        chosen = next((rate for target, rate in targets if target >= blocks), targets[-1][1])
        return max(1, math.ceil(chosen))

    def broadcast(self, raw_hex: str) -> str:
        body = request(f"{self.url}/tx", raw_hex.encode(), {"Content-Type": "text/plain"})
        return body.decode().strip()
