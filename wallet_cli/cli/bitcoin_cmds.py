"""`wallet descriptors`: the Bitcoin account's descriptors, for watch-only import elsewhere."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli.cli import common, output


def register(app: typer.Typer) -> None:
    app.command("descriptors")(descriptors)


def descriptors(
    ctx: typer.Context,
    script: common.ScriptOption = None,
    private: Annotated[
        bool,
        typer.Option(
            "--private", help="DANGEROUS: include the private keys (asks the passphrase)."
        ),
    ] = False,
) -> None:
    """External and internal descriptors with checksums (Bitcoin networks)."""
    from wallet_cli.addresses import account_key, bitcoin_script
    from wallet_cli.cli.twofa_cmds import code_for
    from wallet_cli.errors import BadInput
    from wallet_cli.psbts import private_descriptors
    from wallet_cli.second_factor import gate_export

    session = common.session_of(ctx)
    network = session.network()
    if network.family != "btc":
        raise BadInput(
            "descriptors are for Bitcoin networks: add --network bitcoin (or a test net)"
        )
    chosen = bitcoin_script(script)
    wallet = session.wallet()
    record = wallet.chain(account_key(network, chosen))
    pair = record.account.descriptors
    if pair is None:
        raise BadInput(f"wallet {wallet.name!r} has no Bitcoin descriptors")
    if private:
        output.note(
            "WARNING: these descriptors hold private keys: anyone who sees them can spend this "
            "wallet's bitcoin. Do not paste them into anything online."
        )
        wallet.unlock(session.unlock_sources(wallet))
        gate_export(wallet, code_for(wallet, session), "descriptors")
        refusal = "a single imported key has no Bitcoin descriptors"
        pair = private_descriptors(wallet, network, chosen, refusal)
    output.emit(
        session.json,
        {
            "network": network.name,
            "script": chosen,
            "path": record.account.path,
            "external": pair[0],
            "internal": pair[1],
            "private": private,
        },
        [pair[0], pair[1]],
    )
