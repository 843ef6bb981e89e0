"""`wallet history`: what this wallet signed and sent, newest first; `--verify` the chain."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from wallet_cli.cli import common, output


def register(app: typer.Typer) -> None:
    app.command("history")(history)


def history(
    ctx: typer.Context,
    verify: Annotated[
        bool, typer.Option("--verify", help="Check that no entry was edited or deleted.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows.")] = 50,
) -> None:
    """Signed transactions and their status, newest first (read-only)."""
    from wallet_cli.errors import HistoryDamaged, HomeUnusable
    from wallet_cli.store.history import History, latest_by_transaction

    session = common.session_of(ctx)
    wallet = session.wallet()
    journal = History(session.home, wallet.name)
    # Complete what an interrupted command left; damage is reported by --verify below.
    with contextlib.suppress(HistoryDamaged, HomeUnusable, OSError):
        journal.recover()
    if verify:
        result = journal.verify()
        output.emit(
            session.json,
            {
                "wallet": wallet.name,
                "ok": result.ok,
                "entries": result.entries,
                "problem": result.problem,
            },
            [
                f"history of '{wallet.name}': {result.entries} entries, "
                + ("intact" if result.ok else f"NOT INTACT: {result.problem}")
            ],
        )
        if not result.ok:
            raise typer.Exit(1)
        return
    rows = latest_by_transaction(journal.entries())[: max(limit, 0)]
    lines = [
        f"{r.get('time', '')[:19]}  {r.get('status', ''):<10} {r.get('amount', '')} "
        f"{r.get('unit', '')} -> {r.get('to', '')}  {r.get('tx_hash', '')}"
        + ("  (dry run)" if r.get("dry_run") else "")
        for r in rows
    ]
    output.emit(
        session.json,
        {"wallet": wallet.name, "transactions": rows},
        lines or ["no transactions yet"],
    )
