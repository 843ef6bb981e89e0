"""The next step for an error a person can fix with one command: a `hint:` line under the
error (a `hint` field in --json). Each hint is worked out from what this invocation
already knows; finding one never fails the report and never reaches a node.
"""

from __future__ import annotations

import contextlib
import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from wallet_cli.cli.session import Session
    from wallet_cli.types import Network

DEV_CHAIN_IDS = (31337, 1337)  # anvil/hardhat and ganache/geth --dev


def hint_for(exc: Exception, session: Session | None) -> str | None:
    if session is None:
        return None
    try:
        return _hint(exc, session)
    except Exception:  # a hint is a courtesy: the error itself is what must be shown
        return None


def _hint(exc: Exception, session: Session) -> str | None:
    code = getattr(exc, "code", None)
    if code == "frozen":
        from wallet_cli.screening.advice import advice_for_freeze

        sentence, link = advice_for_freeze()
        return f"{sentence} ({link})"
    if code == "node-unreachable":
        network = _network(session)
        if network is not None and network.name == "devnet" and network.is_devnet:
            return (
                "start the local devnet with 'wallet devnet up', or pick a network: --network NAME"
            )
    message = str(getattr(exc, "message", ""))
    if (
        code == "wallet-not-found"
        and "wallet init" not in message
        and not session.home.wallet_names()
    ):
        return "create a wallet with 'wallet init', or restore one from its words: 'wallet restore'"
    report = getattr(exc, "report", None)
    if report is not None:
        return dev_chain_hint(report, _network(session))
    return None


def dev_chain_hint(report: Any, network: Network | None) -> str | None:
    """A dev-key finding on a loopback node with a dev chain id: the network is most likely
    a local chain that was added without --devnet."""
    if network is None or network.is_devnet or network.family != "evm":
        return None
    if not any(f.rule.startswith("dev-key") for f in report.findings):
        return None
    if network.chain_id not in DEV_CHAIN_IDS or not is_loopback(network.rpc_url):
        return None
    return (
        f"if '{network.name}' is a local development chain, say so: wallet network add "
        f"{network.name} --chain evm --rpc {network.rpc_url} --chain-id {network.chain_id} "
        "--devnet"
    )


def is_loopback(url: str | None) -> bool:
    host = urlsplit(url or "").hostname
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _network(session: Session) -> Network | None:
    with contextlib.suppress(Exception):
        return session.network()
    return None
