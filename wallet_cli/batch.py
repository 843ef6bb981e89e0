"""`wallet batch`: many transfers from one CSV, validated and screened in full before any
signature, shown as totals and approved once, then signed together and sent pipelined
(JSON-RPC batches of a bounded size, batch_send.py), receipts awaited together.

Idempotent per run: each row gets a key (batch_rows.py: wallet, network, sender, run id and
the payment itself) written to history with its signed raw transaction. Running the same
run again skips rows already settled and re-broadcasts (never re-signs) rows that were
signed but whose fate is unknown, so no row is ever paid twice, even after a crash or
Ctrl-C. The run id defaults to the file's SHA-256; a new `--run-id` pays the file again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chains.amounts import format_amount
from chains.base import Asset, Network, Output
from chains.errors import ChainError
from chains.registry import adapter_for
from chains.session import ChainSession, FeeChoice, ItemError, SignedTx, UnsignedTx
from wallet_cli import holds, screening
from wallet_cli.batch_report import BatchPlan, BatchRun, RowResult, interrupted_message
from wallet_cli.batch_resume import Unsettled, look_up, prior, settle
from wallet_cli.batch_rows import (
    MAX_FIELD,
    MAX_FILE_BYTES,
    MAX_ROWS,
    BadBatchRows,
    BatchRow,
    RowProblem,
    check_offline,
    check_run_id,
    default_run_id,
    parse_rows,
    read_rows,
    resolve,
    row_keys,
    totals,
)
from wallet_cli.batch_send import await_all, broadcast_all
from wallet_cli.errors import BadBatchFile, NotConfirmed, ScreeningBlocked, ScreeningNotConfirmed
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.transfer import (
    Confirm,
    SendRequest,
    Unlock,
    connect,
    enforce,
    plan_and_screen,
    screening_context,
    sign_and_record,
)
from wallet_cli.transfer_inputs import fee_choice
from wallet_cli.wallet import Wallet

__all__ = ["MAX_FIELD", "MAX_ROWS", "BatchRow", "BatchRun", "RowResult", "read_rows", "run_batch"]

Progress = Callable[[str, int, int], None]
Approve = Callable[[BatchPlan], bool]
SHOWN_BLOCKS = 5
IN_FLIGHT = 1_000  # rows sent and not yet mined before the next chunk waits (with --wait)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: what was done (`run`) and how to resume (`message`)."""

    def __init__(self, run: BatchRun, message: str) -> None:
        super().__init__(message)
        self.run = run
        self.message = message


@dataclass
class _Job:
    """One run's fixed inputs, so each step takes one argument."""

    wallet: Wallet
    network: Network
    config: Config
    session: ChainSession
    fees: FeeChoice
    rows: list[BatchRow]
    targets: list[str]
    assets: list[Asset]
    amounts: list[int]
    allow: frozenset[str]
    history: History
    run: BatchRun
    index: int = 0
    all_or_nothing: bool = False
    context: screening.Context | None = None  # the last screening's, for the hold step


def run_batch(
    wallet: Wallet,
    network: Network,
    config: Config,
    path: Path,
    *,
    index: int,
    unlock: Unlock,
    confirm: Confirm,
    progress: Progress,
    approve: Approve | None = None,
    allow: frozenset[str] = frozenset(),
    wait: bool = True,
    timeout: float = 300.0,
    max_fee_per_gas: str | None = None,
    priority_fee: str | None = None,
    run_id: str | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
) -> BatchRun:
    """`approve` sees the totals once, after screening and before the passphrase (`None`:
    the caller approved already). `dry_run` signs, sends and records nothing. Rows that
    trip a hold rule are held (holds.py) and the rest proceed; `all_or_nothing` holds
    every row when one trips (`HeldForOwner`, nothing signed).
    Ctrl-C raises `BatchInterrupted`, which says what was done and how to resume."""
    from keystore.files import read_limited
    from wallet_cli import freeze

    if not dry_run:
        freeze.check(wallet.home, wallet.name)  # before any prompt
    # bad fees: exit 2, no node asked
    fees = fee_choice(
        network, SendRequest("", "", max_fee_per_gas=max_fee_per_gas, priority_fee=priority_fee)
    )
    explicit = check_run_id(run_id) if run_id is not None else None
    data = read_limited(path, MAX_FILE_BYTES, "batch file")
    rows, problems = parse_rows(data, path)
    adapter = adapter_for(network.family)
    targets, more = check_offline(rows, adapter, network)
    problems += more
    run = BatchRun(explicit or default_run_id(data), explicit is not None, dry_run)
    history = History(wallet.home, wallet.name)
    try:
        session = _connect(wallet, network, index, problems)
        try:
            assets, amounts = resolve(session, config, network, rows, problems)
            if problems:
                raise BadBatchRows(problems)
            chain_id, sender = session.chain_id, session.sender
            prefix = f"{wallet.name}|{network.name}|{chain_id}|{sender}|{run.run_id}"
            keys = row_keys(prefix, targets, assets, amounts)
            for row, key, to, asset, amount in zip(
                rows, keys, targets, assets, amounts, strict=True
            ):
                shown = format_amount(amount, asset.decimals)
                run.results.append(RowResult(row, key, to, shown, asset.symbol))
            job = _Job(
                wallet=wallet,
                network=network,
                config=config,
                session=session,
                fees=fees,
                rows=rows,
                targets=targets,
                assets=assets,
                amounts=amounts,
                allow=allow,
                history=history,
                run=run,
                index=index,
                all_or_nothing=all_or_nothing,
            )
            if dry_run:
                _dry_run(job)
            else:
                _run(job, unlock, confirm, progress, approve, wait, timeout)
            return run
        finally:
            session.close()
    except KeyboardInterrupt:
        raise BatchInterrupted(run, interrupted_message(run, history)) from None


def _connect(
    wallet: Wallet, network: Network, index: int, problems: list[RowProblem]
) -> ChainSession:
    try:
        return connect(network, None, wallet, index)
    except ChainError:
        if problems:  # what is wrong with the file is said even with the node away
            raise BadBatchRows(problems) from None
        raise


def _run(
    job: _Job,
    unlock: Unlock,
    confirm: Confirm,
    progress: Progress,
    approve: Approve | None,
    wait: bool,
    timeout: float,
) -> None:
    run, home, rows = job.run, job.wallet.home, job.rows
    batch_lock = hashlib.sha256(run.run_id.encode()).hexdigest()
    # One run at a time: the run's lock is held to the end, receipts included, and the
    # rows still to send are decided under the account lock.
    session = job.session
    with home.account_lock(f"batch-{session.chain_id}-{session.sender}-{batch_lock}"):
        with home.account_lock(session.lock_name):
            fresh, unsettled = prior(job.history, job.run.results)
            if unsettled:
                settle(session, job.history, unsettled)
                progress("resumed", len(unsettled), len(unsettled))
            plans, reports = _plan_and_screen(job, fresh)
            _refuse_blocked(job, fresh, plans, reports)
            signed: list[SignedTx] = []
            for plan, report in zip(plans, reports, strict=True):
                try:
                    enforce(report, job.allow, confirm, plan.preview)
                except ScreeningNotConfirmed as exc:
                    line = rows[fresh[plan.outputs[0]]].line
                    raise ScreeningNotConfirmed(f"row {line}: {exc.message}", report) from None
            fresh, plans, reports = _hold_rows(job, fresh, plans, reports)
            progress("screened", len(rows), len(rows))
            run.plan = _plan_of(job, fresh, plans)
            if plans:
                if approve is not None and not approve(run.plan):
                    raise NotConfirmed(
                        "the batch was not confirmed: nothing was signed (on a terminal "
                        "answer y; in a script, --yes)"
                    )
                unlock()
                signed = _sign(job, fresh, plans, reports)
                progress("signed", len(signed), len(signed))
                sending = [[run.results[fresh[p]] for p in plan.outputs] for plan in plans]
                raws = _raws(signed, unsettled)
                ends = time.monotonic() + timeout  # all of a run's holding back together

                def throttle(sent: Sequence[RowResult]) -> None:
                    """At most IN_FLIGHT rows in the node's pool before the next chunk."""
                    left = max(0.0, ends - time.monotonic())
                    history = job.history
                    await_all(session, history, sent, left, _quiet, raws, IN_FLIGHT)

                broadcast_all(
                    session, job.history, sending, signed, progress, throttle if wait else None
                )
        if wait:
            raws = _raws(signed, unsettled)
            await_all(session, job.history, run.results, timeout, progress, raws)


def _raws(signed: list[SignedTx], unsettled: list[Unsettled]) -> dict[str, str]:
    """Each pending row's signed raw transaction by hash: what is sent again if lost."""
    raws = {tx.tx_hash: tx.raw for tx in signed}
    raws.update((result.tx_hash, raw) for result, raw in unsettled if result.tx_hash)
    return raws


def _quiet(stage: str, done: int, total: int) -> None:
    """The progress of a wait while sending: the `sent` bar already shows it."""


def _dry_run(job: _Job) -> None:
    """Check and screen every row as a run would; sign, send and record nothing."""
    fresh, unsettled = prior(job.history, job.run.results)
    look_up(job.session, unsettled)  # read-only; a real run re-sends those the node lost
    plans, reports = _plan_and_screen(job, fresh)
    would_hold = {
        position: held["reasons"][0]["message"]
        for position, held in _held(job, fresh, dry_run=True).items()
    }
    for plan, report in zip(plans, reports, strict=True):
        for position in plan.outputs:
            result = job.run.results[fresh[position]]
            blocked = any(f.rule not in job.allow for f in report.blocking())
            result.status = "blocked" if blocked else "would-send"
            if not blocked and position in would_hold:
                result.status, result.reason = "would-hold", would_hold[position]
            result.screening = report.to_json()
            result.nonce = plan.nonce
            result.fee_cap, result.fee_unit = _fee(plan.preview.fee_cap, plan.preview.fee_asset)
    job.run.plan = _plan_of(job, fresh, plans)


def _plan_and_screen(
    job: _Job, fresh: list[int]
) -> tuple[list[UnsignedTx], list[screening.Report]]:
    if not fresh:
        return [], []
    outputs = [Output(job.targets[i], job.assets[i], job.amounts[i], job.rows[i].to) for i in fresh]
    context = screening_context(job.wallet, job.network, job.config, job.session)
    job.context = context
    try:
        return plan_and_screen(job.session, outputs, job.fees, context)
    except ItemError as exc:
        line = job.rows[fresh[exc.position]].line
        raise BadBatchFile(f"row {line}: {exc.error.message}") from None


def _refuse_blocked(
    job: _Job, fresh: list[int], plans: list[UnsignedTx], reports: list[screening.Report]
) -> None:
    """Every blocked row named at once, before any question is asked."""
    blocked = []
    for plan, report in zip(plans, reports, strict=True):
        findings = [f for f in report.blocking() if f.rule not in job.allow]
        if findings:
            line = job.rows[fresh[plan.outputs[0]]].line
            blocked.append((line, findings[0].message, report))
    if not blocked:
        return
    shown = "; ".join(f"row {line}: {message}" for line, message, _ in blocked[:SHOWN_BLOCKS])
    more = len(blocked) - SHOWN_BLOCKS
    raise ScreeningBlocked(
        f"refused by screening, nothing was signed: {shown}"
        + (f"; and {more} more rows" if more > 0 else ""),
        blocked[0][2],
    )


def _plan_of(job: _Job, fresh: list[int], plans: list[UnsignedTx]) -> BatchPlan:
    native = job.network.native
    fee_asset = plans[0].preview.fee_asset if plans else native
    fee_cap, fee_unit = _fee(sum(p.preview.fee_cap for p in plans), fee_asset)
    return BatchPlan(
        run_id=job.run.run_id,
        rows=len(job.rows),
        to_send=len(fresh),
        done=len(job.rows) - len(fresh),
        totals=totals([job.assets[i] for i in fresh], [job.amounts[i] for i in fresh]),
        fee_cap=fee_cap,
        fee_unit=fee_unit,
    )


def _fee(amount: int, asset: Asset) -> tuple[str, str]:
    return format_amount(amount, asset.decimals), asset.symbol


def _sign(
    job: _Job, fresh: list[int], plans: list[UnsignedTx], reports: list[screening.Report]
) -> list[SignedTx]:
    """The pipeline's `sign_and_record`, each row's entry keyed for resumes."""
    outputs = [Output(job.targets[i], job.assets[i], job.amounts[i], job.rows[i].to) for i in fresh]

    def row_fields(position: int) -> dict[str, object]:
        i = fresh[position]
        return {"key": job.run.results[i].key, "run_id": job.run.run_id, "row": job.rows[i].line}

    signed, sent = sign_and_record(
        job.session, job.wallet, plans, reports, outputs, job.history,
        allow=job.allow, dry_run=False, extra=row_fields,
    )  # fmt: skip
    by_position = {
        position: report
        for plan, report in zip(plans, reports, strict=True)
        for position in plan.outputs
    }
    for position, result in sent:
        row = job.run.results[fresh[position]]
        row.result, row.tx_hash, row.nonce = result, result.tx_hash, result.nonce
        row.screening = by_position[position].to_json()
        row.fee_cap, row.fee_unit = result.fee_cap, result.fee_unit
    return signed


def _held(job: _Job, fresh: list[int], *, dry_run: bool) -> dict[int, dict[str, Any]]:
    """The rows (by position in `fresh`) held: stored, unless a dry run (holds.py)."""
    if not fresh or job.context is None:
        return {}
    outputs = [Output(job.targets[i], job.assets[i], job.amounts[i], job.rows[i].to) for i in fresh]
    run_id = job.run.run_id
    rows = [
        {"key": job.run.results[i].key, "run_id": run_id, "row": job.rows[i].line} for i in fresh
    ]
    return holds.hold_rows(
        job.wallet.home, job.wallet.name, job.network, job.config, job.context,
        job.session.sender, outputs, rows, index=job.index, allow=job.allow,
        all_or_nothing=job.all_or_nothing, dry_run=dry_run,
    )  # fmt: skip


def _hold_rows(
    job: _Job, fresh: list[int], plans: list[UnsignedTx], reports: list[screening.Report]
) -> tuple[list[int], list[UnsignedTx], list[screening.Report]]:
    """After screening, before approval: held rows are not signed; the rest are planned
    again without them (no nonce gap)."""
    held = _held(job, fresh, dry_run=False)
    if not held:
        return fresh, plans, reports
    for position, record in held.items():
        result = job.run.results[fresh[position]]
        result.status, result.hold, result.reason = "held", str(record["id"]), "held for the owner"
    if job.all_or_nothing:
        raise holds.held_error(list(held.values()), "the batch (--all-or-nothing)")
    rest = [i for position, i in enumerate(fresh) if position not in held]
    plans, reports = _plan_and_screen(job, rest)
    return rest, plans, reports
