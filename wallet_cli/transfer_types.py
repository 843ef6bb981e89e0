"""What a transfer is asked to do (`SendRequest`) and what became of it (`SendResult`, its
JSON shape in docs/cli.md): shared by send, batch and replacement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wallet_cli import screening


@dataclass(frozen=True)
class SendRequest:
    to: str
    amount: str
    token: str | None = None
    index: int = 0
    legacy: bool = False
    dry_run: bool = False
    wait: bool = True
    gas_limit: int | None = None
    allow: frozenset[str] = field(default_factory=frozenset)
    timeout: float = 120.0
    max_fee_per_gas: str | None = None  # explicit fees skip the node's quote
    priority_fee: str | None = None
    fee_rate: int | None = None  # Bitcoin: sat/vB
    fee_rate_confirmed: bool = False  # Bitcoin: a --fee-rate above max-fee-rate, meant (--yes)
    utxos: tuple[str, ...] = ()  # Bitcoin coin control
    script: str | None = None  # Bitcoin: the account's script type (wpkh, tr)
    data: str | None = None  # EVM: call data (0x hex) for a contract call; `to` is the contract


@dataclass
class SendResult:
    network: str
    chain: str
    sender: str
    to: str
    amount: str
    unit: str
    report: screening.Report
    status: str = "not-broadcast"
    tx_hash: str | None = None
    block: int | None = None
    raw: str | None = None
    fee_cap: str = "0"
    nonce: int | None = None
    token: str | None = None
    reason: str | None = None
    base_units: int = 0
    fee_unit: str = "ETH"
    selector: str | None = None  # a contract call's 4-byte selector (0x hex)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "network": self.network,
            "chain": self.chain,
            "from": self.sender,
            "to": self.to,
            "amount": self.amount,
            "unit": self.unit,
            "tx_hash": self.tx_hash,
            "status": self.status,
            "block": self.block,
            "screening": self.report.to_json(),
            "token": self.token,
            "nonce": self.nonce,
            "fee_cap": self.fee_cap,
            "fee_unit": self.fee_unit,
        }
        if self.raw is not None:
            document["raw_transaction"] = self.raw
        if self.reason is not None:
            document["reason"] = self.reason
        if self.selector is not None:
            document["selector"] = self.selector
        return document
