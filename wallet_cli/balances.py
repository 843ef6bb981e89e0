"""Balances as the library reads them: native coin or ERC-20 on EVM, coins on Bitcoin.

Here rather than in the CLI so a script gets the same answer as `wallet balance` without
building contract calls itself. Amounts are int base units; `shown` formats them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chains.amounts import format_amount

if TYPE_CHECKING:
    from chains.base import Network
    from wallet_cli.store.config import Config
    from wallet_cli.wallet import Wallet


@dataclass(frozen=True)
class Balance:
    """What one address (or, on Bitcoin, the wallet's scanned addresses) holds of one asset."""

    network: str
    chain: str
    address: str | None  # None: the Bitcoin wallet as a whole
    asset: str
    token: str | None  # the ERC-20 contract, None for the native coin
    base_units: int
    decimals: int
    label: str  # what a person reads as "whose": the address or the wallet

    @property
    def shown(self) -> str:
        return format_amount(self.base_units, self.decimals)

    def to_json(self) -> dict[str, Any]:
        """The `wallet balance --json` document (Bitcoin has no `token` key)."""
        document: dict[str, Any] = {
            "network": self.network,
            "chain": self.chain,
            "address": self.address,
            "asset": self.asset,
        }
        if self.chain != "btc":
            document["token"] = self.token
        return document | {"balance": self.shown, "base_units": str(self.base_units)}


def balance(
    wallet: Wallet | None,
    network: Network,
    config: Config,
    address: str | None = None,
    token: str | None = None,
    index: int = 0,
    script: str | None = None,
) -> Balance:
    """The balance of `address`, or of the wallet's address `index` (a wallet is needed then).

    Raises `BadInput`/`InvalidAddress` for a malformed address, `UnknownToken` for a token
    that is neither a contract nor in config, and `NodeUnreachable`/`ChainIdMismatch` when the
    node does not answer or is on another chain."""
    from chains.registry import adapter_for
    from wallet_cli.transfer import connect
    from wallet_cli.transfer_inputs import resolve_asset

    adapter = adapter_for(network.family)
    target = adapter.parse_address(address, network) if address is not None else None
    owner = _need(wallet) if target is None else None
    session = connect(network, None, owner, index, script)
    try:
        asset = resolve_asset(session, config, network, token)
        raw = session.balance(target, asset)
        holder = target or session.sender
    finally:
        session.close()
    label = holder
    shown: str | None = holder
    if owner is not None and session.account_wide:
        label, shown = f"wallet '{owner.name}' ({session.account_wide})", None
    return Balance(
        network.name, network.family, shown, asset.symbol, asset.contract, raw,
        asset.decimals, label,
    )  # fmt: skip


def _need(wallet: Wallet | None) -> Wallet:
    if wallet is None:
        from wallet_cli.errors import BadInput

        raise BadInput("give an address, or open a wallet to read its own balance")
    return wallet
