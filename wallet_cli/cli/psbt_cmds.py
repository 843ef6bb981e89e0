"""`wallet psbt create|show|sign|combine|finalize` on Bitcoin networks (BIP-174)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli.cli import common, output

app = typer.Typer(
    help="Bitcoin PSBTs: create, show, sign, combine, finalize.", no_args_is_help=True
)


BinaryOption = Annotated[
    bool,
    typer.Option("--binary", help="Write the PSBT as raw bytes (BIP-174 file form), not base64."),
]
MultisigOption = Annotated[
    str | None,
    typer.Option("--multisig", help="A Bitcoin multisig of this home (wallet multisig create)."),
]


def _read(path: Path) -> bytes:
    from wallet_cli.psbts import read

    return read(path)


def _write(path: Path, psbt: Any, *, replace: bool, binary: bool) -> None:
    from wallet_cli.psbts import write

    write(path, psbt, replace=replace, binary=binary)


def _summary_json(summary: Any) -> dict[str, Any]:
    return {
        "inputs": summary.inputs,
        "outputs": [
            {"address": o.address, "sats": o.sats, "mine": o.mine} for o in summary.outputs
        ],
        "fee": summary.fee,
        "vsize": summary.vsize,
        "fee_rate": round(summary.fee / summary.vsize, 2) if summary.fee else None,
        "signed_inputs": summary.signed_inputs,
    }


def _lines(summary: Any, report: Any, symbol: str = "BTC") -> list[str]:
    from wallet_cli.cli.screening_view import finding_lines
    from wallet_cli.types import format_amount

    def input_line(i: dict[str, Any]) -> str:
        amount = f"{i['sats']} sat" if i["sats"] is not None else "amount unknown"
        extra = "  signed" if i["signed"] else ""
        if i["sighash"] is not None:
            extra += f"  sighash {i['sighash']}"
        return f"  {i['outpoint']}  {amount}  {'ours' if i['mine'] else 'NOT OURS'}{extra}"

    lines = [f"inputs ({len(summary.inputs)}):", *map(input_line, summary.inputs)]
    lines.append(f"outputs ({len(summary.outputs)}):")
    lines += [
        f"  {o.address}  {o.sats} sat  {'ours (change)' if o.mine else 'foreign'}"
        for o in summary.outputs
    ]
    if summary.fee is not None:
        native = f"{format_amount(summary.fee, 8)} {symbol}"
        rate = f"{summary.fee / summary.vsize:.1f} sat/vB"
        lines.append(f"fee: {summary.fee} sat ({native}, {rate})")
    else:
        lines.append("fee: unknown (an input does not say what it spends)")
    lines.append(f"screening of foreign outputs: {report.verdict}")
    return lines + finding_lines(report)


@app.command("create")
def create(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Destination address.")],
    amount: Annotated[str, typer.Option("--amount", help="BTC (0.001) or sat (1500sat).")],
    out: Annotated[Path, typer.Option("--out", help="The new PSBT file (must not exist).")],
    utxo: Annotated[
        list[str] | None,
        typer.Option("--utxo", help="TXID:VOUT:SATS[:ADDRESS] of a coin we own (offline)."),
    ] = None,
    fee_rate: Annotated[
        int | None, typer.Option("--fee-rate", help="sat/vB (default: the backend's estimate).")
    ] = None,
    allow: common.AllowOption = None,
    binary: BinaryOption = False,
    multisig: MultisigOption = None,
) -> None:
    """Build an unsigned PSBT (RBF signalled, change to the wallet), screened first.
    With --multisig, from that multisig's coins, change to it, for its cosigners to sign."""
    from wallet_cli import psbts
    from wallet_cli.cli.screening_view import confirmer

    session = common.session_of(ctx)
    network = session.network()
    made = psbts.create(
        session.wallet(),
        network,
        session.config,
        to,
        amount,
        utxos=utxo or (),
        fee_rate=fee_rate,
        allow=frozenset(allow or ()),
        confirm=confirmer(session),
        fee_rate_confirmed=session.yes,
        out=out,
        multisig=multisig,
    )
    psbt, summary, report = made.psbt, made.summary, made.report
    _write(out, psbt, replace=False, binary=binary)
    output.emit(
        session.json,
        {
            "network": network.name,
            "out": str(out),
            **_summary_json(summary),
            "screening": report.to_json(),
        },
        [f"wrote {out}", *_lines(summary, report, network.native.symbol)],
    )


@app.command("show")
def show(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="PSBT file.")],
    multisig: MultisigOption = None,
) -> None:
    """Explain a PSBT: inputs, outputs, which are ours (or the multisig's), fee, and
    screening findings."""
    from wallet_cli import psbts

    session = common.session_of(ctx)
    network = session.network()
    shown = psbts.show(session.wallet(), network, session.config, _read(file), multisig)
    summary, report = shown.summary, shown.report
    output.emit(
        session.json,
        {"network": network.name, **_summary_json(summary), "screening": report.to_json()},
        _lines(summary, report, network.native.symbol),
    )


@app.command("sign")
def sign(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="PSBT file (base64 or binary), signed in place.")],
    allow: common.AllowOption = None,
    binary: BinaryOption = False,
    multisig: MultisigOption = None,
) -> None:
    """Screen every foreign output, then sign the inputs this wallet owns (with --multisig:
    every input must be that multisig's, and this wallet's cosigner key signs each).

    Inputs are ours by their key origin or, without one, by script among our first 200
    receive and change addresses. If one of ours cannot be signed, nothing is written and
    the exit is 2 (`inputs-not-signed`, naming the inputs).
    """
    from wallet_cli import psbts
    from wallet_cli.cli.screening_view import confirmer
    from wallet_cli.psbts import UnsignedInputs

    session = common.session_of(ctx)
    network = session.network()
    wallet = session.wallet()
    try:
        done = psbts.sign(
            wallet,
            network,
            session.config,
            _read(file),
            unlock=lambda: wallet.unlock(session.unlock_sources(wallet)),
            allow=frozenset(allow or ()),
            confirm=confirmer(session),
            multisig=multisig,
        )
    except UnsignedInputs as exc:
        extra = {"signed_inputs": exc.signed, "unsigned_inputs": exc.unsigned}
        output.error(session.json, exc.code, 2, exc.message, extra)
        raise typer.Exit(2) from None
    signed, report = done.signed, done.report
    _write(file, done.psbt, replace=True, binary=binary)
    output.emit(
        session.json,
        {"file": str(file), "signed_inputs": signed, "screening": report.to_json()},
        [f"signed {signed} input(s) of {file}"],
    )


@app.command("combine")
def combine(
    ctx: typer.Context,
    first: Annotated[Path, typer.Argument(help="A PSBT.")],
    second: Annotated[Path, typer.Argument(help="The same PSBT with other signatures.")],
    out: Annotated[Path, typer.Option("--out", help="The combined PSBT (must not exist).")],
    binary: BinaryOption = False,
) -> None:
    """Merge the signatures of two copies of one PSBT."""
    from wallet_cli import psbts

    session = common.session_of(ctx)
    merged = psbts.combine(_read(first), _read(second))
    _write(out, merged, replace=False, binary=binary)
    output.emit(session.json, {"out": str(out)}, [f"wrote {out}"])


@app.command("finalize")
def finalize(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="A signed PSBT.")]
) -> None:
    """Finalize and print the raw transaction hex."""
    from wallet_cli import psbts

    session = common.session_of(ctx)
    raw = psbts.finalize(_read(file))
    output.emit(session.json, {"raw_transaction": raw}, [raw])


@app.command("broadcast")
def broadcast(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="A signed PSBT.")]
) -> None:
    """Finalize and send through the network's backend (Esplora or bitcoind)."""
    from wallet_cli import psbts

    session = common.session_of(ctx)
    network = session.network()
    txid = psbts.broadcast(network, _read(file))
    output.emit(session.json, {"network": network.name, "tx_hash": txid}, [f"broadcast {txid}"])
