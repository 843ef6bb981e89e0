"""`wallet list`, `wallet use` and `wallet address`: public data only, no passphrase unless
`address --unlock` asks for addresses only a seed derives (Solana's hardened-only ed25519)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli.cli import common, output
from wallet_cli.errors import InvalidIndex


def register(app: typer.Typer) -> None:
    app.command("list")(list_wallets)
    app.command("use")(use)
    app.command("address")(address)


LIST_HEADER = f"{'WALLET':<16} {'KIND':<9} {'ACCOUNT':<18} FIRST ADDRESS"


def list_wallets(ctx: typer.Context) -> None:
    """Wallets in this home and their accounts."""
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    home = session.home
    default = session.config.default_wallet
    if default not in home.wallet_names():
        default = None  # a default whose wallet is gone picks nothing (select_name)
    wallets: list[dict[str, Any]] = []
    lines: list[str] = [LIST_HEADER]
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
                shown = f"{name}*" if name == default else name
                lines.append(f"{shown:<16} {wallet.kind:<9} {key:<18} {first.address}")
        wallets.append(
            {
                "name": name,
                "kind": wallet.kind,
                "created_at": wallet.public.created_at,
                "accounts": accounts,
            }
        )
    if not wallets:
        lines = [f"No wallets in {home.root}; create one with 'wallet init' or 'wallet restore'."]
    elif default is not None:
        lines.append("* the default wallet (wallet use NAME)")
    document = {"home": str(home.root), "default_wallet": default, "wallets": wallets}
    output.emit(session.json, document, lines)


def use(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The wallet commands act on by default.")],
) -> None:
    """Make NAME the default wallet (kept in config.toml as default_wallet)."""
    from wallet_cli.errors import WalletNotFound
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import validate_name

    session = common.session_of(ctx)
    home = session.home
    validate_name(name)
    with home.lock():
        names = home.wallet_names()
        if name not in names:
            known = ", ".join(names) or "none: create one with 'wallet init' or 'wallet restore'"
            raise WalletNotFound(f"no wallet named {name!r} in {home.root} (wallets: {known})")
        config = Config.load(home)
        config.default_wallet = name
        config.save(home)
    output.emit(
        session.json,
        {"default_wallet": name},
        [f"'{name}' is now the default wallet; --wallet NAME still picks another."],
    )


def address(
    ctx: typer.Context,
    index: Annotated[int, typer.Option("--index", help="First address index.")] = 0,
    count: Annotated[int, typer.Option("--count", help="How many addresses.")] = 1,
    script: common.ScriptOption = None,
    unlock: Annotated[
        bool,
        typer.Option(
            "--unlock",
            help="Derive addresses public data does not hold (Solana beyond index 9), "
            "with the passphrase, and cache them.",
        ),
    ] = False,
) -> None:
    """Addresses of this wallet on the current network's chain."""
    from wallet_cli.addresses import account_key
    from wallet_cli.wallet import MAX_COUNT

    session = common.session_of(ctx)
    network = session.network()
    if not 1 <= count <= MAX_COUNT:
        raise InvalidIndex(f"--count must be between 1 and {MAX_COUNT}")
    if index < 0:
        raise InvalidIndex("--index must not be negative")
    wallet = session.wallet()
    key = account_key(network, script)
    indexes = list(range(index, index + count))
    if unlock:
        wallet.unlock(session.unlock_sources(wallet))
        accounts = wallet.seed_addresses(key, indexes)
    else:
        accounts = wallet.addresses(key, indexes)
    output.emit(
        session.json,
        {
            "network": network.name,
            "chain": network.family,
            "addresses": common.account_rows(accounts),
        },
        common.account_lines(accounts),
    )
