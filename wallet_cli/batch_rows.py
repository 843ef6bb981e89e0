"""The rows of a batch CSV (`to,amount[,token]`): read, checked and keyed before any node
is asked to do more than name a token.

Every bad row is found in one pass, so a payroll file with three typos is fixed once, not
three times. A row's idempotency key names the payment, not its line: wallet, network,
chain id, sender, run id, recipient, asset, amount in base units and which repeat of that
same payment it is in the file. Moving rows around keeps their keys; changing a row's
recipient, token or amount makes it a new payment (docs/formats.md).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chains.amounts import format_amount
from chains.base import Asset, ChainAdapter, Network
from chains.errors import ChainError
from chains.session import ChainSession
from wallet_cli.errors import BadBatchFile, BadInput
from wallet_cli.store.config import Config
from wallet_cli.transfer_inputs import check_amount_syntax, parse_positive_amount, resolve_asset

# About 160 bytes a row at MAX_ROWS rows (an address, an amount and a token address fit in
# 130); a field longer than any address, amount or token.
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_FIELD = 256
MAX_ROWS = 100_000
SHOWN_PROBLEMS = 5  # in the one-line message; the JSON error lists them all
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


@dataclass(frozen=True)
class BatchRow:
    line: int
    to: str
    amount: str
    token: str | None


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.line, "message": self.message}


class BadBatchRows(BadBatchFile):
    """One or more rows cannot be used; each is named, and nothing was signed."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)
        shown = "; ".join(f"row {p.line}: {p.message}" for p in self.problems[:SHOWN_PROBLEMS])
        if len(self.problems) == 1:
            message = shown
        else:
            more = len(self.problems) - SHOWN_PROBLEMS
            rows = len({p.line for p in self.problems})
            message = f"{rows} rows are bad, nothing was signed: {shown}" + (
                f"; and {more} more" if more > 0 else ""
            )
        super().__init__(message)


def read_rows(data: bytes, path: Path) -> list[BatchRow]:
    """The rows of a batch CSV; every malformed row is named (BadBatchRows)."""
    rows, problems = parse_rows(data, path)
    if problems:
        raise BadBatchRows(problems)
    return rows


def parse_rows(data: bytes, path: Path) -> tuple[list[BatchRow], list[RowProblem]]:
    """The well-formed rows and a problem for each malformed one; a file that is not
    UTF-8 CSV, has too many rows or none at all is refused whole (BadBatchFile)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadBatchFile(f"{path} is not UTF-8 text") from None
    rows: list[BatchRow] = []
    problems: list[RowProblem] = []
    reader = csv.reader(io.StringIO(text))
    line_number = 0
    try:
        for line_number, raw in enumerate(reader, start=1):
            cells = [c.strip() for c in raw]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if line_number == 1 and cells[0].lower() == "to":
                continue
            if len(rows) + len(problems) >= MAX_ROWS:
                raise BadBatchFile(
                    f"{path} has more than {MAX_ROWS} rows; at most {MAX_ROWS} per batch"
                )
            problem = _shape_problem(cells)
            if problem:
                problems.append(RowProblem(line_number, problem))
                continue
            token = cells[2] if len(cells) == 3 and cells[2] else None
            rows.append(BatchRow(line_number, cells[0], cells[1], token))
    except csv.Error as exc:  # a field past csv's own limit, a NUL byte: reading stops here
        problems.append(RowProblem(line_number + 1, f"not valid CSV ({exc})"))
    if not rows and not problems:
        raise BadBatchFile(f"{path} has no rows")
    return rows, problems


def _shape_problem(cells: list[str]) -> str | None:
    if any(len(cell) > MAX_FIELD for cell in cells):
        return f"a field is longer than {MAX_FIELD} characters"
    if len(cells) not in (2, 3) or not cells[0] or not cells[1]:
        got = repr(cells) if len(cells) <= 3 else f"{len(cells)} fields"
        return f"expected 'to,amount[,token]', got {got}"
    return None


def check_offline(
    rows: list[BatchRow], adapter: ChainAdapter, network: Network
) -> tuple[list[str], list[RowProblem]]:
    """Addresses and amount syntax of every row, without the node: (targets, problems).
    A row with a bad address has "" as its target."""
    targets: list[str] = []
    problems: list[RowProblem] = []
    parsed: dict[str, str | ChainError] = {}  # payrolls repeat payees: each checked once
    for row in rows:
        if row.to not in parsed:
            try:
                parsed[row.to] = adapter.parse_address(row.to, network)
            except ChainError as error:
                parsed[row.to] = error
        found = parsed[row.to]
        target = found if isinstance(found, str) else ""
        if isinstance(found, ChainError):
            problems.append(_problem(row, found))
        try:
            check_amount_syntax(row.amount, network, row.token)
        except ChainError as error:
            problems.append(_problem(row, error))
        targets.append(target)
    return targets, problems


def resolve(
    session: ChainSession,
    config: Config,
    network: Network,
    rows: list[BatchRow],
    problems: list[RowProblem],
) -> tuple[list[Asset], list[int]]:
    """Each row's asset (tokens asked of the node once each) and amount in base units.
    Rows that cannot be used are added to `problems`; their asset and amount are
    placeholders, never used because the caller stops on any problem."""
    known: dict[str | None, Asset | ChainError] = {}
    already = {p.line for p in problems}
    assets: list[Asset] = []
    amounts: list[int] = []
    for row in rows:
        if row.token not in known:
            try:
                known[row.token] = resolve_asset(session, config, network, row.token)
            except ChainError as error:
                if error.kind != "input":
                    raise
                known[row.token] = error
        asset = known[row.token]
        amount = 0
        if isinstance(asset, ChainError):
            problems.append(_problem(row, asset))
            asset = network.native
        elif row.line not in already:
            try:
                amount = parse_positive_amount(row.amount, asset, network)
            except ChainError as error:
                problems.append(_problem(row, error))
        assets.append(asset)
        amounts.append(amount)
    return assets, amounts


def _problem(row: BatchRow, error: ChainError) -> RowProblem:
    if error.kind != "input":
        raise error
    return RowProblem(row.line, error.message)


def check_run_id(text: str) -> str:
    if not _RUN_ID.fullmatch(text):
        raise BadInput(
            "--run-id must be 1 to 100 letters, digits or . _ : - (starting with a letter or "
            f"digit), e.g. 2026-12; got {text[:40]!r}"
        )
    return text


def default_run_id(data: bytes) -> str:
    """The file's SHA-256: running the same bytes again is the same run."""
    return hashlib.sha256(data).hexdigest()


def row_keys(prefix: str, targets: list[str], assets: list[Asset], amounts: list[int]) -> list[str]:
    """One key per row (module docstring); `prefix` names wallet, network, chain id, sender
    and run id. A payment repeated in the file gets its repeat number, so it is paid as
    often as it appears."""
    seen: dict[tuple[str, str, int], int] = {}
    keys = []
    for target, asset, amount in zip(targets, assets, amounts, strict=True):
        payment = (target, asset.contract or "native", amount)
        seen[payment] = repeat = seen.get(payment, 0) + 1
        text = f"{prefix}|{target}|{payment[1]}|{amount}|{repeat}"
        keys.append(hashlib.sha256(text.encode()).hexdigest())
    return keys


def totals(assets: list[Asset], amounts: list[int]) -> list[dict[str, Any]]:
    """The sum per asset, in the order assets first appear."""
    sums: dict[str | None, tuple[Asset, int]] = {}
    for asset, amount in zip(assets, amounts, strict=True):
        held = sums.get(asset.contract)
        sums[asset.contract] = (asset, (held[1] if held else 0) + amount)
    return [
        {"amount": format_amount(total, asset.decimals), "unit": asset.symbol, "token": key}
        for key, (asset, total) in sums.items()
    ]
