"""`wallet freeze` (no passphrase: quick in a panic) and `wallet unfreeze` (passphrase and
second factor). The freeze itself lives in wallet_cli/freeze.py."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli.cli import common, output


def register(app: typer.Typer) -> None:
    app.command("freeze")(freeze)
    app.command("unfreeze")(unfreeze)


def freeze(
    ctx: typer.Context,
    every: Annotated[bool, typer.Option("--all", help="Freeze every wallet in this home.")] = False,
) -> None:
    """Stop every signing path of this wallet at once, scripts included; needs no passphrase."""
    from wallet_cli import freeze as frozen
    from wallet_cli.wallet import select_name

    session = common.session_of(ctx)
    home = session.home
    names = (
        home.wallet_names() if every else [select_name(home, session.config, session.wallet_option)]
    )
    rows, lines = [], []
    for name in names:
        state, new = frozen.freeze(home, name)
        rows.append({"wallet": name, "frozen": True, "at": state.at, "already": not new})
        since = "frozen" if new else "already frozen"
        lines.append(
            f"wallet '{name}' {since} at {state.at}: nothing signs until 'wallet unfreeze' "
            "(passphrase and second factor)"
        )
    document = {"wallets": rows} if every else rows[0]
    output.emit(session.json, document, lines or [f"no wallet in {home.root} to freeze"])


def unfreeze(ctx: typer.Context) -> None:
    """Lift the owner's freeze: the passphrase (typed, a file or WALLET_PASSPHRASE; never the
    keyring, which unlocks for anyone at this login) and the second factor if enabled."""
    import dataclasses

    from wallet_cli import freeze as frozen
    from wallet_cli import second_factor
    from wallet_cli.cli import prompts

    session = common.session_of(ctx)
    wallet = session.wallet()
    if frozen.state(session.home, wallet.name) is None:
        output.emit(
            session.json,
            {"wallet": wallet.name, "frozen": False, "unfrozen": False},
            [f"wallet '{wallet.name}' is not frozen"],
        )
        return
    sources = dataclasses.replace(session.unlock_sources(wallet), keyring_account=None)
    wallet.unlock(sources)
    code = prompts.ask_code(session) if second_factor.enabled(session.home, wallet.name) else None
    lifted = frozen.unfreeze(wallet, code)
    at = lifted.at if lifted is not None else None
    output.emit(
        session.json,
        {"wallet": wallet.name, "frozen": False, "unfrozen": lifted is not None, "frozen_at": at},
        [f"wallet '{wallet.name}' unfrozen (it was frozen at {at}): it signs again"],
    )
