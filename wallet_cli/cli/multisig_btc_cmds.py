"""`wallet multisig btc-key`: this wallet's BIP-48 key, to hand to Bitcoin cosigners."""

from __future__ import annotations

import typer

from wallet_cli.cli import common, output


def register(app: typer.Typer) -> None:
    app.command("btc-key")(btc_key)


def btc_key(ctx: typer.Context) -> None:
    """Print this wallet's BIP-48 P2WSH key m/48'/coin'/0'/2' with its origin,
    [fingerprint/48'/coin'/0'/2']xpub… (tpub on test networks; default network bitcoin)."""
    from wallet_cli import multisig_btc

    session = common.session_of(ctx)
    network = session.network()
    if network.family != "btc":
        network = session.config.network("bitcoin")
    wallet = session.wallet()
    view = multisig_btc.btc_key(
        wallet, network, lambda: wallet.unlock(session.unlock_sources(wallet))
    )
    output.emit(session.json, view.document, view.lines)
