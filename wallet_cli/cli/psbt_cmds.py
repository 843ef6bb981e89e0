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


def _read(path: Path) -> bytes:
    """A PSBT file as base64 text or raw bytes (`psbt\\xff…`), refused past
    chains.btc.psbt.MAX_PSBT_TEXT (16 MiB)."""
    from chains.btc.psbt import MAX_PSBT_TEXT
    from keystore.files import read_limited

    return read_limited(path, MAX_PSBT_TEXT, "PSBT file")


def _write(path: Path, psbt: Any, *, replace: bool, binary: bool) -> None:
    """Base64 text and a newline, or with `binary` the raw bytes; atomic either way."""
    from chains.btc.psbt import raw_bytes
    from wallet_cli.errors import OutputExists
    from wallet_cli.store.atomic import write_atomic, write_new_file

    data = raw_bytes(psbt) if binary else (str(psbt.serialize()) + "\n").encode()
    if replace:
        write_atomic(path, data)
        return
    try:
        write_new_file(path, data)
    except FileExistsError:
        raise OutputExists(f"{path} already exists; it was not overwritten") from None


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
    from chains.amounts import format_amount
    from wallet_cli.cli.screening_view import finding_lines

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
) -> None:
    """Build an unsigned PSBT (RBF signalled, change to the wallet), screened first."""
    from chains.amounts import BTC_DECIMALS, BTC_UNITS, parse_amount
    from chains.btc import psbt as psbts
    from chains.registry import adapter_for
    from wallet_cli import bitcoin
    from wallet_cli.cli.screening_view import confirmer
    from wallet_cli.errors import BadInput

    session = common.session_of(ctx)
    network = session.network()
    wallet = session.wallet()
    public, _ = bitcoin.account(wallet, network)
    recipient = adapter_for("btc").parse_address(to, network)
    sats = parse_amount(amount, BTC_DECIMALS, units=BTC_UNITS)
    if fee_rate is not None:
        bitcoin.check_fee_rate(network, fee_rate, session.yes)
    coins = [psbts.parse_coin(spec) for spec in utxo] if utxo else bitcoin.coins(wallet, network)
    if fee_rate is None:  # offline, 2 sat/vB; else the backend's, under max-fee-rate
        fee_rate = 2 if utxo else bitcoin.quoted_fee_rate(network, bitcoin.backend(network))
    if not coins:
        raise BadInput("no coins: give --utxo TXID:VOUT:SATS[:ADDRESS], or fund the wallet")
    if out.exists():
        raise BadInput(f"{out} already exists; it was not overwritten")
    text = psbts.create(public, coins, recipient, sats, fee_rate)
    psbt, summary = bitcoin.summary_of(wallet, network, text)
    report = bitcoin.screen(
        wallet,
        network,
        session.config,
        summary,
        allow=frozenset(allow or ()),
        confirm=confirmer(session),
    )
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
def show(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="PSBT file.")]) -> None:
    """Explain a PSBT: inputs, outputs, which are ours, fee, and screening findings."""
    from wallet_cli import bitcoin, screening
    from wallet_cli.errors import ScreeningBlocked, ScreeningNotConfirmed

    session = common.session_of(ctx)
    network = session.network()
    wallet = session.wallet()
    _, summary = bitcoin.summary_of(wallet, network, _read(file))
    try:
        report = bitcoin.screen(
            wallet,
            network,
            session.config,
            summary,
            allow=frozenset(),
            confirm=lambda report, preview: True,
        )
    except (ScreeningBlocked, ScreeningNotConfirmed) as exc:
        report = exc.report if isinstance(exc.report, screening.Report) else screening.Report()
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
) -> None:
    """Screen every foreign output, then sign the inputs this wallet owns.

    Inputs are ours by their key origin or, without one, by script among our first 200
    receive and change addresses. If one of ours cannot be signed, nothing is written and
    the exit is 2 (`inputs-not-signed`, naming the inputs).
    """
    from chains.btc import psbt as psbts
    from chains.btc.keys import private_descriptors
    from chains.btc.psbt_inputs import inputs_of
    from chains.btc.psbt_map import parse
    from chains.btc.psbt_sign import UnsignedInputs, check_sighashes
    from keystore.mnemonic import to_seed
    from keystore.secret import Mnemonic
    from wallet_cli import bitcoin
    from wallet_cli.cli.screening_view import confirmer
    from wallet_cli.errors import BadInput

    session = common.session_of(ctx)
    network = session.network()
    wallet = session.wallet()
    found = bitcoin.inspect(wallet, network, _read(file))
    summary = found.summary
    if not any(i["mine"] for i in summary.inputs):
        raise psbts.NothingSigned(
            "no input of this PSBT spends a coin of this wallet: nothing signed"
        )
    check_sighashes(inputs_of(parse(psbts.raw_bytes(found.psbt))))
    report = bitcoin.screen(
        wallet,
        network,
        session.config,
        summary,
        allow=frozenset(allow or ()),
        confirm=confirmer(session),
    )
    secret = wallet.unlock(session.unlock_sources(wallet))
    if not isinstance(secret, Mnemonic):
        raise BadInput("a single imported key has no Bitcoin account")
    _, bitcoin_network = bitcoin.account(wallet, network)
    private = private_descriptors(to_seed(secret), bitcoin_network, "wpkh", 0)
    try:
        signed = psbts.sign(found.psbt, private, bitcoin_network, found.watch)
    except UnsignedInputs as exc:
        extra = {"signed_inputs": exc.signed, "unsigned_inputs": exc.unsigned}
        output.error(session.json, exc.code, 2, exc.message, extra)
        raise typer.Exit(2) from None
    _write(file, found.psbt, replace=True, binary=binary)
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
    from chains.btc import psbt as psbts

    session = common.session_of(ctx)
    try:
        merged = psbts.load(_read(first)).combine(psbts.load(_read(second)))
    except psbts.InvalidPsbt:
        raise
    except Exception:
        raise psbts.InvalidPsbt("the two PSBTs are not copies of the same transaction") from None
    _write(out, merged, replace=False, binary=binary)
    output.emit(session.json, {"out": str(out)}, [f"wrote {out}"])


@app.command("finalize")
def finalize(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="A signed PSBT.")]
) -> None:
    """Finalize and print the raw transaction hex."""
    from chains.btc import psbt as psbts

    session = common.session_of(ctx)
    raw = psbts.finalize(psbts.load(_read(file)))
    output.emit(session.json, {"raw_transaction": raw}, [raw])


@app.command("broadcast")
def broadcast(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="A signed PSBT.")]
) -> None:
    """Finalize and send through the network's backend (Esplora or bitcoind)."""
    from chains.btc import psbt as psbts
    from wallet_cli import bitcoin

    session = common.session_of(ctx)
    network = session.network()
    raw = psbts.finalize(psbts.load(_read(file)))
    txid = bitcoin.backend(network).broadcast(raw)
    output.emit(session.json, {"network": network.name, "tx_hash": txid}, [f"broadcast {txid}"])
