"""`wallet sign-message`, `verify-message` (EIP-191) and `sign-typed-data` (EIP-712)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wallet_cli.cli import common, output, prompts
from wallet_cli.errors import BadInput

if TYPE_CHECKING:
    from wallet_cli.messages import TypedDataView
    from wallet_cli.screening import Report
    from wallet_cli.transfer import Confirm
    from wallet_cli.types import Preview

IndexOption = Annotated[int, typer.Option("--index", help="Which address signs.")]


def register(app: typer.Typer) -> None:
    app.command("sign-message")(sign_message)
    app.command("verify-message")(verify_message)
    app.command("sign-typed-data")(sign_typed_data)


# Messages and EIP-712 documents are shown to a person before signing: a few KiB in practice.
MESSAGE_LIMIT = 1024 * 1024
TYPED_DATA_LIMIT = 1024 * 1024


def _message_bytes(message: str | None, hex_input: bool) -> bytes:
    if message is None:
        from wallet_cli.inputs import read_stream

        if sys.stdin is None or sys.stdin.isatty():
            raise BadInput("give the message as an argument or on standard input")
        data = read_stream(sys.stdin.buffer, MESSAGE_LIMIT, "the message on standard input")
        if not hex_input:
            return data
        try:
            message = data.decode("ascii")
        except UnicodeDecodeError:
            raise BadInput("--hex was given but the message is not hex") from None
    if hex_input:
        try:
            return bytes.fromhex(message.strip().removeprefix("0x"))
        except ValueError:
            raise BadInput("--hex was given but the message is not hex") from None
    return message.encode("utf-8")


def sign_message(
    ctx: typer.Context,
    message: Annotated[str | None, typer.Argument(help="Text to sign; default: stdin.")] = None,
    index: IndexOption = 0,
    hex_input: Annotated[bool, typer.Option("--hex", help="The message is hex bytes.")] = False,
    allow: common.AllowOption = None,
) -> None:
    """Sign a personal message (EIP-191, as personal_sign; ed25519 on Solana networks).
    A hash, a transaction or typed data passed as a message warns before anything is signed."""
    from wallet_cli.cli.screening_view import finding_lines
    from wallet_cli.messages import sign_personal

    session = common.session_of(ctx)
    network = session.network()
    wallet = session.wallet()
    data = _message_bytes(message, hex_input)
    signed = sign_personal(
        wallet,
        index,
        data,
        lambda: wallet.unlock(session.unlock_sources(wallet)),
        network.family,
        network=network,
        config=session.config,
        confirm=_confirm(session, "sign this message"),
        allow=frozenset(allow or ()),
    )
    if signed.report.findings:
        output.note("\n".join(finding_lines(signed.report)))
    output.emit(
        session.json,
        {
            "address": signed.address,
            "signature": signed.signature,
            "digest": signed.digest,
            **({"screening": signed.report.to_json()} if signed.report.findings else {}),
        },
        [signed.signature],
    )


def _confirm(session: common.Session, what: str) -> Confirm:
    """Warnings on a message: --yes accepts; a terminal asks for the last 4 characters of
    the verifying contract as a send's, or the word `sign` when there is none (a personal
    message has no destination to type back); otherwise no."""
    from wallet_cli.cli.screening_view import confirmer, finding_lines, terminal_lines

    def confirm(report: Report, preview: Preview) -> bool:
        if preview.outputs:
            return confirmer(session)(report, preview)
        if session.yes:
            return True
        if not prompts.terminal_available():
            return False
        prompts.say("Screening warnings:\n" + terminal_lines(finding_lines(report)) + "\n")
        return prompts.ask(f"To {what} anyway, type 'sign': ").strip().lower() == "sign"

    return confirm


def verify_message(
    ctx: typer.Context,
    address: Annotated[str, typer.Option("--address", help="The claimed signer.")],
    signature: Annotated[
        str, typer.Option("--signature", help="65-byte hex (EVM) or base58 (Solana) signature.")
    ],
    message: Annotated[str | None, typer.Argument(help="The signed text; default: stdin.")] = None,
    hex_input: Annotated[bool, typer.Option("--hex", help="The message is hex bytes.")] = False,
) -> None:
    """Check a personal-message signature; exit 0 if `--address` signed it, else 1."""
    from wallet_cli.addresses import evm_address
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    network = session.network()
    data = _message_bytes(message, hex_input)
    if network.family == "sol":
        from wallet_cli.addresses import parse_address
        from wallet_cli.messages import verify_solana

        claimed = parse_address(network, address)
        valid = verify_solana(claimed, data, signature)
        lines = [f"valid: signed by {claimed}" if valid else f"INVALID: not signed by {claimed}"]
        output.emit(session.json, {"valid": valid, "address": claimed}, lines)
        if not valid:
            raise typer.Exit(1)
        return
    claimed = evm_address(address)
    valid, recovered = Wallet.verify_message(claimed, data, signature)
    output.emit(
        session.json,
        {"valid": valid, "address": claimed, "recovered": recovered},
        [f"valid: signed by {claimed}" if valid else f"INVALID: recovers to {recovered}"],
    )
    if not valid:
        raise typer.Exit(1)


def sign_typed_data(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="EIP-712 JSON: types, primaryType, domain, message.")
    ],
    index: IndexOption = 0,
    allow: common.AllowOption = None,
) -> None:
    """Show the whole message decoded (Permit, Permit2, Seaport), screen every address in
    it and what it grants, then sign."""
    from wallet_cli.cli.screening_view import finding_lines
    from wallet_cli.inputs import JsonRejected, load_json, read_limited
    from wallet_cli.messages import decoded_json

    session = common.session_of(ctx)
    try:
        document = load_json(read_limited(file, TYPED_DATA_LIMIT, "typed data file"))
    except JsonRejected as exc:
        raise BadInput(f"{file} is {exc}") from None
    wallet = session.wallet()

    def show_and_confirm(view: TypedDataView, report: Report) -> bool:
        if view.refused:  # the refusal's error shows the findings
            output.note("\n".join(_typed_lines(view)))
            return False
        output.note("\n".join([*_typed_lines(view), *finding_lines(report)]))
        if session.yes:
            return True
        if not prompts.terminal_available():
            return False
        return prompts.ask("Sign it? [y/N] ").lower() in ("y", "yes")

    signed = wallet.sign_typed_data(
        session.network(),
        session.config,
        document,
        unlock=lambda: wallet.unlock(session.unlock_sources(wallet)),
        show_and_confirm=show_and_confirm,
        confirm=_confirm(session, "sign it"),
        index=index,
        allow=frozenset(allow or ()),
    )
    output.emit(
        session.json,
        {
            "address": signed.address,
            "signature": signed.signature,
            "digest": signed.digest,
            "screening": signed.report.to_json(),
            **decoded_json(signed),
        },
        [signed.signature],
    )


def _typed_lines(view: TypedDataView) -> list[str]:
    from wallet_cli.messages import printable

    summary = view.summary

    def shown(value: object) -> str:
        return "(none)" if value is None else printable(str(value))

    version = f"  version {shown(summary.domain_version)}" if summary.domain_version else ""
    lines = [
        "Typed data to sign (EIP-712):",
        f"  primary type:       {summary.primary_type}"
        + (f"  ({view.decoded})" if view.decoded else ""),
        f"  domain name:        {shown(summary.domain_name)}{version}",
        f"  chain id:           {shown(summary.chain_id)}",
        f"  verifying contract: {shown(summary.verifying_contract)}",
    ]
    if summary.primary_type == "EIP712Domain":
        lines.append("  (only the domain is signed; the message part is ignored)")
    else:
        lines += ["Message:", *(f"  {line}" for line in view.lines)]
    if view.intents:
        lines += ["What signing it does:", *(f"  - {line}" for line in view.intents)]
    return lines
