"""`wallet network add|list|remove`: named networks kept in config.toml."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from wallet_cli.cli import common, output

if TYPE_CHECKING:
    from wallet_cli.types import Network

app = typer.Typer(help="Named networks (config.toml).", no_args_is_help=True)


SOLANA_NETWORKS = ("solana", "solana-devnet", "solana-testnet", "solana-localnet")


def _solana_network(name: str, rpc: str | None, chain_id: int | None, devnet: bool) -> bool:
    """Whether the Solana network `name` is a devnet. Only the clusters' own names: the
    node's genesis hash is checked against the cluster's (Solana has no chain id), so a
    network of another name could not be checked."""
    from wallet_cli.errors import BadInput

    if name not in SOLANA_NETWORKS:
        raise BadInput(f"Solana networks are named {', '.join(SOLANA_NETWORKS)}")
    if rpc is None or chain_id is not None:
        raise BadInput("a Solana network needs --rpc URL and has no --chain-id")
    if devnet and name != "solana-localnet":
        raise BadInput("--devnet: only solana-localnet is a local development chain")
    return name == "solana-localnet"


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
    symbol: Annotated[
        str | None, typer.Option("--symbol", help="Native asset symbol (default ETH, BTC).")
    ] = None,
    max_fee_per_gas: Annotated[
        str | None,
        typer.Option("--max-fee-per-gas", help="EVM ceiling on the node's quote (1000gwei)."),
    ] = None,
    max_fee: Annotated[
        str | None,
        typer.Option("--max-fee", help="EVM ceiling per transfer, native asset (0.1)."),
    ] = None,
    max_fee_rate: Annotated[
        int | None, typer.Option("--max-fee-rate", help="Bitcoin ceiling, sat/vB (500).")
    ] = None,
    fee_warn_floor: Annotated[
        str | None,
        typer.Option("--fee-warn-floor", help="Warn of a fee above the amount past this."),
    ] = None,
    rpc_timeout: Annotated[
        float | None, typer.Option("--rpc-timeout", help="Seconds per node call (10).")
    ] = None,
) -> None:
    """Add or replace a network; EVM networks need --rpc and --chain-id."""
    from wallet_cli.errors import BadInput
    from wallet_cli.store import network_settings
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import validate_name
    from wallet_cli.types import Network, family_of

    session = common.session_of(ctx)
    validate_name(name)
    family = family_of(chain)
    if family is None:
        raise BadInput(f"--chain must be evm, btc or sol, not {chain!r}")
    if family == "sol":
        devnet = _solana_network(name, rpc, chain_id, devnet)
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
    given = {
        "symbol": symbol,
        "max-fee-per-gas": max_fee_per_gas,
        "max-fee": max_fee,
        "max-fee-rate": max_fee_rate,
        "fee-warn-floor": fee_warn_floor,
        "rpc-timeout": rpc_timeout,
    }
    settings = {key: value for key, value in given.items() if value is not None}
    network = Network(
        name,
        family,
        rpc,
        chain_id,
        devnet,
        backend or ("esplora" if rpc and family == "btc" else None),
    )
    try:
        network = network_settings.apply(network, settings)
    except network_settings.SettingError as exc:
        raise BadInput(f"--{exc}") from None
    home = session.home
    with home.lock():
        config = Config.load(home)
        config.add_network(network, settings)
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
            **_limits_json(network),
        },
        [
            f"network {name!r} saved ({', '.join(_summary(network))})",
            f"  {_limits_text(network)}",
        ],
    )


def _summary(network: Network) -> list[str]:
    parts = [network.family, network.rpc_url or "no RPC"]
    if network.chain_id is not None:
        parts.append(f"chain id {network.chain_id}")
    if network.is_devnet:
        parts.append("devnet")
    return parts


def _limits_json(network: Network) -> dict[str, Any]:
    """The network's native symbol, fee ceilings and RPC deadline, as config.toml spells
    them (amounts in the native asset, gas prices in gwei)."""
    from wallet_cli.types import format_amount

    limits, native = network.limits, network.native
    document: dict[str, Any] = {"symbol": native.symbol}
    if network.family == "evm":
        document["max_fee_per_gas_gwei"] = format_amount(limits.max_fee_per_gas, 9)
        document["max_fee"] = format_amount(limits.max_fee, native.decimals)
    if network.family == "btc":
        document["max_fee_rate"] = limits.max_fee_rate
    document["fee_warn_floor"] = format_amount(limits.fee_warn_floor, native.decimals)
    document["rpc_timeout"] = limits.rpc_timeout
    return document


def _limits_text(network: Network) -> str:
    document = _limits_json(network)
    symbol = document["symbol"]
    parts = []
    if "max_fee_per_gas_gwei" in document:
        parts.append(f"max fee/gas {document['max_fee_per_gas_gwei']} gwei")
        parts.append(f"max fee {document['max_fee']} {symbol}")
    if "max_fee_rate" in document:
        parts.append(f"max fee rate {document['max_fee_rate']} sat/vB")
    parts.append(f"fee warn floor {document['fee_warn_floor']} {symbol}")
    parts.append(f"rpc timeout {document['rpc_timeout']:g} s")
    return ", ".join(parts)


@app.command("list")
def list_networks(ctx: typer.Context) -> None:
    """Built-in and configured networks."""
    session = common.session_of(ctx)
    rows = []
    texts = []
    for name in session.config.network_names():
        network = session.config.network(name)
        rows.append(
            {
                "name": name,
                "chain": network.family,
                "rpc": network.rpc_url,
                "chain_id": network.chain_id,
                "devnet": network.is_devnet,
                **_limits_json(network),
            }
        )
        texts.append(_limits_text(network))
    lines = [NETWORK_HEADER]
    lines += [
        f"{r['name']:<16} {r['chain']:<5} {_or_dash(r['chain_id']):<10} {r['rpc'] or '-'}"
        f"{'  (devnet)' if r['devnet'] else ''}\n{'':<16} {text}"
        for r, text in zip(rows, texts, strict=True)
    ]
    output.emit(session.json, {"networks": rows}, lines)


NETWORK_HEADER = f"{'NETWORK':<16} {'CHAIN':<5} {'CHAIN ID':<10} RPC"


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


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
