"""`wallet devnet up|down|status [--chain evm|sol]`: a local anvil, or a local Solana node,
the wallet starts and stops itself."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli.cli import common, output

app = typer.Typer(
    help="Run a local devnet: anvil (--chain evm, chain id 31337) or a Solana node (--chain sol).",
    no_args_is_help=True,
)

Chain = Annotated[str, typer.Option("--chain", help="evm (anvil) or sol (the local Solana node).")]


@app.command("up")
def up(
    ctx: typer.Context,
    chain: Chain = "evm",
    port: Annotated[
        int | None,
        typer.Option("--port", help="Loopback port for its RPC (evm: 8545, sol: 8899)."),
    ] = None,
) -> None:
    """Start the devnet on 127.0.0.1; print its RPC URL and the funded dev mnemonic."""
    from wallet_cli import devnet
    from wallet_cli.types import DEV_MNEMONIC

    session = common.session_of(ctx)
    chain = devnet.check_chain(chain)
    state = devnet.up(session.home, devnet.DEFAULT_PORTS[chain] if port is None else port, chain)
    if chain == "evm":
        output.emit(
            session.json,
            {**state.to_json(), "mnemonic": DEV_MNEMONIC},
            [
                f"devnet running: {state.url} (chain id {state.chain_id}, pid {state.pid})",
                f"funded dev mnemonic (public, never use it for real funds): {DEV_MNEMONIC}",
            ],
        )
        return
    funded = devnet.sol_funded_addresses()
    each = devnet.SOL_FUNDING // 10**9
    output.emit(
        session.json,
        {**state.to_json(), "mnemonic": DEV_MNEMONIC, "funded": funded, "balance": str(each)},
        [
            f"Solana devnet running: {state.url} (pid {state.pid}), network {state.network}",
            f"the dev mnemonic's Solana addresses 0-{len(funded) - 1} hold {each} SOL each "
            f"(public, never use it for real funds): {DEV_MNEMONIC}",
        ],
    )


@app.command("down")
def down(ctx: typer.Context, chain: Chain = "evm") -> None:
    """Stop the devnet this home started (exactly its recorded pid)."""
    from wallet_cli import devnet

    session = common.session_of(ctx)
    state = devnet.down(session.home, chain)
    output.emit(
        session.json,
        {"stopped": state is not None, **(state.to_json() if state else {})},
        [f"devnet stopped (pid {state.pid})" if state else "no devnet was running"],
    )


@app.command("status")
def status(ctx: typer.Context, chain: Chain = "evm") -> None:
    """Whether this home's devnet runs, and where."""
    from wallet_cli import devnet

    session = common.session_of(ctx)
    state = devnet.read_state(session.home, devnet.check_chain(chain))
    output.emit(
        session.json,
        {"running": state is not None, **(state.to_json() if state else {})},
        [f"devnet running: {state.url} (pid {state.pid})" if state else "devnet not running"],
    )
