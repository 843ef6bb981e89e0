"""`wallet list` and `wallet address`: public data only, never a passphrase."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli.cli import common, output
from wallet_cli.errors import InvalidIndex


def register(app: typer.Typer) -> None:
    app.command("list")(list_wallets)
    app.command("address")(address)


def list_wallets(ctx: typer.Context) -> None:
    """Wallets in this home and their accounts."""
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    home = session.home
    wallets: list[dict[str, Any]] = []
    lines: list[str] = []
    for name in home.wallet_names():
        wallet = Wallet.open(home, name)
        accounts = []
        for key, record in sorted(
            wallet.public.chains.items(), key=lambda kv: (kv[0] != "evm", kv[0])
        ):
            first = wallet.addresses(key, [0])[0]
            accounts.append(
                {
                    "account": key,
                    "chain": record.account.family,
                    "network": record.account.network,
                    "path": record.account.path,
                    "first_address": first.address,
                }
            )
            if record.account.network in (None, "bitcoin"):
                lines.append(f"{name:<16} {wallet.kind:<9} {key:<18} {first.address}")
        wallets.append(
            {
                "name": name,
                "kind": wallet.kind,
                "created_at": wallet.public.created_at,
                "accounts": accounts,
            }
        )
    if not wallets:
        lines = [f"No wallets in {home.root}; create one with 'wallet init'."]
    output.emit(session.json, {"home": str(home.root), "wallets": wallets}, lines)


def address(
    ctx: typer.Context,
    index: Annotated[int, typer.Option("--index", help="First address index.")] = 0,
    count: Annotated[int, typer.Option("--count", help="How many addresses.")] = 1,
    script: Annotated[
        str | None,
        typer.Option("--script", help="Bitcoin: wpkh (BIP-84, the default) or tr (BIP-86)."),
    ] = None,
) -> None:
    """Addresses of this wallet on the current network's chain."""
    from chains.registry import adapter_for
    from wallet_cli.wallet import MAX_COUNT

    session = common.session_of(ctx)
    network = session.network()
    if not 1 <= count <= MAX_COUNT:
        raise InvalidIndex(f"--count must be between 1 and {MAX_COUNT}")
    if index < 0:
        raise InvalidIndex("--index must not be negative")
    wallet = session.wallet()
    key = adapter_for(network.family).account_key(network, script)
    accounts = wallet.addresses(key, list(range(index, index + count)))
    output.emit(
        session.json,
        {
            "network": network.name,
            "chain": network.family,
            "addresses": common.account_rows(accounts),
        },
        common.account_lines(accounts),
    )
