"""The root Typer app: global options (CONTRACT.md) and the command groups.

Command modules import only light code at module level; each command imports what it needs
when it runs, so `wallet --help` stays fast (bench/startup.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.cli import (
    accounts,
    batch_cmds,
    bitcoin_cmds,
    devnet_cmds,
    history_cmds,
    keyfiles,
    keyring_cmds,
    keys,
    message_cmds,
    network_cmds,
    psbt_cmds,
    screening_cmds,
    send_cmds,
)
from wallet_cli.cli.session import Session

app = typer.Typer(
    name="wallet",
    help="A self-custody crypto wallet that screens every destination before it signs.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        str | None,
        typer.Option("--home", envvar="WALLET_HOME", help="Folder for wallets, config, history."),
    ] = None,
    wallet: Annotated[
        str | None, typer.Option("--wallet", envvar="WALLET_NAME", help="Which wallet.")
    ] = None,
    network: Annotated[
        str, typer.Option("--network", envvar="WALLET_NETWORK", help="A network from config.")
    ] = "devnet",
    passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--passphrase-file",
            envvar="WALLET_PASSPHRASE_FILE",
            help="Read the keystore passphrase from this file's first line.",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Accept warnings without a prompt; never a block.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback for unexpected errors.")
    ] = False,
) -> None:
    ctx.obj = Session(home, wallet, network, passphrase_file, json_output, yes, debug)


keys.register(app)
keyfiles.register(app)
accounts.register(app)
send_cmds.register(app)
batch_cmds.register(app)
history_cmds.register(app)
message_cmds.register(app)
screening_cmds.register(app)
bitcoin_cmds.register(app)
app.add_typer(keyring_cmds.app, name="keyring")
app.add_typer(network_cmds.app, name="network")
app.add_typer(devnet_cmds.app, name="devnet")
app.add_typer(psbt_cmds.app, name="psbt")
