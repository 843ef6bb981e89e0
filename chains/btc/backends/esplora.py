"""Esplora REST (https://github.com/Blockstream/esplora/blob/master/API.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from chains.btc.backends import (
    Utxo,
    decimal_field,
    malformed,
    rate_up,
    sats_field,
    txid_field,
    vout_field,
)
from chains.btc.backends.http import Http
from chains.errors import RpcError
from chains.http import DEFAULT_TIMEOUT


class EsploraClient:
    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._http = Http(url.rstrip("/"), timeout)
        self.url = self._http.url

    def _json(self, path: str) -> Any:
        body = self._http.request(path)
        try:
            return json.loads(body, parse_float=Decimal)
        except (ValueError, RecursionError):
            raise RpcError(f"Esplora answered {path} with malformed JSON") from None

    def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        coins = []
        for address in addresses:
            where = f"Esplora /address/{address}/utxo"
            items = self._json(f"/address/{address}/utxo")
            if not isinstance(items, list):
                raise malformed(where, "list of coins", items)
            for item in items:
                if not isinstance(item, dict):
                    raise malformed(where, "coin", item)
                status = item.get("status")
                coins.append(
                    Utxo(
                        txid=txid_field(item.get("txid"), where),
                        vout=vout_field(item.get("vout"), where),
                        sats=sats_field(item.get("value"), where, "value"),
                        address=address,
                        confirmed=isinstance(status, dict) and status.get("confirmed") is True,
                    )
                )
        return coins

    def fee_rate(self, blocks: int) -> int:
        where = "Esplora /fee-estimates"
        estimates = self._json("/fee-estimates")
        if not isinstance(estimates, dict):
            raise malformed(where, "table of estimates", estimates)
        targets = []
        for key, value in estimates.items():
            if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) < 6):
                raise malformed(where, "confirmation target", key)
            targets.append((int(key), decimal_field(value, where, f"estimate for {key} blocks")))
        if not targets:
            raise RpcError("Esplora gave no fee estimates")
        targets.sort()
        chosen = next((rate for target, rate in targets if target >= blocks), targets[-1][1])
        return rate_up(chosen)

    def broadcast(self, raw_hex: str) -> str:
        """The txid the backend names, or "" when its answer is not one (the caller knows the
        transaction's own txid; the broadcast itself was accepted)."""
        body = self._http.request("/tx", raw_hex.encode(), {"Content-Type": "text/plain"})
        text = body[:100].decode("ascii", "replace").strip()
        return text if re.fullmatch(r"[0-9a-f]{64}", text) else ""
