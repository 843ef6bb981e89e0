"""Screening an address on its own (`wallet check`), as a script would call it.

Here rather than in the CLI so a script screens exactly as a send would, without making an
RPC client itself. An unreachable node still screens: the contract lookup then reports
its own failure as a finding instead of stopping the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chains.base import Network
    from wallet_cli.screening import Report
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet

UNREACHABLE_TIMEOUT = 2.0  # seconds: the client kept for the lookup when the chain check failed


@dataclass(frozen=True)
class Checked:
    """The screened address as the chain spells it, and the screening report."""

    address: str
    report: Report


def check(
    home: Home,
    config: Config,
    network: Network,
    wallet: Wallet | None,
    address: str,
    *,
    offline: bool = False,
    notify: Callable[[str], None] | None = None,
) -> Checked:
    """Screen `address` as the destination of a zero-value transfer from `wallet` (if any).

    `offline` skips the node (no contract check); other chains than EVM never ask one.
    Raises `InvalidAddress`/`BadInput` for a malformed address; never for the verdict,
    which is in the report (`ok`, `info`, `warn`, `block`)."""
    from chains.base import Output, Preview
    from chains.evm.transfer import ETH
    from chains.registry import adapter_for
    from wallet_cli import screening
    from wallet_cli.screening.gather import gather

    adapter = adapter_for(network.family)
    target = adapter.parse_address(address, network)
    client: Any = None
    if not offline and network.family == "evm":  # other chains have no contract lookup
        client = _client_or_unreachable(network, notify)
    try:
        context = gather(home, config, network, wallet, client)
        key = adapter.account_key(network, None)
        sender = wallet.addresses(key, [0])[0].address if wallet else ""
        preview = Preview(
            network.name, network.chain_id, sender, (Output(target, ETH, 0, address),), 0, ETH
        )
        report = screening.check(preview, context)
    finally:
        if client is not None:
            client.close()
    return Checked(target, report)


def _client_or_unreachable(network: Network, notify: Callable[[str], None] | None) -> Any:
    """A checked client; an unreachable node still screens, with a lookup-failed warning."""
    from chains.errors import NodeUnreachable
    from chains.evm.rpc import RpcClient
    from wallet_cli.transfer import connect

    try:
        return connect(network)[0]
    except NodeUnreachable:
        if network.name == "devnet" and network.is_devnet and notify is not None:
            notify("note: no node answers on the devnet; start one with 'wallet devnet up'")
        if not network.rpc_url:
            return None
        return RpcClient(network.rpc_url, timeout=UNREACHABLE_TIMEOUT)
