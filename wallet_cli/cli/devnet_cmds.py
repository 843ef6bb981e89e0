"""`wallet devnet up|down|status`: a local anvil the wallet starts and stops itself."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli.cli import common, output

app = typer.Typer(help="Run a local anvil devnet (chain id 31337).", no_args_is_help=True)


@app.command("up")
def up(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="Loopback port for its RPC.")] = 8545,
) -> None:
    """Start anvil on 127.0.0.1; print its RPC URL, chain id and funded dev mnemonic."""
    from wallet_cli import devnet
    from wallet_cli.types import DEV_MNEMONIC

    session = common.session_of(ctx)
    state = devnet.up(session.home, port)
    output.emit(
        session.json,
        {**state.to_json(), "mnemonic": DEV_MNEMONIC},
        [
            f"devnet running: {state.url} (chain id {state.chain_id}, pid {state.pid})",
            f"funded dev mnemonic (public, never use it for real funds): {DEV_MNEMONIC}",
        ],
    )


@app.command("down")
def down(ctx: typer.Context) -> None:
    """Stop the devnet this home started (exactly its recorded pid)."""
    from wallet_cli import devnet

    session = common.session_of(ctx)
    state = devnet.down(session.home)
    output.emit(
        session.json,
        {"stopped": state is not None, **(state.to_json() if state else {})},
        [f"devnet stopped (pid {state.pid})" if state else "no devnet was running"],
    )


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Whether this home's devnet runs, and where."""
    from wallet_cli import devnet

    session = common.session_of(ctx)
    state = devnet.read_state(session.home)
    output.emit(
        session.json,
        {"running": state is not None, **(state.to_json() if state else {})},
        [f"devnet running: {state.url} (pid {state.pid})" if state else "devnet not running"],
    )
