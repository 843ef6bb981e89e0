"""`wallet network add|list|remove`: named networks kept in config.toml."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli.cli import common, output

app = typer.Typer(help="Named networks (config.toml).", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Network name.")],
    chain: Annotated[str, typer.Option("--chain", help="evm, btc or sol.")],
    rpc: Annotated[str | None, typer.Option("--rpc", help="RPC URL.")] = None,
    chain_id: Annotated[int | None, typer.Option("--chain-id", help="Expected chain id.")] = None,
    devnet: Annotated[bool, typer.Option("--devnet", help="A local development chain.")] = False,
    backend: Annotated[
        str | None, typer.Option("--backend", help="Bitcoin: esplora (default) or bitcoind.")
    ] = None,
) -> None:
    """Add or replace a network; EVM networks need --rpc and --chain-id."""
    from chains.base import FAMILIES, Network, family_of
    from wallet_cli.errors import BadInput
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import validate_name

    session = common.session_of(ctx)
    validate_name(name)
    family = family_of(chain)
    if family is None:
        raise BadInput(f"--chain must be one of {', '.join(FAMILIES)}, not {chain!r}")
    if family == "evm" and (rpc is None or chain_id is None):
        raise BadInput("an EVM network needs --rpc URL and --chain-id N")
    if rpc is not None and not rpc.startswith(("http://", "https://")):
        raise BadInput(f"--rpc must be an http(s) URL, not {rpc!r}")
    if backend is not None and (family != "btc" or backend not in ("esplora", "bitcoind")):
        raise BadInput("--backend is esplora or bitcoind, for Bitcoin networks")
    if family == "btc" and name not in (
        "bitcoin",
        "bitcoin-testnet",
        "bitcoin-signet",
        "bitcoin-regtest",
    ):
        raise BadInput(
            "Bitcoin networks are named bitcoin, bitcoin-testnet, bitcoin-signet, bitcoin-regtest"
        )
    network = Network(
        name,
        family,
        rpc,
        chain_id,
        devnet,
        backend or ("esplora" if rpc and family == "btc" else None),
    )
    home = session.home
    with home.lock():
        config = Config.load(home)
        config.add_network(network)
        config.save(home)
    output.emit(
        session.json,
        {
            "name": name,
            "chain": family,
            "rpc": rpc,
            "chain_id": chain_id,
            "devnet": devnet,
            "backend": network.backend,
        },
        [f"network {name!r} saved ({family}, {rpc or 'no RPC'}, chain id {chain_id})"],
    )


@app.command("list")
def list_networks(ctx: typer.Context) -> None:
    """Built-in and configured networks."""
    session = common.session_of(ctx)
    rows = []
    for name in session.config.network_names():
        network = session.config.network(name)
        rows.append(
            {
                "name": name,
                "chain": network.family,
                "rpc": network.rpc_url,
                "chain_id": network.chain_id,
                "devnet": network.is_devnet,
            }
        )
    lines = [
        f"{r['name']:<16} {r['chain']:<4} {r['chain_id']!s:<10} {r['rpc'] or '-'}" for r in rows
    ]
    output.emit(session.json, {"networks": rows}, lines)


@app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Network name.")]) -> None:
    """Remove a configured network (built-in ones cannot be removed)."""
    from wallet_cli.errors import UnknownNetwork
    from wallet_cli.store.config import Config

    session = common.session_of(ctx)
    home = session.home
    with home.lock():
        config = Config.load(home)
        if not config.remove_network(name):
            raise UnknownNetwork(f"no network {name!r} in config.toml")
        config.save(home)
    output.emit(session.json, {"removed": name}, [f"network {name!r} removed"])
