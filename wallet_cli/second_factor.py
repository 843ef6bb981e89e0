"""The second factor: a TOTP code (RFC 6238, by pyotp) asked besides the passphrase.

The secret is sealed inside the vault, so only an unlocked wallet can check a code and the
vault is the truth: `require` reads it, whatever the files around it say. The marker
`wallets/<w>/second-factor.json` holds no secret; it tells the CLI to ask for a code before
unlocking (so a person types both at once) and remembers the last time step used, so a code
is accepted once. A deleted marker is written again by the next check. Failed codes are
counted with a growing wait (wallet_cli/attempts.py); every outcome goes to the audit log,
never the code itself.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from wallet_cli import attempts
from wallet_cli.errors import BadInput, HomeUnusable, WalletError
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.audit import record
from wallet_cli.store.home import Home

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet

MARKER = "second-factor.json"
DIGITS = 6
PERIOD = 30
WINDOW = 1  # a code of the step before or after is accepted too: clocks drift
ISSUER = "wallet"


class SecondFactorNeeded(WalletError):
    code = "second-factor-needed"
    kind = "auth"


class CodeWrong(WalletError):
    code = "code-wrong"
    kind = "auth"


class CodeReplayed(WalletError):
    code = "code-replayed"
    kind = "auth"


def enabled(home: Home, wallet_name: str) -> bool:
    """Whether this wallet asks for a code (from the marker: read before unlocking)."""
    return bool(_read_marker(home, wallet_name).get("enabled"))


def new_secret() -> str:
    """A fresh 160-bit secret in base32, as authenticator apps take it (RFC 4226 asks
    for 128 bits at least; 160 is SHA-1's block of output)."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def provisioning_uri(secret: str, wallet_name: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    import pyotp

    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(
        name=wallet_name, issuer_name=ISSUER
    )


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step `code` belongs to (within WINDOW steps of now), or None."""
    import pyotp

    code = code.replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD)
    at = time.time() if now is None else now
    current = totp.timecode(_datetime(at))
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def require(wallet: Wallet, code: str | None) -> None:
    """After `wallet.unlock(...)`: nothing to do if the vault holds no TOTP secret; else
    accept `code` once, or raise (kind "auth": exit 4) without echoing it."""
    secret = wallet.totp_secret()
    if secret is None:
        return
    home, name = wallet.home, wallet.name
    if code is None:
        _mark(home, name, None)  # a deleted marker: the next command asks first
        raise SecondFactorNeeded(
            f"wallet '{name}' has a second factor: this needs the current code from your "
            "authenticator app, typed on a terminal"
        )
    attempts.check(home, name, "code")
    step = matching_step(secret, code)
    if step is None:
        failures = attempts.failed(home, name, "code")
        audit(home, name, "code-failed", failures=failures)
        raise CodeWrong(f"wrong second-factor code for wallet '{name}'{_wait_note(failures)}")
    if not _use_step(home, name, step):
        failures = attempts.failed(home, name, "code")
        audit(home, name, "code-replayed", failures=failures)
        raise CodeReplayed(
            f"that code was already used for wallet '{name}': wait for the next one"
            f"{_wait_note(failures)}"
        )
    attempts.succeeded(home, name, "code")


def enable(wallet: Wallet, secret: str, code: str, passphrase: str) -> None:
    """Enrol `secret` once `code` proves the authenticator holds it: sealed into the vault
    (re-sealed under the same `passphrase`), then the marker, then the audit event."""
    if wallet.totp_secret() is not None:
        raise BadInput(
            f"wallet '{wallet.name}' already has a second factor: 'wallet 2fa disable' first"
        )
    step = matching_step(secret, code)
    if step is None:
        raise CodeWrong(
            "that code does not match the new secret (is the device's clock right?); "
            "nothing was changed"
        )
    wallet.set_totp(secret, passphrase)
    _mark(wallet.home, wallet.name, step)
    audit(wallet.home, wallet.name, "2fa-enabled")


def disable(wallet: Wallet, code: str | None, passphrase: str) -> None:
    """Remove the secret from the vault: needs a current code like any guarded change."""
    if wallet.totp_secret() is None:
        raise BadInput(f"wallet '{wallet.name}' has no second factor")
    require(wallet, code)
    wallet.set_totp(None, passphrase)
    with contextlib.suppress(FileNotFoundError), wallet.home.lock():
        (wallet.home.wallet_dir(wallet.name) / MARKER).unlink()
    audit(wallet.home, wallet.name, "2fa-disabled")


def gate_export(wallet: Wallet, code: str | None, what: str) -> None:
    """Before a secret leaves the vault (a key file, private descriptors): the code if the
    wallet has a second factor, and an `export` event in the audit log either way."""
    require(wallet, code)
    audit(wallet.home, wallet.name, "export", what=what)


def _use_step(home: Home, name: str, step: int) -> bool:
    """Record `step` as used unless it (or a later one) already was; under the lock, so
    two processes given the same code cannot both pass. A home that cannot record it
    refuses the code: a use not remembered could be replayed."""
    try:
        with home.lock():
            last = _read_marker(home, name).get("last_step")
            if isinstance(last, int) and step <= last:
                return False
            _write_marker(home, name, step)
    except OSError as exc:
        raise HomeUnusable(
            f"cannot record the use of a second-factor code in {home.root}: {exc.strerror}"
        ) from None
    return True


def _mark(home: Home, name: str, step: int | None) -> None:
    with contextlib.suppress(OSError), home.lock():
        last = _read_marker(home, name).get("last_step")
        keep = last if isinstance(last, int) and (step is None or last > step) else step
        _write_marker(home, name, keep)


def _read_marker(home: Home, name: str) -> dict[str, Any]:
    try:
        data = json.loads((home.wallet_dir(name) / MARKER).read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_marker(home: Home, name: str, step: int | None) -> None:
    body: dict[str, Any] = {"enabled": True, "last_step": step}
    write_atomic(home.wallet_dir(name) / MARKER, json.dumps(body).encode() + b"\n")


def _wait_note(failures: int) -> str:
    wait = attempts.wait_after(failures)
    return f" ({failures} in a row: the next try waits {wait} s)" if wait else ""


def audit(home: Home, name: str, event: str, **fields: Any) -> None:
    """Best effort: a read-only home or a busy lock must not decide the outcome."""
    with contextlib.suppress(OSError, WalletError):
        record(home, name, event, **fields)


def _datetime(at: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(at, UTC)
