"""Held transfers: `wallets/<wallet>/holds.json`, one document with every held request.

A hold is what a transfer that tripped a hold rule became instead of a signature: enough to
plan it again (the destination and amount as typed, the token, the account), its reasons,
and its times (made, earliest approval, expiry). The file is replaced whole and atomically
(0600) under the home lock, so two processes never lose each other's holds, and a status
moves only forward (held -> approved | cancelled | expired), checked under that lock: a hold
is approved at most once even when two approvals race.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from wallet_cli.errors import HomeUnusable, WalletError
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.home import Home
from wallet_cli.store.permissions import check_file

FILE = "holds.json"
VERSION = 1
FINAL = ("approved", "cancelled", "expired")


class HoldNotFound(WalletError):
    code = "hold-not-found"
    kind = "input"


class HoldNotOpen(WalletError):
    """The hold was approved, cancelled or expired already: nothing to do with it."""

    code = "hold-not-open"
    kind = "refused"


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_stamp(text: object) -> datetime:
    if not isinstance(text, str):
        raise HomeUnusable(f"{FILE}: a hold has no valid time")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise HomeUnusable(f"{FILE}: {text!r} is not a time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_id() -> str:
    """Short enough to type, random enough never to collide in one wallet's holds."""
    return "h" + secrets.token_hex(4)


def load(home: Home, wallet: str) -> list[dict[str, Any]]:
    """Every hold of the wallet, oldest first (statuses as stored: `expired` is decided by
    `is_expired`, and written by whoever notices)."""
    path = home.wallet_dir(wallet) / FILE
    check_file(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise HomeUnusable(f"cannot read {path}: {exc.strerror}") from None
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HomeUnusable(f"{path} is not valid JSON") from None
    holds = document.get("holds") if isinstance(document, dict) else None
    if not isinstance(holds, list) or not all(isinstance(h, dict) for h in holds):
        raise HomeUnusable(f"{path} has no list of holds")
    return holds


def _save(home: Home, wallet: str, holds: list[dict[str, Any]]) -> None:
    data = json.dumps({"version": VERSION, "holds": holds}, indent=1, sort_keys=True)
    write_atomic(home.wallet_dir(wallet) / FILE, data.encode() + b"\n")


def add(home: Home, wallet: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store new holds (each gets an `id` and status `held`). A record with a `key` (a batch
    row) that is still held keeps its first hold: running the same batch again does not
    hold a row twice."""
    with home.lock():
        holds = load(home, wallet)
        open_by_key = {h["key"]: h for h in holds if h.get("key") and h.get("status") == "held"}
        stored = []
        for record in records:
            existing = open_by_key.get(record.get("key")) if record.get("key") else None
            if existing is not None and not is_expired(existing):
                stored.append(existing)
                continue
            taken = {h.get("id") for h in holds}
            hold_id = new_id()
            while hold_id in taken:
                hold_id = new_id()
            hold = {**record, "id": hold_id, "status": "held"}
            holds.append(hold)
            stored.append(hold)
        _save(home, wallet, holds)
    return stored


def get(home: Home, wallet: str, hold_id: str) -> dict[str, Any]:
    for hold in load(home, wallet):
        if hold.get("id") == hold_id:
            return hold
    raise HoldNotFound(f"wallet {wallet!r} has no hold {hold_id!r} (see 'wallet holds')")


def is_expired(hold: dict[str, Any], moment: datetime | None = None) -> bool:
    if hold.get("status") == "expired":
        return True
    return hold.get("status") == "held" and (moment or now()) >= parse_stamp(hold.get("expires"))


def close(home: Home, wallet: str, hold_id: str, status: str, **fields: Any) -> dict[str, Any]:
    """Move an open hold to `status` (approved, cancelled, expired), with `fields`; refuses
    one no longer open, so it happens once. Approving or cancelling an expired hold marks it
    expired and refuses."""
    with home.lock():
        holds = load(home, wallet)
        for hold in holds:
            if hold.get("id") != hold_id:
                continue
            if hold.get("status") != "held":
                raise HoldNotOpen(f"hold {hold_id} is {hold.get('status')} already")
            expired = is_expired(hold)
            if expired and status != "expired":
                hold["status"] = "expired"
                _save(home, wallet, holds)
                raise HoldNotOpen(f"hold {hold_id} expired at {hold['expires']}: send again")
            hold.update(fields, status=status, closed=stamp(now()))
            _save(home, wallet, holds)
            return hold
    raise HoldNotFound(f"wallet {wallet!r} has no hold {hold_id!r} (see 'wallet holds')")


def update(home: Home, wallet: str, hold_id: str, **fields: Any) -> None:
    """Add what became of an approved hold (its transaction hash and status)."""
    with home.lock():
        holds = load(home, wallet)
        for hold in holds:
            if hold.get("id") == hold_id:
                hold.update(fields)
                _save(home, wallet, holds)
                return


def expire_due(home: Home, wallet: str) -> list[dict[str, Any]]:
    """Mark every held request past its expiry `expired`; returns those just marked (the
    caller records each in the audit log, outside this lock)."""
    path = home.wallet_dir(wallet) / FILE
    if not path.exists():
        return []
    moment = now()
    with home.lock():
        holds = load(home, wallet)
        due = [h for h in holds if h.get("status") == "held" and is_expired(h, moment)]
        for hold in due:
            hold.update(status="expired", closed=stamp(moment))
        if due:
            _save(home, wallet, holds)
    return due


def use_release(home: Home, wallet: str, key: str) -> str | None:
    """Spend an approved hold of a document signed elsewhere (a PSBT, a SafeTx: `key` names
    it) on one signature: returns its id, or None when there is no unused approval."""
    path = home.wallet_dir(wallet) / FILE
    if not path.exists():
        return None
    with home.lock():
        holds = load(home, wallet)
        for hold in holds:
            if hold.get("key") == key and hold.get("status") == "approved" and not hold.get("used"):
                hold["used"] = stamp(now())
                _save(home, wallet, holds)
                return str(hold["id"])
    return None
