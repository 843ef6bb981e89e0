"""`wallet receive`: the address to give a payer, as text, a payment URI and, on a
terminal, a QR code (segno, imported only then). Public data only: never a passphrase.

The URI is what payers' wallets scan: BIP-21 on Bitcoin networks (`bitcoin:ADDR?amount=`,
in BTC) and EIP-681 on EVM ones (`ethereum:ADDR@CHAINID?value=`, in wei).
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from wallet_cli.cli import common, output
from wallet_cli.errors import BadInput, InvalidIndex

if TYPE_CHECKING:
    from chains.base import Network


def register(app: typer.Typer) -> None:
    app.command("receive")(receive)


def receive(
    ctx: typer.Context,
    index: Annotated[int, typer.Option("--index", help="Which address of the wallet.")] = 0,
    amount: Annotated[
        str | None,
        typer.Option("--amount", help="Ask for this amount in the URI (1.5, 20gwei, 1000sat)."),
    ] = None,
    script: common.ScriptOption = None,
) -> None:
    """Show an address to receive on, with a payment URI and (on a terminal) a QR code."""
    from chains.registry import adapter_for
    from wallet_cli.wallet import MAX_INDEX

    session = common.session_of(ctx)
    if not 0 <= index <= MAX_INDEX:
        raise InvalidIndex(f"--index must be between 0 and {MAX_INDEX}")
    network = session.network()
    key = adapter_for(network.family).account_key(network, script)
    address = session.wallet().addresses(key, [index])[0].address
    uri = payment_uri(network, address, amount)
    lines = [address, uri]
    if not session.json and output.is_terminal(sys.stdout):
        lines = [qr_text(uri), *lines]
    output.emit(
        session.json,
        {"network": network.name, "chain": network.family, "address": address, "uri": uri},
        lines,
    )


def payment_uri(network: Network, address: str, amount: str | None) -> str:
    from chains.amounts import BTC_UNITS, format_amount, parse_amount

    if network.family == "btc":
        uri = f"bitcoin:{address}"
        if amount is not None:
            sats = parse_amount(amount, 8, units=BTC_UNITS)
            uri += f"?amount={format_amount(sats, 8)}"
        return uri
    if network.family == "evm":
        uri = f"ethereum:{address}"
        if network.chain_id is not None:
            uri += f"@{network.chain_id}"
        if amount is not None:
            uri += f"?value={parse_amount(amount, network.native.decimals)}"
        return uri
    raise BadInput(f"no payment URI for {network.family} networks")


def qr_text(uri: str) -> str:
    """The QR code as lines of Unicode half blocks (light modules drawn, for dark themes)."""
    import segno

    buffer = io.StringIO()
    segno.make(uri, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue().rstrip("\n")
