"""`wallet batch FILE.csv`: screened, pipelined transfers from a CSV (to,amount[,token])."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli.cli import common, output
from wallet_cli.cli.send_cmds import MaxFeeOption, PriorityFeeOption


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)


def batch(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with columns to,amount[,token].")],
    index: Annotated[int, typer.Option("--index", help="Which address sends.")] = 0,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Return once broadcast.")] = False,
    allow: common.AllowOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for receipts.")
    ] = 300,
    max_fee_per_gas: MaxFeeOption = None,
    priority_fee: PriorityFeeOption = None,
) -> None:
    """Validate and screen every row, then sign all and send them together.

    Running the same file again skips rows already confirmed and never sends a row twice.
    """
    from wallet_cli.batch import run_batch
    from wallet_cli.cli.screening_view import confirmer

    session = common.session_of(ctx)
    allowed = frozenset(allow or ())
    for rule in sorted(allowed):
        output.note(f"DANGER: --allow {rule} lets a blocking finding of that rule through")
    wallet = session.wallet()
    network = session.network()

    def unlock() -> None:
        wallet.unlock(session.unlock_sources(wallet))

    with _progress(enabled=not session.json and sys.stderr.isatty()) as progress:
        results = run_batch(
            wallet,
            network,
            session.config,
            file,
            index=index,
            unlock=unlock,
            confirm=confirmer(session),
            progress=progress,
            allow=allowed,
            wait=not no_wait,
            timeout=timeout,
            max_fee_per_gas=max_fee_per_gas,
            priority_fee=priority_fee,
        )
    rows = [r.to_json() for r in results]
    for document, result in zip(rows, results, strict=True):
        if result.result is not None:  # signed now: its fee cap, in the native asset
            document["fee_cap"] = result.result.fee_cap
            document["fee_unit"] = result.result.fee_unit
    lines = [
        f"row {r['row']:>4}  {r['status']:<9} {r['amount']} {r['unit'] or ''} -> {r['to']}  "
        f"{r['tx_hash'] or ''}{'  (already done)' if r['skipped'] else ''}"
        + (f"  fee cap {r['fee_cap']} {r['fee_unit']}" if "fee_cap" in r else "")
        for r in rows
    ]
    from chains.registry import adapter_for

    key = adapter_for(network.family).account_key(network, None)
    sender = wallet.addresses(key, [index])[0].address
    output.emit(
        session.json,
        {
            "network": network.name,
            "chain": network.family,
            "from": sender,
            "file": str(file),
            "results": rows,
        },
        lines,
    )
    if any(r["status"] in ("failed", "rejected", "unknown") for r in rows):
        raise typer.Exit(1)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A rich progress bar on a terminal, a silent callback otherwise. The bar starts with
    signing, so the screening questions and the passphrase prompt come before it draws."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage == "screened":
            return
        if not tasks:
            bar.start()
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=max(total, 1))
        bar.update(tasks[stage], completed=done, total=max(total, 1))

    try:
        yield update
    finally:
        if tasks:
            bar.stop()
