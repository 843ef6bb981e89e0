"""Bitcoin PSBT steps as the wallet runs them: pick the account, screen every foreign
output through the same screening as EVM transfers, then build or sign."""

from __future__ import annotations

from typing import Any

from chains.base import Asset, Network, Output, Preview, PublicAccount
from chains.btc import psbt as psbts
from chains.btc.networks import BitcoinNetwork, bitcoin_network
from chains.registry import adapter_for
from wallet_cli import screening
from wallet_cli.errors import BadInput
from wallet_cli.screening.gather import gather
from wallet_cli.store.config import Config
from wallet_cli.transfer import Confirm, enforce
from wallet_cli.wallet import Wallet

BTC = Asset("BTC", 8)


def account(wallet: Wallet, network: Network) -> tuple[PublicAccount, BitcoinNetwork]:
    if network.family != "btc":
        raise BadInput("PSBTs are for Bitcoin networks: add --network bitcoin (or a test net)")
    key = adapter_for("btc").account_key(network, "wpkh")
    return wallet.chain(key).account, bitcoin_network(network.name)


def screen(
    wallet: Wallet,
    network: Network,
    config: Config,
    summary: psbts.PsbtSummary,
    *,
    allow: frozenset[str],
    confirm: Confirm,
) -> screening.Report:
    """Every output that is not this wallet's goes through screening before any signature."""
    foreign = tuple(
        Output(o.address, BTC, o.sats, o.address) for o in summary.outputs if not o.mine
    )
    sender = wallet.addresses(adapter_for("btc").account_key(network, "wpkh"), [0])[0].address
    preview = Preview(network.name, None, sender, foreign, summary.fee or 0, BTC)
    report = screening.check(preview, gather(wallet.home, config, network, wallet, None))
    enforce(report, allow, confirm, preview)
    return report


def summary_of(wallet: Wallet, network: Network, text: str) -> tuple[Any, psbts.PsbtSummary]:
    public, bitcoin = account(wallet, network)
    assert public.descriptors is not None
    psbt = psbts.load(text)
    watch = psbts.watch_wallet(public.descriptors, bitcoin)
    try:
        summary = psbts.summarize(psbt, watch, bitcoin)
    except Exception as exc:
        raise psbts.InvalidPsbt(
            f"the PSBT does not fit network {network.name!r} or is malformed ({type(exc).__name__})"
        ) from None
    return psbt, summary
