"""`wallet multisig add|propose|sign|exec`: a Safe's steps, one SafeTx file passed between
cosigners' homes (wallet_cli/multisig_safe.py does the work)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.cli import common, output

IndexOption = Annotated[int, typer.Option("--index", help="Which address of the wallet.")]
FileArgument = Annotated[Path, typer.Argument(help="The SafeTx file (JSON).")]


def register(app: typer.Typer) -> None:
    app.command("add")(add)
    app.command("propose")(propose)
    app.command("sign")(sign)
    app.command("exec")(execute)


def _shower(json_mode: bool) -> Callable[[list[str]], None]:
    """On stderr before the passphrase is asked: what is about to be signed."""

    def show(lines: list[str]) -> None:
        if not json_mode:
            output.note("\n".join(["About to sign:", *(f"  {line}" for line in lines)]))

    return show


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name this home will know it by.")],
    address: Annotated[str, typer.Argument(help="The Safe's address on this network.")],
) -> None:
    """Remember an existing Safe; its owners and threshold are read from the chain."""
    from wallet_cli import multisig_safe

    session = common.session_of(ctx)
    view = multisig_safe.add(session.wallet(), session.network(), name, address)
    output.emit(session.json, view.document, view.lines)


def propose(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The Safe's name in this home.")],
    to: Annotated[str, typer.Option("--to", help="Destination address.")],
    amount: Annotated[str, typer.Option("--amount", help="1.5, 20gwei, or token units.")],
    out: Annotated[Path, typer.Option("--out", help="The SafeTx file to write (new).")],
    token: Annotated[
        str | None, typer.Option("--token", help="ERC-20 contract address or a symbol.")
    ] = None,
    allow: common.AllowOption = None,
) -> None:
    """Write an unsigned SafeTx paying AMOUNT to --to from the Safe; the destination is
    screened like a send's."""
    from wallet_cli import multisig_safe
    from wallet_cli.cli.screening_view import confirmer

    session = common.session_of(ctx)
    view = multisig_safe.propose(
        session.wallet(), session.network(), session.config, name=name, to=to, amount=amount,
        token=token, out=out, allow=frozenset(allow or ()), confirm=confirmer(session),
    )  # fmt: skip
    output.emit(session.json, view.document, view.lines)


def sign(
    ctx: typer.Context,
    file: FileArgument,
    index: IndexOption = 0,
    allow: common.AllowOption = None,
) -> None:
    """Show a SafeTx as its fields say, screen its destination and add this owner's
    signature to the file. An edited, stale or foreign file is refused, left as it was."""
    from wallet_cli import multisig_safe_steps
    from wallet_cli.cli.screening_view import confirmer

    session = common.session_of(ctx)
    wallet = session.wallet()
    view = multisig_safe_steps.sign(
        wallet, session.config, file=file, index=index, allow=frozenset(allow or ()),
        confirm=confirmer(session), unlock=lambda: wallet.unlock(session.unlock_sources(wallet)),
        show=_shower(session.json), network=session.network(),
    )  # fmt: skip
    output.emit(session.json, view.document, view.lines)


def execute(
    ctx: typer.Context,
    file: FileArgument,
    index: IndexOption = 0,
    allow: common.AllowOption = None,
) -> None:
    """Execute a SafeTx with enough owner signatures from this wallet's address; a refused
    file sends nothing."""
    from wallet_cli import multisig_safe_steps
    from wallet_cli.cli.screening_view import confirmer

    session = common.session_of(ctx)
    wallet = session.wallet()
    view = multisig_safe_steps.execute(
        wallet, session.config, file=file, index=index, allow=frozenset(allow or ()),
        confirm=confirmer(session), unlock=lambda: wallet.unlock(session.unlock_sources(wallet)),
        show=_shower(session.json), network=session.network(),
    )  # fmt: skip
    output.emit(session.json, view.document, view.lines)
