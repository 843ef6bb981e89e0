"""Screening an address on its own (`wallet check`), as a script would call it.

Here rather than in the CLI so a script screens exactly as a send would, without making an
RPC client itself. An unreachable node still screens: the contract lookup then reports
its own failure as a finding instead of stopping the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chains.base import Network
    from chains.session import ChainSession
    from wallet_cli.screening import Report
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet


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
    from chains.registry import adapter_for
    from wallet_cli import screening
    from wallet_cli.screening.context import CodeLookup
    from wallet_cli.screening.gather import gather

    adapter = adapter_for(network.family)
    target = adapter.parse_address(address, network)
    session, unreachable = (None, False) if offline else _session_of(network, notify)
    try:
        context = gather(home, config, network, wallet, session)
        if unreachable:  # the lookup reports its own failure
            context = replace(context, code=CodeLookup(_unreachable))
        key = adapter.account_key(network, None)
        sender = wallet.addresses(key, [0])[0].address if wallet else ""
        native = network.native
        preview = Preview(
            network.name, network.chain_id, sender, (Output(target, native, 0, address),), 0,
            native,
        )  # fmt: skip
        report = screening.check(preview, context)
    finally:
        if session is not None:
            session.close()
    return Checked(target, report)


def _session_of(
    network: Network, notify: Callable[[str], None] | None
) -> tuple[ChainSession | None, bool]:
    """A checked session, or None and whether that is because the node does not answer
    (the check still screens, with a lookup-failed warning) or the network has none."""
    from chains.errors import NodeUnreachable, UnsupportedChain
    from wallet_cli.transfer import connect

    try:
        return connect(network), False
    except UnsupportedChain:
        return None, False
    except NodeUnreachable:
        if network.name == "devnet" and network.is_devnet and notify is not None:
            notify("note: no node answers on the devnet; start one with 'wallet devnet up'")
        return None, True


def _unreachable(addresses: list[str]) -> list[bool | None]:
    from chains.errors import NodeUnreachable

    raise NodeUnreachable("the node did not answer")
