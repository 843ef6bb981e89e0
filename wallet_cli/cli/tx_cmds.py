"""`wallet tx status HASH`: what the node says became of a transaction, recorded in history
when it is this wallet's (a `send --no-wait` settles here). Never asks for a passphrase."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli.cli import common, output

tx_app = typer.Typer(help="Transactions: their status on the network.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(tx_app, name="tx")


@tx_app.command("status")
def status(
    ctx: typer.Context,
    tx_hash: Annotated[str, typer.Argument(help="The transaction hash (0x and 64 hex digits).")],
) -> None:
    """The node's receipt: success, failed, pending or not-found. For this wallet's own
    transactions a final status is written to history (once)."""
    from wallet_cli.receipts import parse_hash, status_of

    session = common.session_of(ctx)
    parse_hash(tx_hash)  # a bad hash is exit 2 before the network or a wallet is looked at
    network = session.network()
    wallet = session.wallet() if session.home.wallet_names() else None
    lookup = status_of(wallet, network, tx_hash)
    found = lookup.status
    where = f" in block {found.block}" if found.block is not None else ""
    text = {
        "pending": "pending: the node has it, not yet in a block",
        "not-found": "not found: the node does not know this transaction",
    }.get(found.status, found.status + where)
    lines = [f"{found.tx_hash} on {network.name}: {text}"]
    if found.reason:
        lines.append(f"reason: {found.reason}")
    if lookup.recorded:
        lines.append("recorded in history")
    elif not lookup.ours and wallet is not None:
        lines.append(f"not a transaction of wallet '{wallet.name}' on {network.name}")
    output.emit(session.json, lookup.to_json(), lines)
