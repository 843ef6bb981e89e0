"""`wallet tx status HASH`: what the node says became of a transaction, recorded in history
when it is this wallet's (a `send --no-wait` settles here). Never asks for a passphrase.
`wallet tx speed-up HASH` and `wallet tx cancel HASH`: replace a pending transaction of this
wallet (EVM: same nonce; Bitcoin: a fee bump, also `wallet tx bump TXID --fee-rate N`), through
the pipeline (wallet_cli/replace.py), screened and previewed like a send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from wallet_cli.cli import common, output

if TYPE_CHECKING:
    from wallet_cli.replace import Kind, Replacement, ReplaceRequest
    from wallet_cli.screening import Report
    from wallet_cli.types import Preview

tx_app = typer.Typer(
    help="Transactions: their status on the network; speed up or cancel a pending one.",
    no_args_is_help=True,
)
HashArgument = Annotated[
    str, typer.Argument(help="The transaction hash (EVM: 0x and 64 hex digits; Bitcoin: txid).")
]
MultiplierOption = Annotated[
    str,
    typer.Option(
        "--fee-multiplier",
        help="Raise the original's fees by this factor (1.1 to 10; nodes need +10%).",
    ),
]
MaxFeeOption = Annotated[
    str | None,
    typer.Option(
        "--max-fee-per-gas",
        help="The new max fee per gas (gas price for a legacy tx), e.g. 30gwei; skips the "
        "multiplier and the max-fee-per-gas ceiling; the network's max-fee still holds.",
    ),
]
PriorityFeeOption = Annotated[
    str | None, typer.Option("--priority-fee", help="The new priority fee per gas, e.g. 2gwei.")
]
NoWaitOption = common.NoWaitOption
TimeoutOption = common.TimeoutOption


def register(app: typer.Typer) -> None:
    app.add_typer(tx_app, name="tx")


@tx_app.command("status")
def status(
    ctx: typer.Context,
    tx_hash: HashArgument,
) -> None:
    """The node's receipt: success, failed, pending or not-found. For this wallet's own
    transactions a final status is written to history (once)."""
    from wallet_cli.receipts import parse_hash, status_of
    from wallet_cli.replace import note_replaced
    from wallet_cli.store.history import History

    session = common.session_of(ctx)
    network = session.network()
    parse_hash(tx_hash, network)  # a bad hash is exit 2 before the node or a wallet is asked
    wallet = session.wallet() if session.home.wallet_names() else None
    lookup = status_of(wallet, network, tx_hash)
    if lookup.recorded and wallet is not None:  # a replacement now in a block
        note_replaced(History(wallet.home, wallet.name), [lookup.status.tx_hash])
    found = lookup.status
    where = f" in block {found.block}" if found.block is not None else ""
    text = {
        "pending": "pending: the node has it, not yet in a block",
        "not-found": "not found: the node does not know this transaction",
    }.get(found.status, found.status + where)
    lines = [f"{found.tx_hash} on {network.name}: {text}"]
    if found.reason:
        lines.append(f"reason: {found.reason}")
    if lookup.recorded:
        lines.append("recorded in history")
    elif not lookup.ours and wallet is not None:
        lines.append(f"not a transaction of wallet '{wallet.name}' on {network.name}")
    output.emit(session.json, lookup.to_json(), lines)


@tx_app.command("speed-up")
def speed_up(
    ctx: typer.Context,
    tx_hash: HashArgument,
    fee_multiplier: MultiplierOption = "1.25",
    max_fee_per_gas: MaxFeeOption = None,
    priority_fee: PriorityFeeOption = None,
    allow: common.AllowOption = None,
    no_wait: NoWaitOption = False,
    timeout: TimeoutOption = 120,
) -> None:
    """Re-sign a pending transaction of this wallet with higher fees: EVM at the same nonce,
    recipient, value and data; Bitcoin as a fee bump (RBF) of the same payment."""
    request = _request("speed-up", tx_hash, fee_multiplier, max_fee_per_gas, priority_fee)
    _replace(ctx, request, allow, no_wait, timeout)


@tx_app.command("bump")
def bump(
    ctx: typer.Context,
    tx_hash: HashArgument,
    fee_rate: Annotated[
        int, typer.Option("--fee-rate", help="Bitcoin: the replacement's fee rate, sat/vB.")
    ],
    allow: common.AllowOption = None,
    no_wait: NoWaitOption = False,
    timeout: TimeoutOption = 120,
) -> None:
    """Bitcoin: replace an unconfirmed payment of this wallet (BIP-125 RBF) by one paying
    the same recipients at a higher fee rate, taken from change; screened and previewed."""
    from dataclasses import replace as with_fields

    request = with_fields(_request("speed-up", tx_hash, "1.25", None, None), fee_rate=fee_rate)
    _replace(ctx, request, allow, no_wait, timeout)


@tx_app.command("cancel")
def cancel(
    ctx: typer.Context,
    tx_hash: HashArgument,
    fee_multiplier: MultiplierOption = "1.25",
    max_fee_per_gas: MaxFeeOption = None,
    priority_fee: PriorityFeeOption = None,
    allow: common.AllowOption = None,
    no_wait: NoWaitOption = False,
    timeout: TimeoutOption = 120,
) -> None:
    """EVM: replace a pending transaction of this wallet with a 0-value transfer to itself
    at the same nonce and higher fees, so the original can never be mined."""
    request = _request("cancel", tx_hash, fee_multiplier, max_fee_per_gas, priority_fee)
    _replace(ctx, request, allow, no_wait, timeout)


def _request(
    kind: Kind, tx_hash: str, multiplier: str, max_fee: str | None, tip: str | None
) -> ReplaceRequest:
    from wallet_cli.replace import ReplaceRequest

    return ReplaceRequest(tx_hash, kind, multiplier, max_fee, tip)


def _replace(
    ctx: typer.Context,
    request: ReplaceRequest,
    allow: list[str] | None,
    no_wait: bool,
    timeout: float,
) -> None:
    from dataclasses import replace as with_fields

    from wallet_cli.cli.screening_view import confirmer, finding_lines
    from wallet_cli.cli.send_cmds import finish_transfer, repeats_preview
    from wallet_cli.replace import replace

    session = common.session_of(ctx)
    allowed = frozenset(allow or ())
    for rule in sorted(allowed):
        output.note(f"DANGER: --allow {rule} lets a blocking finding of that rule through")
    request = with_fields(request, allow=allowed, wait=not no_wait, timeout=timeout)
    wallet = session.wallet()
    shown: list[Preview] = []

    def show(replacing: Replacement, preview: Preview, report: Report) -> None:
        if not session.json:
            _show(replacing, preview)
            shown.append(preview)

    def unlock() -> None:
        wallet.unlock(session.unlock_sources(wallet))

    result = replace(
        wallet,
        session.network(),
        session.config,
        request,
        unlock=unlock,
        confirm=confirmer(session),
        show=show,
        confirmed=session.yes,
    )
    repeat = repeats_preview(shown)
    nonce = f" (nonce {result.nonce})" if result.nonce is not None else ""
    lines: list[output.Line] = [f"{result.kind} of {result.replaces}{nonce}"]
    if repeat:
        lines.append(f"{result.amount} {result.unit} from {result.sender} to {result.to}")
    lines += [f"screening: {result.report.verdict}", *finding_lines(result.report)]
    if repeat:
        lines.append(f"fee cap: {result.fee_cap} {result.fee_unit}")
    finish_transfer(session, result, lines)


def _show(replacing: Replacement, preview: Preview) -> None:
    from wallet_cli.types import format_amount

    what = "a 0-value transfer to yourself" if replacing.kind == "cancel" else "the same transfer"
    nonce = f" (nonce {replacing.nonce})" if replacing.nonce is not None else ""
    lines = [f"About to replace {replacing.replaces}{nonce} with {what}:"]
    for item in preview.outputs:
        amount = format_amount(item.amount, item.asset.decimals)
        lines.append(f"  {amount} {item.asset.symbol} -> {item.recipient}")
    lines.append(f"  {replacing.fee_change}")
    fee = format_amount(preview.fee_cap, preview.fee_asset.decimals)
    chain = f" (chain id {preview.chain_id})" if preview.chain_id is not None else ""
    lines.append(
        f"  from {preview.sender} on {preview.network}{chain}; "
        f"fee at most {fee} {preview.fee_asset.symbol}"
    )
    output.note("\n".join(lines))
