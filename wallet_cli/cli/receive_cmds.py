"""`wallet receive`: the address to give a payer, as text, a payment URI and, on a
terminal, a QR code (segno, imported only then). Public data only: never a passphrase.

The URI (BIP-21, EIP-681 or a Solana Pay transfer request) comes from the library:
wallet_cli/addresses.py.
"""

from __future__ import annotations

import io
import sys
from typing import Annotated

import typer

from wallet_cli.cli import common, output
from wallet_cli.errors import InvalidIndex


def register(app: typer.Typer) -> None:
    app.command("receive")(receive)


def receive(
    ctx: typer.Context,
    index: Annotated[int, typer.Option("--index", help="Which address of the wallet.")] = 0,
    amount: Annotated[
        str | None,
        typer.Option(
            "--amount", help="Ask for this amount in the URI (1.5, 20gwei, 1000sat, 5000lamports)."
        ),
    ] = None,
    script: common.ScriptOption = None,
) -> None:
    """Show an address to receive on, with a payment URI and (on a terminal) a QR code."""
    from wallet_cli.addresses import account_key, payment_uri
    from wallet_cli.wallet import MAX_INDEX

    session = common.session_of(ctx)
    if not 0 <= index <= MAX_INDEX:
        raise InvalidIndex(f"--index must be between 0 and {MAX_INDEX}")
    network = session.network()
    key = account_key(network, script)
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


def qr_text(uri: str) -> str:
    """The QR code as lines of Unicode half blocks (light modules drawn, for dark themes)."""
    import segno

    buffer = io.StringIO()
    segno.make(uri, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue().rstrip("\n")
