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


class InvalidTxHash(ChainError):
    code = "bad-input"
    kind = "input"


class BadFee(ChainError):
    """Fees given by hand that cannot be used (a replacement below the +10% nodes need)."""

    code = "bad-input"
    kind = "input"


class InvalidAmount(ChainError):
    code = "invalid-amount"
    kind = "input"


class NodeUnreachable(ChainError):
    code = "node-unreachable"
    kind = "network"


class ChainIdMismatch(ChainError):
    code = "chain-id-mismatch"
    kind = "network"


class MalformedReply(ChainError):
    """A node's reply has a value of the wrong type or shape (named by method and field)."""

    code = "malformed-reply"
    kind = "network"


class ReplyTooLarge(ChainError):
    code = "reply-too-large"
    kind = "network"


class FeeAboveCeiling(ChainError):
    """The node quoted a fee above the network's ceiling in config.toml: nothing is signed."""

    code = "fee-above-ceiling"
    kind = "network"


class RpcError(ChainError):
    """The node answered with a JSON-RPC error."""

    code = "rpc-error"
    kind = "network"

    def __init__(self, message: str, rpc_code: int | None = None, data: object = None) -> None:
        super().__init__(message)
        self.rpc_code = rpc_code
        self.data = data


class WouldRevert(ChainError):
    code = "would-revert"
    kind = "failed"


class InsufficientFunds(ChainError):
    code = "insufficient-funds"
    kind = "input"


class UnknownToken(ChainError):
    code = "unknown-token"
    kind = "input"


class InvalidSignature(ChainError):
    code = "invalid-signature"
    kind = "failed"


class InvalidTypedData(ChainError):
    code = "invalid-typed-data"
    kind = "input"


class DevnetError(ChainError):
    code = "devnet-error"
    kind = "failed"


class TxNotOurs(ChainError):
    """A replacement asked for a transaction this wallet did not sign on this network."""

    code = "tx-not-ours"
    kind = "input"


class TxAlreadyMined(ChainError):
    """A replacement asked for a transaction (or nonce) already in a block."""

    code = "tx-already-mined"
    kind = "input"


class RecordMismatch(ChainError):
    """The wallet's record of a transaction does not match its signed bytes: no crash causes
    that, so nothing is built on it."""

    code = "history-damaged"
    kind = "failed"
