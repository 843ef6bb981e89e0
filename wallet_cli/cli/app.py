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
    approvals_cmds,
    batch_cmds,
    bitcoin_cmds,
    devnet_cmds,
    freeze_cmds,
    history_cmds,
    holds_cmds,
    keyfiles,
    keyring_cmds,
    keys,
    message_cmds,
    multisig_cmds,
    network_cmds,
    psbt_cmds,
    receive_cmds,
    screening_cmds,
    send_cmds,
    solana_cmds,
    twofa_cmds,
    tx_cmds,
)
from wallet_cli.cli.session import Session, remember

app = typer.Typer(
    name="wallet",
    help="A self-custody crypto wallet that screens every destination before it signs. "
    "Global options may also follow the command: wallet send --to X --amount 1 --yes --json.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,  # added below, eagerly and lazily (completion.py)
    no_args_is_help=True,
)


def _version(ctx: typer.Context, value: bool) -> None:
    """`--version`: the installed package's version, from its metadata."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    from wallet_cli.cli import output

    number = version("wallet")
    json_mode = isinstance(ctx.obj, dict) and bool(ctx.obj.get("json"))
    output.emit(json_mode, {"version": number}, [f"wallet {number}"])
    raise typer.Exit(0)


def _install_completion(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from wallet_cli.cli import completion

        completion.install(ctx)


def _show_completion(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from wallet_cli.cli import completion

        completion.show(ctx)


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
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
    install_completion: Annotated[
        bool,
        typer.Option(
            "--install-completion",
            is_eager=True,
            callback=_install_completion,
            help="Install shell completion for the current shell (bash, zsh, fish).",
        ),
    ] = False,
    show_completion: Annotated[
        bool,
        typer.Option(
            "--show-completion",
            is_eager=True,
            callback=_show_completion,
            help="Print the shell completion script, to install it by hand.",
        ),
    ] = False,
) -> None:
    ctx.obj = Session(home, wallet, network, passphrase_file, json_output, yes, debug)
    remember(ctx.obj)


keys.register(app)
keyfiles.register(app)
accounts.register(app)
send_cmds.register(app)
approvals_cmds.register(app)
receive_cmds.register(app)
batch_cmds.register(app)
history_cmds.register(app)
freeze_cmds.register(app)
tx_cmds.register(app)
message_cmds.register(app)
solana_cmds.register(app)
screening_cmds.register(app)
bitcoin_cmds.register(app)
multisig_cmds.register(app)
app.add_typer(keyring_cmds.app, name="keyring")
app.add_typer(holds_cmds.app, name="holds")
app.add_typer(twofa_cmds.app, name="2fa")
app.add_typer(network_cmds.app, name="network")
app.add_typer(devnet_cmds.app, name="devnet")
app.add_typer(psbt_cmds.app, name="psbt")
