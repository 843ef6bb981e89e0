"""`wallet export-solana-keypair`: one Solana key as the file solana-keygen writes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.cli import common, output
from wallet_cli.errors import BadInput, OutputExists


def register(app: typer.Typer) -> None:
    app.command("export-solana-keypair")(export_solana_keypair)


def export_solana_keypair(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The new keypair file (must not exist).")],
    index: Annotated[int, typer.Option("--index", help="Address index to export.")] = 0,
) -> None:
    """Write one Solana key as a solana-keygen JSON keypair (unencrypted, mode 0600)."""
    from wallet_cli.keyfiles import export_solana_keypair as encode
    from wallet_cli.store.atomic import write_new_file

    session = common.session_of(ctx)
    network = session.network()
    if network.family != "sol":
        raise BadInput("export-solana-keypair needs a Solana network (--network solana)")
    if out.exists():
        raise OutputExists(f"{out} already exists; it was not overwritten")
    wallet = session.wallet()
    account = wallet.addresses("sol", [index])[0]
    wallet.unlock(session.unlock_sources(wallet))
    try:
        write_new_file(out, encode(wallet, index))
    except FileExistsError:
        raise OutputExists(f"{out} already exists; it was not overwritten") from None
    except OSError as exc:
        raise BadInput(f"cannot write {out}: {exc.strerror}") from None
    output.emit(
        session.json,
        {"wallet": wallet.name, "index": index, "address": account.address, "out": str(out)},
        [f"Wrote {account.address} (index {index}) to {out}: the key in the clear, keep it safe."],
    )
