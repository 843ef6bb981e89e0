"""`wallet approvals`: the token allowances this wallet's addresses have granted, confirmed
on chain and screened; `wallet revoke TOKEN SPENDER`: set one to zero, like a send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from wallet_cli.cli import common, output

if TYPE_CHECKING:
    from wallet_cli.screening import Report
    from wallet_cli.types import Preview


def register(app: typer.Typer) -> None:
    app.command("approvals")(approvals)
    app.command("revoke")(revoke)


def approvals(
    ctx: typer.Context,
    token: Annotated[
        str | None, typer.Option("--token", help="Only this token (contract or config symbol).")
    ] = None,
    risky: Annotated[
        bool,
        typer.Option(
            "--risky",
            help="Only the flagged ones: unlimited, listed, look-alike, not a contract.",
        ),
    ] = False,
    from_block: Annotated[
        int | None,
        typer.Option(
            "--from-block",
            help="Read Approval logs from this block (default: the last 100,000).",
            min=0,
        ),
    ] = None,
) -> None:
    """List the allowances this wallet granted: from the node's Approval logs, each confirmed
    with allowance() now (zero ones are not listed), the spender labelled and screened."""
    from wallet_cli.approvals import list_approvals
    from wallet_cli.cli.screening_view import finding_lines

    session = common.session_of(ctx)
    found = list_approvals(
        session.wallet(), session.network(), session.config, token=token,
        from_block=from_block, risky=risky,
    )  # fmt: skip
    lines: list[output.Line] = [
        f"{len(found.approvals)} {'flagged ' if risky else ''}allowance(s) on {found.network} "
        f"(Approval logs of blocks {found.first_block}..{found.last_block}, and those found "
        "before)"
    ]
    if found.last_block < found.head:
        lines.append(
            f"blocks {found.last_block + 1}..{found.head} are not read yet: run it again to go on"
        )
    for item in found.approvals:
        label = f" ({item.label})" if item.label else ""
        flags = f"  [{', '.join(item.flags)}]" if item.flags else ""
        lines.append(f"{item.shown} {item.symbol} ({item.token}) -> {item.spender}{label}{flags}")
        lines += [f"    {line}" for line in finding_lines(item.report)]
    output.emit(session.json, found.to_json(), lines)


def revoke(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="The token contract (or a config symbol).")],
    spender: Annotated[str, typer.Argument(help="The spender whose allowance goes to zero.")],
    index: Annotated[int, typer.Option("--index", help="Which address of the wallet.")] = 0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Screen and sign, print the raw tx, send nothing.")
    ] = False,
    no_wait: common.NoWaitOption = False,
    allow: common.AllowOption = None,
    timeout: common.TimeoutOption = 120,
) -> None:
    """Set SPENDER's allowance of TOKEN to zero: approve(SPENDER, 0), screened, previewed and
    journalled like a send."""
    from wallet_cli.approvals import revoke as revoke_allowance
    from wallet_cli.cli.screening_view import confirmer, finding_lines
    from wallet_cli.cli.send_cmds import _show_preview, _unlock, finish_transfer
    from wallet_cli.transfer import SendRequest

    session = common.session_of(ctx)
    allowed = frozenset(allow or ())
    for rule in sorted(allowed):
        output.note(f"DANGER: --allow {rule} lets a blocking finding of that rule through")
    network = session.network()
    base = SendRequest(
        to=token, amount="0", index=index, dry_run=dry_run, wait=not no_wait,
        allow=allowed, timeout=timeout,
    )  # fmt: skip

    def show(preview: Preview, report: Report) -> None:
        if not session.json:
            _show_preview(preview, report)

    result = revoke_allowance(
        session.wallet(), network, session.config, token, spender, base,
        unlock=lambda: _unlock(session), confirm=confirmer(session), show=show,
    )  # fmt: skip
    lines: list[output.Line] = [f"revoke: the allowance of {spender} on {result.to} to zero"]
    lines += [f"screening: {result.report.verdict}", *finding_lines(result.report)]
    if result.raw is not None:
        lines.append(f"raw transaction (not broadcast): {result.raw}")
    finish_transfer(session, result, lines)
