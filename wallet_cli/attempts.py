"""Failed passphrases and failed codes, counted per wallet, with a growing wait.

The count lives in `wallets/<w>/attempts.json` (0600, written atomically under the home lock),
so the wait holds across processes: a script that starts a fresh process per guess waits like
one that loops. After `FREE_FAILURES` failures each further one doubles the wait, up to
`MAX_WAIT` seconds; a success clears the count. A home that cannot be written (read-only)
just counts nothing: the vault's KDF cost still slows every guess.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from typing import Literal

from wallet_cli.errors import LockTimeout, WalletError
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.home import Home

What = Literal["passphrase", "code"]
FREE_FAILURES = 2
MAX_WAIT = 900
FILE = "attempts.json"


class TooManyAttempts(WalletError):
    """Failures came too fast: the wallet waits before it checks another one."""

    code = "too-many-attempts"
    kind = "auth"


def wait_after(failures: int) -> int:
    """Seconds to wait after `failures` failures in a row: none for the first two typos,
    then 2, 4, 8, ... up to MAX_WAIT."""
    if failures <= FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES), MAX_WAIT))


def _read(home: Home, wallet: str) -> dict[str, dict[str, float]]:
    path = home.wallet_dir(wallet) / FILE
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(home: Home, wallet: str, data: dict[str, dict[str, float]]) -> None:
    path = home.wallet_dir(wallet) / FILE
    write_atomic(path, json.dumps(data, sort_keys=True).encode() + b"\n")


def check(home: Home, wallet: str, what: What) -> None:
    """Refuse before checking anything while the wait after the last failures runs."""
    entry = _read(home, wallet).get(what, {})
    left = float(entry.get("not_before", 0)) - time.time()
    if left > 0:
        failures = int(entry.get("failures", 0))
        plural = "passphrases" if what == "passphrase" else "codes"
        raise TooManyAttempts(
            f"{failures} failed {plural} in a row for wallet '{wallet}': wait "
            f"{math.ceil(left)} s before the next try"
        )


def failed(home: Home, wallet: str, what: What) -> int:
    """Count one failure; returns the failures in a row."""
    with contextlib.suppress(OSError, LockTimeout), home.lock():
        data = _read(home, wallet)
        failures = int(data.get(what, {}).get("failures", 0)) + 1
        data[what] = {"failures": failures, "not_before": time.time() + wait_after(failures)}
        _write(home, wallet, data)
        return failures
    return 0


def succeeded(home: Home, wallet: str, what: What) -> None:
    """Clear the count (no write when there is nothing to clear)."""
    if what not in _read(home, wallet):
        return
    with contextlib.suppress(OSError, LockTimeout), home.lock():
        data = _read(home, wallet)
        if data.pop(what, None) is not None:
            _write(home, wallet, data)


def unlock_failed(home: Home, wallet: str) -> None:
    """A wrong passphrase: counted and put in the audit log."""
    failures = failed(home, wallet, "passphrase")
    _audit(home, wallet, "unlock-failed", failures=failures)


def unlocked(home: Home, wallet: str) -> None:
    succeeded(home, wallet, "passphrase")
    _audit(home, wallet, "unlock")


def _audit(home: Home, wallet: str, event: str, **fields: object) -> None:
    """Best effort: a read-only home or a busy lock must not stop the unlock itself."""
    from wallet_cli.store.audit import record

    with contextlib.suppress(OSError, WalletError):
        record(home, wallet, event, **fields)
