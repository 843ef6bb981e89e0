"""`wallet history`: what this wallet signed and sent, newest first; `--verify` the chains and
their keyed seal (cli/history_verify.py); `--refresh` settles transactions sent with --no-wait
from the node's receipts; `history export --format csv` for an incident report."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli.cli import common, output

# Journal events as a person reads them; JSON keeps the event names.
_SHOWN = {"signed": "signed", "broadcast": "pending", "confirmed": "confirmed"}


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        invoke_without_command=True,
        no_args_is_help=False,
        help="Signed transactions and their status, newest first; --verify, export.",
    )
    group.callback()(history)
    group.command("export")(export)
    app.add_typer(group, name="history")


def history(
    ctx: typer.Context,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Check that no entry was edited or deleted: the hash chains of the history "
            "and the audit log, and their keyed seal when the passphrase is at hand.",
        ),
    ] = False,
    unlock: Annotated[
        bool,
        typer.Option(
            "--unlock",
            help="With --verify: ask for the passphrase if no file, variable or keyring gives "
            "it, for the keyed check.",
        ),
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="First ask the node about transactions still pending on this network "
            "(one batch call) and record their receipts.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows.")] = 50,
) -> None:
    """Signed transactions and their status, newest first (asks for a passphrase only
    with --verify --unlock)."""
    from wallet_cli.errors import BadInput, HistoryDamaged, HomeUnusable
    from wallet_cli.store.history import History, latest_by_transaction

    if ctx.invoked_subcommand is not None:
        return
    session = common.session_of(ctx)
    wallet = session.wallet()
    journal = History(session.home, wallet.name)
    # Complete what an interrupted command left; damage is reported by --verify below.
    with contextlib.suppress(HistoryDamaged, HomeUnusable, OSError):
        journal.recover()
    if verify:
        from wallet_cli.cli import history_verify

        history_verify.run(session, wallet, journal, unlock)
        return
    if unlock:
        raise BadInput("--unlock goes with --verify (the keyed check)")
    document: dict[str, Any] = {"wallet": wallet.name}
    if refresh:
        document["refreshed"] = _refresh(session, wallet)
    rows = latest_by_transaction(journal.entries())[: max(limit, 0)]
    document["transactions"] = rows
    output.emit(session.json, document, table(rows) if rows else ["no transactions yet"])


def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="Only csv.")] = "csv",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write to this new file (0600) instead of stdout."),
    ] = None,
) -> None:
    """Every journal entry as CSV, oldest first, for an incident report (no passphrase)."""
    from wallet_cli.cli import history_verify

    session = common.session_of(ctx)
    history_verify.export(session, session.wallet(), fmt, out)


def _refresh(session: common.Session, wallet: Any) -> dict[str, Any]:
    from wallet_cli.receipts import refresh
    from wallet_cli.replace import note_replaced
    from wallet_cli.store.history import History

    network = session.network()
    statuses, recorded = refresh(wallet, network)
    # A replacement (tx speed-up/cancel) now in a block marks its original `replaced`.
    note_replaced(History(session.home, wallet.name), [s.tx_hash for s in recorded])
    counts = {
        "network": network.name,
        "checked": len(statuses),
        "updated": len(recorded),
        "pending": sum(s.status == "pending" for s in statuses),
        "not_found": sum(s.status == "not-found" for s in statuses),
    }
    if not session.json:
        lost = f", {counts['not_found']} unknown to the node" if counts["not_found"] else ""
        output.note(
            f"refreshed on {network.name}: {counts['checked']} pending checked, "
            f"{counts['updated']} settled, {counts['pending']} still pending{lost}"
        )
    return counts


def table(rows: list[dict[str, Any]]) -> list[str]:
    """Rows under a header; a missing value is '-', never Python's None."""
    cells = []
    for r in rows:
        status = "dry-run" if r.get("dry_run") else _SHOWN.get(r.get("status") or "", "")
        amount = f"{_cell(r.get('amount'))} {_cell(r.get('unit'), '')}".strip()
        cells.append(
            [
                _cell(r.get("time"))[:19],
                status or _cell(r.get("status")),
                _cell(r.get("network")),
                amount,
                _cell(r.get("to")),
                _cell(r.get("block")),
                _cell(r.get("tx_hash")),
            ]
        )
    header = ["TIME", "STATUS", "NETWORK", "AMOUNT", "TO", "BLOCK", "TX"]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *cells]
    ]


def _cell(value: object, missing: str = "-") -> str:
    return missing if value is None or value == "" else str(value)
