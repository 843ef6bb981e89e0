"""`wallet batch FILE.csv`: screened, pipelined transfers from a CSV (to,amount[,token]).

The person sees the row count, the total per asset and the fee cap once, before the
passphrase, and answers once; a script passes `--yes`. Ctrl-C says what was done and that
the same command resumes; the run ends with a summary (sent, skipped, failed).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wallet_cli.cli import common, output
from wallet_cli.cli.send_cmds import MaxFeeOption, PriorityFeeOption

if TYPE_CHECKING:
    from wallet_cli.batch_report import BatchPlan, BatchRun

INTERRUPTED = 130


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)


def batch(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with columns to,amount[,token].")],
    index: Annotated[int, typer.Option("--index", help="Which address sends.")] = 0,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check and screen every row, show the totals; sign nothing."
        ),
    ] = False,
    run_id: Annotated[
        str | None,
        typer.Option(
            "--run-id",
            help="Name this payment run (e.g. 2026-12): a new id pays the file again, the "
            "same id never pays a row twice. Default: the file's SHA-256.",
        ),
    ] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Return once broadcast.")] = False,
    allow: common.AllowOption = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for receipts.")
    ] = 300,
    max_fee_per_gas: MaxFeeOption = None,
    priority_fee: PriorityFeeOption = None,
    all_or_nothing: Annotated[
        bool,
        typer.Option(
            "--all-or-nothing",
            help="If a row is held for the owner, hold every row (default: the rest proceed).",
        ),
    ] = False,
) -> None:
    """Validate and screen every row, show the totals and ask once, then sign all and send
    them together.

    Running it again (same file, or same --run-id) resumes: rows already signed are skipped
    or re-broadcast, never paid twice.
    """
    from wallet_cli.addresses import account_key
    from wallet_cli.batch import BatchInterrupted
    from wallet_cli.batch_rows import BadBatchRows
    from wallet_cli.cli.exits import exit_code_for
    from wallet_cli.cli.screening_view import confirmer

    session = common.session_of(ctx)
    allowed = frozenset(allow or ())
    for rule in sorted(allowed):
        output.note(f"DANGER: --allow {rule} lets a blocking finding of that rule through")
    wallet = session.wallet()
    network = session.network()
    key = account_key(network)
    sender = wallet.addresses(key, [index])[0].address

    def unlock() -> None:
        wallet.unlock(session.unlock_sources(wallet))

    def approve(plan: BatchPlan) -> bool:
        from wallet_cli.cli import prompts

        output.note("\n".join(plan_lines(plan, file, sender, network.name)))
        if session.yes:
            return True
        if not prompts.terminal_available():
            return False
        question = f"Sign and send {plan.to_send} transfer{'s' * (plan.to_send != 1)}? [y/N] "
        return prompts.ask(question).lower() in ("y", "yes")

    try:
        with _progress(enabled=not session.json and sys.stderr.isatty()) as progress:
            run = wallet.batch(
                network,
                session.config,
                file,
                index=index,
                unlock=unlock,
                confirm=confirmer(session),
                progress=progress,
                approve=approve,
                allow=allowed,
                wait=not no_wait,
                timeout=timeout,
                max_fee_per_gas=max_fee_per_gas,
                priority_fee=priority_fee,
                run_id=run_id,
                dry_run=dry_run,
                all_or_nothing=all_or_nothing,
            )
    except BadBatchRows as exc:
        code = exit_code_for(exc.kind)
        rows = [p.to_json() for p in exc.problems]
        details = [f"row {p.line}: {p.message}" for p in exc.problems] if len(rows) > 1 else []
        output.error(session.json, exc.code, code, exc.message, {"rows": rows}, details)
        raise typer.Exit(code) from None
    except BatchInterrupted as exc:
        document: dict[str, Any] = {"run_id": exc.run.run_id, "summary": exc.run.summary()}
        document["results"] = [r.to_json() for r in exc.run.results]
        output.error(session.json, "interrupted", INTERRUPTED, exc.message, document)
        raise typer.Exit(INTERRUPTED) from None
    _report(session.json, run, file, sender, network.name, network.family)


def _report(
    json_mode: bool, run: BatchRun, file: Path, sender: str, network: str, chain: str
) -> None:
    rows = [r.to_json() for r in run.results]
    summary = run.summary()
    lines = [] if json_mode else _row_lines(rows)
    if run.dry_run and run.plan is not None and not json_mode:
        lines += ["", *plan_lines(run.plan, file, sender, network)]
    output.emit(
        json_mode,
        {
            "network": network,
            "chain": chain,
            "from": sender,
            "file": str(file),
            "run_id": run.run_id,
            "dry_run": run.dry_run,
            "plan": run.plan.to_json() if run.plan else None,
            "summary": summary,
            "results": rows,
        },
        lines,
    )
    if not json_mode:
        output.note(summary_line(summary, run.dry_run))
    if run.dry_run and summary["blocked"]:
        raise typer.Exit(3)  # as a blocked run would: a script can branch on it
    if summary["failed"]:
        raise typer.Exit(1)
    if summary.get("held"):
        raise typer.Exit(7)  # held for the owner (wallet holds)


def plan_lines(plan: BatchPlan, file: Path, sender: str, network: str) -> list[str]:
    """The totals a person approves: rows, amount per asset, the fee cap."""
    run = plan.run_id if len(plan.run_id) < 64 else f"file sha256 {plan.run_id[:12]}..."
    done = f", {plan.done} already done" if plan.done else ""
    lines = [f"Batch {file.name} (run {run}): {plan.rows} rows, {plan.to_send} to send{done}"]
    lines += [
        f"  total {t['amount']} {t['unit']}" + (f" (token {t['token']})" if t["token"] else "")
        for t in plan.totals
    ]
    lines.append(f"  fees at most {plan.fee_cap} {plan.fee_unit} in all")
    lines.append(f"  from {sender} on {network}")
    return lines


def summary_line(summary: dict[str, int], dry_run: bool) -> str:
    if dry_run:
        return (
            f"dry run, {summary['rows']} rows: {summary['would_send']} would be sent, "
            f"{summary['blocked']} blocked, {summary.get('would_hold', 0)} would be held, "
            f"{summary['skipped']} done before; nothing was signed"
        )
    text = (
        f"{summary['rows']} rows: {summary['sent']} sent, {summary['rebroadcast']} re-broadcast, "
        f"{summary['skipped']} skipped (done before), {summary['failed']} failed"
    )
    text += f"; {summary['pending']} still pending" if summary["pending"] else ""
    held = summary.get("held", 0)
    return text + (f"; {held} held for the owner (see 'wallet holds')" if held else "")


def _row_lines(rows: list[dict[str, Any]]) -> list[str]:
    header = f"{'ROW':>5}  {'STATUS':<13} {'AMOUNT':<24} {'TO':<42}  TX"
    lines = [header]
    for r in rows:
        notes = []
        if r["rebroadcast"]:
            notes.append("re-broadcast")
        elif r["skipped"]:
            notes.append("done before")
        if r.get("fee_cap") is not None:
            notes.append(f"fee cap {r['fee_cap']} {r['fee_unit']}")
        if r.get("reason"):
            notes.append(str(r["reason"]))
        verdict = (r.get("screening") or {}).get("verdict")
        if verdict not in (None, "ok"):
            notes.append(f"screening {verdict}")
        amount = f"{r['amount']} {r['unit']}"
        lines.append(
            f"{r['row']:>5}  {r['status']:<13} {amount:<24} {r['to']:<42}  {r['tx_hash'] or '-'}"
            + (f"  ({'; '.join(notes)})" if notes else "")
        )
    return lines


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
        if stage in ("screened", "resumed"):
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
