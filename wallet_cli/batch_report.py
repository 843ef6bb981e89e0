"""What a batch run did, row by row and in sum, and what an interrupted run tells the user.

Kept apart from the run itself (batch.py) so the one place that describes a run is the
one the CLI prints and a script reads (`results`, `plan`, `summary`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wallet_cli.batch_rows import BatchRow
from wallet_cli.store.history import History
from wallet_cli.transfer import SendResult

# statuses a run's exit code reports (an `expired` row is signed again by the next run)
UNPAID = ("failed", "rejected", "unknown", "expired")


@dataclass
class RowResult:
    """One row. `skipped`: signed by an earlier run of the same run id (nothing signed
    now); `rebroadcast`: such a row whose transaction was sent to the node again now."""

    row: BatchRow
    key: str
    to: str
    amount: str
    unit: str
    status: str = "not-broadcast"
    skipped: bool = False
    rebroadcast: bool = False
    tx_hash: str | None = None
    block: int | None = None
    reason: str | None = None
    screening: dict[str, Any] | None = None
    fee_cap: str | None = None
    fee_unit: str | None = None
    nonce: int | None = None
    result: SendResult | None = None  # rows signed by this run
    hold: str | None = None  # the hold id of a row held for the owner (holds.py)

    def recorded(self, entry: dict[str, Any]) -> None:
        """Take what history recorded when an earlier run signed this row."""
        self.skipped, self.tx_hash = True, entry.get("tx_hash")
        self.nonce = entry.get("nonce")
        # The verdict screening gave at signing time; the findings are not journalled.
        self.screening = {"verdict": entry.get("screening"), "source": "history"}

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "row": self.row.line,
            "to": self.to,
            "amount": self.amount,
            "unit": self.unit,
            "tx_hash": self.tx_hash,
            "status": self.status,
            "block": self.block,
            "skipped": self.skipped,
            "rebroadcast": self.rebroadcast,
            "screening": self.screening,
            "nonce": self.nonce,
        }
        if self.fee_cap is not None:
            document["fee_cap"], document["fee_unit"] = self.fee_cap, self.fee_unit
        if self.reason:
            document["reason"] = self.reason
        if self.hold is not None:
            document["hold"] = self.hold
        return document


@dataclass(frozen=True)
class BatchPlan:
    """What is about to be signed: shown, and approved once, before the passphrase."""

    run_id: str
    rows: int  # rows in the file
    to_send: int  # rows to sign now
    done: int  # rows an earlier run of this run id signed
    totals: list[dict[str, Any]]  # per asset: amount, unit, token
    fee_cap: str  # the most all fees together can cost
    fee_unit: str

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "rows": self.rows,
            "to_send": self.to_send,
            "already_done": self.done,
            "totals": self.totals,
            "fee_cap": self.fee_cap,
            "fee_unit": self.fee_unit,
        }


@dataclass
class BatchRun:
    run_id: str
    explicit_run_id: bool
    dry_run: bool
    results: list[RowResult] = field(default_factory=list)
    plan: BatchPlan | None = None

    def summary(self) -> dict[str, int]:
        """Each row counts once in sent, rebroadcast, skipped, failed or not_sent (a dry
        run's rows are not_sent); confirmed and pending count statuses across them."""
        rows = self.results
        unpaid = [r for r in rows if r.status in UNPAID]
        paid = [r for r in rows if r.status not in UNPAID]
        document = {
            "rows": len(rows),
            "sent": sum(not r.skipped and r.status in ("pending", "success") for r in paid),
            "rebroadcast": sum(r.rebroadcast for r in paid),
            "skipped": sum(r.skipped and not r.rebroadcast for r in paid),
            "failed": len(unpaid),
            "not_sent": sum(not r.skipped and r.status not in ("pending", "success") for r in paid),
            "confirmed": sum(r.status == "success" for r in rows),
            "pending": sum(r.status == "pending" for r in rows),
        }
        held = sum(r.status == "held" for r in rows)
        if held:  # rows held for the owner (holds.py): only when there are some
            document["held"] = held
        if self.dry_run:
            document["would_send"] = sum(r.status == "would-send" for r in rows)
            document["blocked"] = sum(r.status == "blocked" for r in rows)
            document["would_hold"] = sum(r.status == "would-hold" for r in rows)
        return document

    def resume_hint(self) -> str:
        again = f"with --run-id {self.run_id}" if self.explicit_run_id else "on the same file"
        return (
            f"run the same command again ({again}) to resume: rows already signed are "
            "re-broadcast or skipped, never signed or paid twice"
        )


def interrupted_message(run: BatchRun, history: History) -> str:
    """What an interrupted run did, from history itself (the record a resume goes by), so
    it is right wherever the interrupt landed, even inside a history write."""
    try:
        entries = history.entries()
        signed = {e.get("key") for e in entries if e.get("event") == "signed"}
        sent = {
            e.get("tx_hash")
            for e in entries
            if e.get("event") in ("broadcast", "confirmed", "failed")
        }
    except Exception:  # an unreadable journal: say what this process knows
        signed = {r.key for r in run.results if r.tx_hash}
        sent = set()
    now = [r for r in run.results if not r.skipped and r.key in signed]
    went = [
        r
        for r in now
        if r.status in ("pending", "success", "failed") or (r.tx_hash and r.tx_hash in sent)
    ]
    went_keys = {r.key for r in went}  # a set: a list here is quadratic in the rows
    unsure = [r for r in now if r.key not in went_keys]
    again = [r for r in run.results if r.rebroadcast]
    if not now and not again:
        done = sum(r.skipped for r in run.results)
        earlier = f" ({done} rows were done by an earlier run)" if done else ""
        return f"interrupted before anything was signed; nothing was sent{earlier}; " + (
            run.resume_hint()
        )
    confirmed = [r for r in run.results if r.status == "success" and not r.skipped]
    told = [
        ("signed and recorded in history", now),
        ("sent", went),
        ("signed but perhaps not sent", unsure),
        ("re-broadcast", again),
        ("confirmed", confirmed),
    ]
    parts = [f"{what}: {_rows(rows)}" for what, rows in told if rows]
    return "interrupted; " + "; ".join(parts) + "; " + run.resume_hint()


def _rows(results: list[RowResult]) -> str:
    """Row numbers as ranges: rows 2-5, 9."""
    lines = sorted(r.row.line for r in results)
    spans: list[list[int]] = []
    for line in lines:
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    shown = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)
    return f"row {shown}" if len(lines) == 1 else f"rows {shown}"
