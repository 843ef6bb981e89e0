"""`wallet history --verify` and `wallet history export`: the checks an investigation relies
on, and the journal as CSV for an incident report.

The unkeyed check (hash chains against their heads) needs nothing and catches accidents, but
anyone who can write the files can recompute it. The keyed check (store/seal.py) needs the
vault secret, so it runs when the passphrase comes without a prompt (a file,
WALLET_PASSPHRASE, the keyring) or with `--unlock`; otherwise the output says that only the
unkeyed check ran.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from wallet_cli.cli import output

if TYPE_CHECKING:
    from wallet_cli.cli.session import Session
    from wallet_cli.store.history import History, Verification
    from wallet_cli.wallet import Wallet

COLUMNS = (
    "seq",
    "time",
    "event",
    "network",
    "from",
    "to",
    "amount",
    "amount_base",
    "unit",
    "token",
    "nonce",
    "tx_hash",
    "block",
    "screening",
    "reason",
    "dry_run",
    "prev",
)
# A cell a spreadsheet would run as a formula (CSV injection) is written as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def run(session: Session, wallet: Wallet, journal: History, unlock: bool) -> None:
    import contextlib

    from wallet_cli.errors import HistoryDamaged, HomeUnusable
    from wallet_cli.store import seal
    from wallet_cli.store.audit import AuditLog

    audit_log = AuditLog(session.home, wallet.name)
    with contextlib.suppress(HistoryDamaged, HomeUnusable, OSError):
        audit_log.recover()
    history, audit = journal.verify(), audit_log.verify()
    # The keyed check: with --unlock from any source (a prompt too), else only from one
    # that needs no person.
    sources = session.unlock_sources(wallet)
    if not unlock:
        sources = dataclasses.replace(sources, prompt=None)
    checked = seal.check_wallet(wallet, sources, required=unlock)
    keyed, resealed = checked if checked is not None else (None, False)
    ok = history.ok and audit.ok and (keyed is None or keyed.ok)
    document: dict[str, Any] = {
        "wallet": wallet.name,
        "ok": ok,
        "entries": history.entries,
        "problem": history.problem,
        "audit": {"ok": audit.ok, "entries": audit.entries, "problem": audit.problem},
        "check": "keyed" if keyed is not None else "unkeyed",
        "keyed": None if keyed is None else {**keyed.to_json(), "resealed": resealed},
    }
    lines = [
        _chain_line(f"history of '{wallet.name}'", "entries", history),
        _chain_line(f"audit log of '{wallet.name}'", "events", audit),
    ]
    if keyed is None:
        lines.append(
            "unkeyed check only: anyone who can write these files can recompute it; for the "
            "keyed check give the passphrase (--unlock, --passphrase-file, WALLET_PASSPHRASE "
            "or the keyring)"
        )
    elif keyed.ok:
        counts = {p.name: p for p in keyed.parts}
        since = sum(p.unsealed for p in keyed.parts)
        lines.append(
            f"keyed seal: intact (sealed at {keyed.sealed_at}: "
            f"{counts['history'].sealed} history entries, {counts['audit'].sealed} audit events"
            + (f"; {since} appended since without the passphrase" if since else "")
            + ("; sealed again now)" if resealed and since else ")")
        )
    else:
        lines.append(f"keyed seal: NOT INTACT: {keyed.problem}")
    output.emit(session.json, document, lines)
    if not ok:
        raise typer.Exit(1)


def _chain_line(what: str, unit: str, result: Verification) -> str:
    state = "intact" if result.ok else f"NOT INTACT: {result.problem}"
    return f"{what}: {result.entries} {unit}, {state}"


def rows_csv(entries: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow([_cell(entry.get(column)) for column in COLUMNS])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export(session: Session, wallet: Wallet, fmt: str, out: Path | None) -> None:
    """The journal (recovered first) as CSV: to `out` (a new 0600 file) or stdout."""
    from wallet_cli.errors import BadInput
    from wallet_cli.store.atomic import write_output
    from wallet_cli.store.audit import record
    from wallet_cli.store.history import History

    if fmt.lower() != "csv":
        raise BadInput(f"unknown export format {fmt!r}: only csv")
    journal = History(session.home, wallet.name)
    journal.recover()
    entries = journal.entries()
    text = rows_csv(entries)
    if out is not None:
        write_output(out, text.encode())
    record(session.home, wallet.name, "export", what="history-csv", rows=len(entries))
    if session.json:
        document: dict[str, Any] = {"wallet": wallet.name, "format": "csv", "rows": len(entries)}
        document.update({"out": str(out)} if out is not None else {"csv": text})
        output.emit(True, document, [])
    elif out is not None:
        output.note(f"wrote {len(entries)} entries of '{wallet.name}' to {out}")
    else:
        sys.stdout.write(text)
