"""Errors raised by chain adapters; same shape as keystore errors (code, kind, message)."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["input", "auth", "network", "refused", "unconfirmed", "failed"]


class ChainError(Exception):
    code: str = "chain-error"
    kind: ErrorKind = "failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAddress(ChainError):
    code = "invalid-address"
    kind = "input"


class InvalidDerivationPath(ChainError):
    code = "invalid-derivation-path"
    kind = "input"


class InvalidExtendedKey(ChainError):
    code = "invalid-extended-key"
    kind = "input"


class UnsupportedChain(ChainError):
    code = "unsupported-chain"
    kind = "input"
