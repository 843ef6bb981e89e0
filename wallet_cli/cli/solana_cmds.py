"""`wallet export-solana-keypair` and `import-solana-keypair`: one Solana key as the file
solana-keygen writes, out of a wallet or in as a single-key wallet of its own."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.cli import common, output
from wallet_cli.errors import BadInput, OutputExists


def register(app: typer.Typer) -> None:
    app.command("export-solana-keypair")(export_solana_keypair)
    app.command("import-solana-keypair")(import_solana_keypair)


def export_solana_keypair(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The new keypair file (must not exist).")],
    index: Annotated[int, typer.Option("--index", help="Address index to export.")] = 0,
) -> None:
    """Write one Solana key as a solana-keygen JSON keypair (unencrypted, mode 0600)."""
    from wallet_cli.cli.twofa_cmds import code_for
    from wallet_cli.keyfiles import export_solana_keypair as encode
    from wallet_cli.store.atomic import write_output

    session = common.session_of(ctx)
    network = session.network()
    if network.family != "sol":
        raise BadInput("export-solana-keypair needs a Solana network (--network solana)")
    if out.exists():
        raise OutputExists(f"{out} already exists; it was not overwritten")
    wallet = session.wallet()
    account = wallet.addresses("sol", [index])[0]
    wallet.unlock(session.unlock_sources(wallet))
    document = encode(wallet, index, code_for(wallet, session))
    write_output(out, document)
    output.emit(
        session.json,
        {"wallet": wallet.name, "index": index, "address": account.address, "out": str(out)},
        [f"Wrote {account.address} (index {index}) to {out}: the key in the clear, keep it safe."],
    )


def import_solana_keypair(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A solana-keygen keypair file (64 numbers); - for stdin.")
    ],
    name: Annotated[str, typer.Option("--name", help="Name of the new wallet.")] = "",
) -> None:
    """Make a single-key Solana wallet from a solana-keygen keypair file, sealed in a vault.

    The file is checked (64 numbers, public half matching the secret) before any passphrase
    is asked, so a bad file leaves nothing behind."""
    from wallet_cli import keyfiles
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    if name:
        common.ensure_new_name(session, name)
    if str(file) == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise BadInput("no keypair on standard input: pipe the file's contents")
        key, address = keyfiles.read_solana_keypair(sys.stdin.buffer)
    else:
        key, address = keyfiles.read_solana_keypair(file)
    name = name or keyfiles.sol_key_wallet_name(address)
    common.ensure_new_name(session, name)
    passphrase = common.new_passphrase(session, f"wallet '{name}'")
    wallet = Wallet.create(session.home, name, key, passphrase, kdf=common.vault_kdf(session))
    first = wallet.addresses("sol", [0])
    source = "standard input" if str(file) == "-" else str(file)
    output.emit(
        session.json,
        {
            "wallet": wallet.name,
            "kind": wallet.kind,
            "chain": "sol",
            "addresses": common.account_rows(first),
        },
        [
            f"Imported the Solana keypair from {source} as wallet '{name}'.",
            *common.account_lines(first),
        ],
    )
