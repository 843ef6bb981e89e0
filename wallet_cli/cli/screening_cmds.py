"""`wallet check`, `wallet contacts`, `wallet lists` and `wallet sync`: screening on its own
and the data it draws on. None of these asks for a passphrase."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.cli import common, output

contacts_app = typer.Typer(help="Named, trusted addresses.", no_args_is_help=True)
lists_app = typer.Typer(help="Block lists: shipped and your own.", invoke_without_command=True)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("sync")(sync)
    app.add_typer(contacts_app, name="contacts")
    app.add_typer(lists_app, name="lists")


def check(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The address to screen.")],
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not ask the node (no contract check).")
    ] = False,
) -> None:
    """Screen an address. Exit 0 for ok or info, 5 for warn, 3 for block."""
    from wallet_cli.addresses import parse_address
    from wallet_cli.checks import check as screen_address
    from wallet_cli.cli.hints import dev_chain_hint
    from wallet_cli.cli.screening_view import finding_lines

    session = common.session_of(ctx)
    network = session.network()
    parse_address(network, address)  # a typo before the wallet
    wallet = session.wallet() if session.home.wallet_names() else None
    checked = screen_address(
        session.home,
        session.config,
        network,
        wallet,
        address,
        offline=offline,
        notify=output.note,
    )
    target, report = checked.address, checked.report
    hint = dev_chain_hint(report, network)
    if hint and not session.json:
        output.note(f"hint: {hint}")
    output.emit(
        session.json,
        {
            "network": network.name,
            "chain": network.family,
            "address": target,
            "screening": report.to_json(),
        },
        [f"{target}: {report.verdict}", *finding_lines(report)],
    )
    code = {"block": 3, "warn": 5}.get(report.verdict, 0)
    if code:
        raise typer.Exit(code)


def sync(
    ctx: typer.Context,
    from_block: Annotated[
        int | None, typer.Option("--from-block", help="Start here instead of where it stopped.")
    ] = None,
    max_blocks: Annotated[int, typer.Option("--max-blocks", help="At most this many.")] = 50_000,
    chunk: Annotated[int, typer.Option("--chunk", help="Blocks per log request.")] = 2000,
    native_blocks: Annotated[
        int, typer.Option("--native-blocks", help="Read whole blocks for ETH transfers: last N.")
    ] = 5000,
) -> None:
    """Record transfers that arrived at this wallet's addresses, marking poisoning bait."""
    from wallet_cli.errors import BadInput
    from wallet_cli.sync import sync_network

    session = common.session_of(ctx)
    if not 1 <= chunk <= 100_000 or not 1 <= max_blocks <= 10_000_000 or native_blocks < 0:
        raise BadInput("--chunk, --max-blocks and --native-blocks must be positive and bounded")
    result = sync_network(
        session.wallet(),
        session.network(),
        session.config,
        from_block=from_block,
        chunk=chunk,
        max_blocks=max_blocks,
        native_blocks=native_blocks,
    )
    count = result.suspicious  # len(result.senders): the count is of the list below it
    lines = [
        f"blocks {result.first_block}..{result.last_block}: {result.recorded} transfers "
        f"recorded; {count or 'no'} suspicious sender{'s' * (count != 1)}" + (":" if count else ""),
        *(f"  {a}" for a in result.senders),
    ]
    output.emit(session.json, result.to_json(), lines)


@contacts_app.command("add")
def contacts_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the address.")],
    address: Annotated[str, typer.Argument(help="The address.")],
) -> None:
    """Add a trusted address (for the current network's chain family)."""
    from wallet_cli.addresses import parse_address
    from wallet_cli.store import contacts

    session = common.session_of(ctx)
    network = session.network()
    normalized = parse_address(network, address)
    contacts.add(session.home, contacts.Contact(name, network.family, normalized))
    output.emit(
        session.json,
        {"name": name, "chain": network.family, "address": normalized},
        [f"contact {name!r}: {normalized}"],
    )


@contacts_app.command("list")
def contacts_list(ctx: typer.Context) -> None:
    """All contacts."""
    from wallet_cli.store import contacts

    session = common.session_of(ctx)
    rows = [c.to_json() for c in contacts.load(session.home)]
    lines = [f"{r['name']:<20} {r['chain']:<5} {r['address']}" for r in rows]
    header = f"{'NAME':<20} {'CHAIN':<5} ADDRESS"
    output.emit(session.json, {"contacts": rows}, [header, *lines] if lines else ["no contacts"])


@contacts_app.command("remove")
def contacts_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The contact's name.")]
) -> None:
    """Remove a contact."""
    from wallet_cli.store import contacts

    session = common.session_of(ctx)
    removed = contacts.remove(session.home, name)
    output.emit(
        session.json,
        {"removed": [c.to_json() for c in removed]},
        [f"removed {c.name!r} ({c.address})" for c in removed],
    )


@lists_app.callback()
def lists_show(ctx: typer.Context) -> None:
    """Each block list with its count and date."""
    if ctx.invoked_subcommand is not None:
        return
    from wallet_cli.screening.lists import ListSet

    session = common.session_of(ctx)
    infos = ListSet.load(session.home.root / "lists").infos
    rows = [info.to_json() for info in infos]
    lines = [
        f"{r['name']:<16} {r['kind']:<10} {r['total']:>9,} addresses  as of {r['date']}  "
        f"({', '.join(f'{k} {v:,}' for k, v in r['counts'].items())})"
        for r in rows
    ]
    output.emit(session.json, {"lists": rows}, lines)


@lists_app.command("add")
def lists_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with an 'address' column, or one a line.")],
    name: Annotated[str, typer.Option("--name", help="Name of the list.")],
) -> None:
    """Add your own block list; a send to any of its addresses is blocked.

    A CSV with an `address` column (EVM), and a `chain` column (evm, btc, sol) for others."""
    from wallet_cli.user_lists import add_list

    session = common.session_of(ctx)
    info = add_list(session.home, file, name)
    output.emit(
        session.json,
        info.to_json(),
        [f"list {info.name!r}: {sum(info.counts.values()):,} addresses added"],
    )
