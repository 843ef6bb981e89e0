"""Errors of the application layer; same shape as keystore and chain errors."""

from __future__ import annotations

from typing import Literal

# Raised by chain sessions too (a replacement's checks), so they live with the chain errors.
from chains.errors import TxAlreadyMined as TxAlreadyMined
from chains.errors import TxNotOurs as TxNotOurs

ErrorKind = Literal["input", "auth", "network", "refused", "unconfirmed", "failed", "held"]


class WalletError(Exception):
    code: str = "wallet-error"
    kind: ErrorKind = "failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WalletNotFound(WalletError):
    code = "wallet-not-found"
    kind = "input"


class WalletExists(WalletError):
    code = "wallet-exists"
    kind = "input"


class WalletAmbiguous(WalletError):
    code = "wallet-ambiguous"
    kind = "input"


class InvalidName(WalletError):
    code = "invalid-name"
    kind = "input"


class UnknownNetwork(WalletError):
    code = "unknown-network"
    kind = "input"


class InvalidIndex(WalletError):
    code = "invalid-index"
    kind = "input"


class HomeUnusable(WalletError):
    """The home folder or one of its files cannot be used (permissions, malformed file)."""

    code = "home-unusable"
    kind = "input"


class HistoryDamaged(WalletError):
    """The history journal and its head disagree in a way no crash can cause."""

    code = "history-damaged"
    kind = "failed"


class UnsafePermissions(WalletError):
    """A file or folder in the home that other users can read or write."""

    code = "unsafe-permissions"
    kind = "input"


class LockTimeout(WalletError):
    """Another wallet process held a lock longer than this one would wait."""

    code = "lock-timeout"
    kind = "failed"


class PublicDataMismatch(WalletError):
    """public.json does not match what the vault derives: someone edited it."""

    code = "public-data-mismatch"
    kind = "failed"


class OutputExists(WalletError):
    code = "output-exists"
    kind = "input"


class NotConfirmed(WalletError):
    code = "not-confirmed"
    kind = "unconfirmed"


class BadInput(WalletError):
    """Input a command cannot use: a missing value, a bad option combination."""

    code = "bad-input"
    kind = "input"


class VaultChanged(WalletError):
    code = "vault-changed"
    kind = "failed"


class ScreeningBlocked(WalletError):
    """A `block` finding stopped the transfer before any signature."""

    code = "screening-blocked"
    kind = "refused"

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class ScreeningNotConfirmed(WalletError):
    """A `warn` finding was not confirmed (declined, or no terminal and no --yes)."""

    code = "not-confirmed"
    kind = "unconfirmed"

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class TransferFailed(WalletError):
    code = "transfer-failed"
    kind = "failed"


class TransferExpired(WalletError):
    """Signed twice, and twice past its validity window unrun (Solana's blockhash)."""

    code = "transfer-expired"
    kind = "failed"


class BadBatchFile(WalletError):
    code = "bad-batch-file"
    kind = "input"


class HeldForOwner(WalletError):
    """A transfer tripped a hold rule: recorded as a held request, not signed (exit 7). Only
    `wallet holds approve ID`, on a terminal with the passphrase, releases it."""

    code = "held-for-owner"
    kind = "held"

    def __init__(self, message: str, holds: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.holds = holds  # id, reasons, expiry: the JSON error's `holds`
