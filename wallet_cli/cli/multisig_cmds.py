"""`wallet multisig`: accounts that need several signatures. `create` and `info` are here
for every chain (wallet_cli/multisig.py dispatches); each chain's own steps register
themselves from multisig_safe_cmds.py (propose, sign, exec, add) and multisig_btc_cmds.py
(btc-key)."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli.cli import common, output

multisig_app = typer.Typer(
    help="Multisig: a Safe on EVM networks, m-of-n P2WSH on Bitcoin; cosigners pass files.",
    no_args_is_help=True,
)
NameOption = Annotated[str, typer.Option("--name", help="The name this home knows it by.")]


def register(app: typer.Typer) -> None:
    from wallet_cli.cli import multisig_btc_cmds, multisig_safe_cmds

    multisig_safe_cmds.register(multisig_app)
    multisig_btc_cmds.register(multisig_app)
    app.add_typer(multisig_app, name="multisig")


@multisig_app.command("create")
def create(
    ctx: typer.Context,
    name: NameOption,
    threshold: Annotated[int, typer.Option("--threshold", help="Signatures needed.")],
    owners: Annotated[
        str | None, typer.Option("--owners", help="EVM: the Safe's owners, A,B,C.")
    ] = None,
    cosigner: Annotated[
        list[str] | None,
        typer.Option("--cosigner", help="Bitcoin: a cosigner's key [fp/48'/c'/0'/2']xpub…."),
    ] = None,
    chain: Annotated[
        str | None,
        typer.Option("--chain", help="btc: a Bitcoin multisig (default network bitcoin)."),
    ] = None,
) -> None:
    """Create a multisig and remember it by name: a Safe deployed on EVM (--owners), a
    wsh(sortedmulti) descriptor pair on Bitcoin (--cosigner, this wallet's key included)."""
    from wallet_cli import multisig
    from wallet_cli.cli.screening_view import confirmer
    from wallet_cli.errors import BadInput

    session = common.session_of(ctx)
    network = session.network()
    if chain == "btc" and network.family != "btc":
        network = session.config.network("bitcoin")
    elif chain not in (None, network.family):
        raise BadInput(f"--chain {chain} does not match network {network.name!r}")
    members = [m.strip() for m in owners.split(",")] if owners else list(cosigner or [])
    wallet = session.wallet()
    view = multisig.create(
        wallet, network, session.config, name=name, threshold=threshold, members=members,
        unlock=lambda: wallet.unlock(session.unlock_sources(wallet)),
        confirm=confirmer(session),
    )  # fmt: skip
    output.emit(session.json, view.document, view.lines)


@multisig_app.command("info")
def info(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The multisig's name in this home.")],
) -> None:
    """Members, threshold and balance of a multisig this home knows (Safe: also its nonce)."""
    from wallet_cli import multisig

    session = common.session_of(ctx)
    view = multisig.info(session.wallet(), session.network(), session.config, name)
    output.emit(session.json, view.document, view.lines)
