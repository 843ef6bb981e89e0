"""`wallet sign-message`, `verify-message` (EIP-191) and `sign-typed-data` (EIP-712)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.cli import common, output, prompts
from wallet_cli.errors import BadInput

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
) -> None:
    """Sign a personal message (EIP-191, as personal_sign; ed25519 on Solana networks)."""
    session = common.session_of(ctx)
    family = session.network().family
    wallet = session.wallet()
    data = _message_bytes(message, hex_input)
    signed = wallet.sign_message(
        data,
        unlock=lambda: wallet.unlock(session.unlock_sources(wallet)),
        index=index,
        family=family,
    )
    output.emit(
        session.json,
        {"address": signed.address, "signature": signed.signature, "digest": signed.digest},
        [signed.signature],
    )


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
    """Show the domain and primary type, screen the verifying contract, then sign."""
    from wallet_cli.cli.screening_view import confirmer, finding_lines
    from wallet_cli.inputs import JsonRejected, load_json, read_limited
    from wallet_cli.messages import TypedDataSummary
    from wallet_cli.screening import Report

    session = common.session_of(ctx)
    try:
        document = load_json(read_limited(file, TYPED_DATA_LIMIT, "typed data file"))
    except JsonRejected as exc:
        raise BadInput(f"{file} is {exc}") from None
    wallet = session.wallet()

    def show_and_confirm(summary: TypedDataSummary, report: Report) -> bool:
        def shown(value: object) -> str:
            return "(none)" if value is None else str(value)

        version = f"  version {summary.domain_version}" if summary.domain_version else ""
        lines = [
            "Typed data to sign (EIP-712):",
            f"  primary type:       {summary.primary_type}",
            f"  domain name:        {shown(summary.domain_name)}{version}",
            f"  chain id:           {shown(summary.chain_id)}",
            f"  verifying contract: {shown(summary.verifying_contract)}",
        ]
        if summary.primary_type == "EIP712Domain":
            lines.append("  (only the domain is signed; the message part is ignored)")
        lines += finding_lines(report)
        output.note("\n".join(lines))
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
        confirm=confirmer(session),
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
        },
        [signed.signature],
    )
