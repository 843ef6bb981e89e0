"""`wallet send` and `wallet balance`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from wallet_cli.cli import common, output
from wallet_cli.types import MAX_GAS_LIMIT, MIN_GAS_LIMIT

if TYPE_CHECKING:
    from wallet_cli.screening import Report
    from wallet_cli.transfer import SendResult
    from wallet_cli.types import Preview

IndexOption = Annotated[int, typer.Option("--index", help="Which address of the wallet.")]
# Fees given explicitly skip the node's quote and its max-fee-per-gas ceiling; the
# network's per-transfer max-fee still holds (config.toml).
MaxFeeOption = Annotated[
    str | None,
    typer.Option(
        "--max-fee-per-gas",
        help="EVM: max fee per gas (gas price with --legacy), e.g. 30gwei; a bare number is "
        "gwei. Skips the node's fee quote; the network's max-fee per transfer still holds.",
    ),
]
PriorityFeeOption = Annotated[
    str | None,
    typer.Option("--priority-fee", help="EVM: priority fee per gas, e.g. 2gwei."),
]
TokenOption = Annotated[
    str | None, typer.Option("--token", help="ERC-20 contract address or a symbol from config.")
]


def register(app: typer.Typer) -> None:
    app.command("send")(send)
    app.command("balance")(balance)


def send(
    ctx: typer.Context,
    to: Annotated[
        str, typer.Option("--to", help="Destination address (with --data: the contract).")
    ],
    amount: Annotated[
        str | None,
        typer.Option(
            "--amount", help="1.5, 20gwei, 1000wei, 1500sat, or token units (with --data: 0)."
        ),
    ] = None,
    token: TokenOption = None,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help="EVM: call the contract --to with this call data (0x hex); what it grants "
            "(approve, setApprovalForAll, Permit2) is decoded and screened.",
        ),
    ] = None,
    index: IndexOption = 0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Screen and sign, print the raw tx, send nothing.")
    ] = False,
    no_wait: common.NoWaitOption = False,
    legacy: Annotated[bool, typer.Option("--legacy", help="Legacy (EIP-155) transaction.")] = False,
    gas_limit: Annotated[
        int | None,
        typer.Option(
            "--gas-limit",
            help="Skip estimation; use this gas limit.",
            min=MIN_GAS_LIMIT,
            max=MAX_GAS_LIMIT,
        ),
    ] = None,
    max_fee_per_gas: MaxFeeOption = None,
    priority_fee: PriorityFeeOption = None,
    allow: common.AllowOption = None,
    timeout: common.TimeoutOption = 120,
    fee_rate: Annotated[
        int | None, typer.Option("--fee-rate", help="Bitcoin: sat/vB (default: the backend's).")
    ] = None,
    utxo: Annotated[
        list[str] | None,
        typer.Option("--utxo", help="Bitcoin coin control: spend exactly these (txid:vout)."),
    ] = None,
    script: Annotated[
        str | None, typer.Option("--script", help="Bitcoin: the account to send from, wpkh or tr.")
    ] = None,
) -> None:
    """Screen the destination, then sign, broadcast and wait for the receipt."""
    from wallet_cli.cli.screening_view import confirmer, finding_lines
    from wallet_cli.errors import BadInput
    from wallet_cli.transfer import SendRequest

    if amount is None and data is None:
        raise BadInput("--amount is required (it may be left out only with --data)")
    session = common.session_of(ctx)
    allowed = frozenset(allow or ())
    for rule in sorted(allowed):
        output.note(f"DANGER: --allow {rule} lets a blocking finding of that rule through")
    wallet = session.wallet()
    request = SendRequest(
        to=to,
        amount=amount if amount is not None else "0",
        data=data,
        token=token,
        index=index,
        legacy=legacy,
        dry_run=dry_run,
        wait=not no_wait,
        gas_limit=gas_limit,
        allow=allowed,
        timeout=timeout,
        max_fee_per_gas=max_fee_per_gas,
        priority_fee=priority_fee,
        fee_rate=fee_rate,
        fee_rate_confirmed=session.yes,
        utxos=tuple(utxo or ()),
        script=script,
    )
    shown: list[Preview] = []

    def show(preview: Preview, report: Report) -> None:
        if not session.json:
            _show_preview(preview, report)
            shown.append(preview)

    result = wallet.send(
        session.network(),
        session.config,
        request,
        unlock=lambda: _unlock(session),
        confirm=confirmer(session),
        show=show,
    )
    repeat = repeats_preview(shown)
    lines = [f"{result.amount} {result.unit} from {result.sender} to {result.to}"] if repeat else []
    lines += [f"screening: {result.report.verdict}", *finding_lines(result.report)]
    nonce = f", nonce {result.nonce}" if result.nonce is not None else ""
    if repeat:
        lines.append(f"fee cap: {result.fee_cap} {result.fee_unit}{nonce}")
    elif nonce:
        lines.append(nonce.removeprefix(", "))
    if result.raw is not None:
        lines.append(f"raw transaction (not broadcast): {result.raw}")
    finish_transfer(session, result, lines)


def repeats_preview(shown: list[Preview]) -> bool:
    """Whether the result repeats the transfer and its fee cap: not when the preview was
    shown and is still on screen (stderr and stdout both a terminal)."""
    return not (shown and output.is_terminal(sys.stdout) and output.is_terminal(sys.stderr))


def finish_transfer(session: common.Session, result: SendResult, lines: list[output.Line]) -> None:
    """The tail every signed transfer prints (send, speed-up, cancel): its hash and status,
    the failure reason, the JSON document; exit 1 when it failed on chain."""
    lines.append(
        f"tx {result.tx_hash}: {result.status}"
        + (f" in block {result.block}" if result.block is not None else "")
    )
    if result.reason:
        lines.append(f"reason: {result.reason}")
    output.emit(session.json, result.to_json(), lines)
    if result.status == "failed":
        raise typer.Exit(1)


def _show_preview(preview: Preview, report: Report) -> None:
    from wallet_cli.types import format_amount

    lines = ["About to sign:"]
    for item in preview.outputs:
        amount = format_amount(item.amount, item.asset.decimals)
        lines.append(f"  {amount} {item.asset.symbol} -> {item.recipient}")
    lines += call_lines(preview)
    fee = format_amount(preview.fee_cap, preview.fee_asset.decimals)
    chain = f" (chain id {preview.chain_id})" if preview.chain_id is not None else ""
    lines.append(
        f"  from {preview.sender} on {preview.network}{chain}; "
        f"fee at most {fee} {preview.fee_asset.symbol}"
    )
    output.note("\n".join(lines))


def call_lines(preview: Preview) -> list[str]:
    """A contract call's selector and what its data gives away (the decoded grants) or names."""
    from wallet_cli.types import format_amount

    lines = []
    for item in preview.outputs:
        if item.data:
            lines.append(
                f"  call 0x{item.data[:4].hex()} on {item.recipient} ({len(item.data)} bytes)"
            )
    for grant in preview.grants:
        if grant.unlimited:
            amount = "UNLIMITED"
        elif grant.amount is None:
            amount = "every token"
        else:
            amount = f"{format_amount(grant.amount, 0)} base units"
        until = f" until {_when(grant.expires)}" if grant.expires is not None else ""
        lines.append(
            f"  GRANTS {grant.spender} the right to take {amount} of {grant.token}{until} "
            f"({grant.kind})"
        )
    for mention in preview.mentions:
        lines.append(f"  names {mention.address} ({mention.role}, {mention.where})")
    return lines


def _when(seconds: int) -> str:
    from datetime import UTC, datetime

    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return f"unix time {seconds}"


def _unlock(session: common.Session) -> None:
    wallet = session.wallet()
    wallet.unlock(session.unlock_sources(wallet))


def balance(
    ctx: typer.Context,
    address: Annotated[
        str | None, typer.Argument(help="Any address; default: this wallet's.")
    ] = None,
    token: TokenOption = None,
    index: IndexOption = 0,
    script: Annotated[
        str | None, typer.Option("--script", help="Bitcoin: the account, wpkh or tr.")
    ] = None,
) -> None:
    """Balance of an address in ETH or a token, read from the network's node (Bitcoin: of
    the wallet's account, from its synced coin store)."""
    from wallet_cli.balances import balance as read_balance

    session = common.session_of(ctx)
    network = session.network()
    if address is None:  # the wallet's own address: through the facade
        found = session.wallet().balance(network, session.config, None, token, index, script)
    else:  # any address: no wallet needed, none is opened
        found = read_balance(None, network, session.config, address, token, index)
    output.emit(
        session.json,
        found.to_json(),
        [f"{found.shown} {found.asset}  ({found.label} on {network.name})"],
    )
