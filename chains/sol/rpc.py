"""A Solana validator's JSON-RPC (https://solana.com/docs/rpc), on the shared client
(chains/jsonrpc.py). Only what the wallet needs, each answer checked: the node is not trusted,
and a malformed value is `MalformedReply` (exit 6) naming the method and field.

Account data is asked for in base64 (the only encoding every method here accepts for raw
bytes). Transactions are sent base64-encoded with the node's preflight simulation on, so a
transfer that cannot succeed is refused before it costs a fee.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chains.errors import MalformedReply, RpcError
from chains.http import DEFAULT_TIMEOUT, MAX_REPLY_BYTES
from chains.jsonrpc import JsonRpcClient, shown

COMMITMENT = "confirmed"  # what a balance and a blockhash are read at, and a send awaits
MAX_ACCOUNTS = 100  # getMultipleAccounts takes at most 100 keys a call
MAX_SIGNATURES = 256  # getSignatureStatuses takes at most 256 signatures a call
READS = frozenset(
    {
        "getAccountInfo",
        "getBalance",
        "getBlockHeight",
        "getFeeForMessage",
        "getGenesisHash",
        "getLatestBlockhash",
        "getMinimumBalanceForRentExemption",
        "getMultipleAccounts",
        "getSignatureStatuses",
        "isBlockhashValid",
    }
)
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]{32,88}")
_U64 = 2**64


@dataclass(frozen=True)
class Blockhash:
    """A recent blockhash and the last block height at which a transaction using it lands."""

    blockhash: str
    last_valid_height: int


@dataclass(frozen=True)
class AccountInfo:
    lamports: int
    owner: str
    executable: bool
    data: bytes


@dataclass(frozen=True)
class SignatureStatus:
    slot: int
    failed: bool
    error: str | None  # the runtime's error, as JSON text, when `failed`
    confirmation: str  # "processed", "confirmed" or "finalized"


class SolRpcClient(JsonRpcClient):
    def __init__(
        self, url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_REPLY_BYTES
    ) -> None:
        super().__init__(url, timeout, max_bytes, READS)

    def genesis_hash(self) -> str:
        return _base58(self.call("getGenesisHash"), "getGenesisHash", "genesis hash")

    def latest_blockhash(self) -> Blockhash:
        method = "getLatestBlockhash"
        value = _value(self.call(method, [{"commitment": COMMITMENT}]), method)
        if not isinstance(value, dict):
            raise MalformedReply(f"the node's {method} reply is not an object: {shown(value)}")
        return Blockhash(
            _base58(value.get("blockhash"), method, "blockhash"),
            _u64(value.get("lastValidBlockHeight"), method, "lastValidBlockHeight"),
        )

    def block_height(self) -> int:
        method = "getBlockHeight"
        return _u64(self.call(method, [{"commitment": COMMITMENT}]), method, "block height")

    def balance(self, address: str) -> int:
        method = "getBalance"
        answer = self.call(method, [address, {"commitment": COMMITMENT}])
        return _u64(_value(answer, method), method, "lamports")

    def rent_exempt_minimum(self, size: int) -> int:
        method = "getMinimumBalanceForRentExemption"
        return _u64(self.call(method, [size]), method, "lamports")

    def fee_for_message(self, message: bytes) -> int | None:
        """The fee in lamports the node charges for `message`; None when its blockhash has
        expired (the node's answer for a message it cannot price)."""
        method = "getFeeForMessage"
        encoded = base64.b64encode(message).decode()
        value = _value(self.call(method, [encoded, {"commitment": COMMITMENT}]), method)
        return None if value is None else _u64(value, method, "fee")

    def accounts(self, addresses: Sequence[str]) -> list[AccountInfo | None]:
        """Each account (None: it does not exist), asked in chunks of MAX_ACCOUNTS."""
        method = "getMultipleAccounts"
        found: list[AccountInfo | None] = []
        for start in range(0, len(addresses), MAX_ACCOUNTS):
            chunk = list(addresses[start : start + MAX_ACCOUNTS])
            options = {"encoding": "base64", "commitment": COMMITMENT}
            value = _value(self.call(method, [chunk, options]), method)
            if not isinstance(value, list) or len(value) != len(chunk):
                raise MalformedReply(f"the node's {method} reply has {shown(value)} accounts")
            found += [_account(item, method) for item in value]
        return found

    def send(self, raw: bytes) -> str:
        """Send a signed transaction; its signature as the node returns it. A refusal (the
        preflight simulation failed, an unknown blockhash) is an `RpcError`."""
        method = "sendTransaction"
        options = {
            "encoding": "base64",
            "preflightCommitment": COMMITMENT,
            "maxRetries": 0,  # the wallet resends itself, with the same bytes, while it waits
        }
        answer = self.call(method, [base64.b64encode(raw).decode(), options])
        return _base58(answer, method, "signature")

    def statuses(self, signatures: Sequence[str]) -> list[SignatureStatus | None]:
        """What the node knows of each signature, searching its history too (None: never
        seen, or dropped)."""
        method = "getSignatureStatuses"
        found: list[SignatureStatus | None] = []
        for start in range(0, len(signatures), MAX_SIGNATURES):
            chunk = list(signatures[start : start + MAX_SIGNATURES])
            answer = self.call(method, [chunk, {"searchTransactionHistory": True}])
            value = _value(answer, method)
            if not isinstance(value, list) or len(value) != len(chunk):
                raise MalformedReply(f"the node's {method} reply has {shown(value)} statuses")
            found += [_status(item, method) for item in value]
        return found


def is_blockhash_error(error: RpcError) -> bool:
    """Whether a refused send was refused for its blockhash (unknown to the node: expired,
    or from another cluster). The node's words (solana-core's preflight:
    "Transaction simulation failed: Blockhash not found"), or the runtime's error name."""
    text = f"{error.message} {error.data!r}".lower()
    return "blockhash not found" in text or "blockhashnotfound" in text


def _value(answer: object, method: str) -> Any:
    """The `value` of a reply that comes with a `context` (the slot it was read at)."""
    if not isinstance(answer, dict) or "value" not in answer:
        raise MalformedReply(f"the node's {method} reply has no value: {shown(answer)}")
    return answer["value"]


def _u64(value: object, method: str, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _U64:
        return value
    raise MalformedReply(f"the node's {method} reply has a malformed {field}: {shown(value)}")


def _base58(value: object, method: str, field: str) -> str:
    if isinstance(value, str) and _BASE58.fullmatch(value):
        return value
    raise MalformedReply(f"the node's {method} reply has a malformed {field}: {shown(value)}")


def _account(item: object, method: str) -> AccountInfo | None:
    if item is None:
        return None
    if not isinstance(item, dict):
        raise MalformedReply(f"the node's {method} reply has a malformed account: {shown(item)}")
    data = item.get("data")
    if not (
        isinstance(data, list)
        and len(data) == 2
        and isinstance(data[0], str)
        and data[1] == "base64"
    ):
        raise MalformedReply(f"the node's {method} reply has malformed account data")
    try:
        raw = base64.b64decode(data[0], validate=True)
    except ValueError:
        raise MalformedReply(
            f"the node's {method} reply has account data that is not base64"
        ) from None
    executable = item.get("executable")
    if not isinstance(executable, bool):
        raise MalformedReply(f"the node's {method} reply has a malformed executable flag")
    return AccountInfo(
        _u64(item.get("lamports"), method, "lamports"),
        _base58(item.get("owner"), method, "owner"),
        executable,
        raw,
    )


def _status(item: object, method: str) -> SignatureStatus | None:
    if item is None:
        return None
    if not isinstance(item, dict):
        raise MalformedReply(f"the node's {method} reply has a malformed status: {shown(item)}")
    confirmation = item.get("confirmationStatus")
    if confirmation not in ("processed", "confirmed", "finalized"):
        raise MalformedReply(
            f"the node's {method} reply has a malformed confirmationStatus: {shown(confirmation)}"
        )
    error = item.get("err")
    return SignatureStatus(
        _u64(item.get("slot"), method, "slot"),
        error is not None,
        None if error is None else shown_error(error),
        str(confirmation),
    )


def shown_error(error: object) -> str:
    """The runtime's error (a string such as "InsufficientFundsForRent", or an object such
    as {"InstructionError": [0, {"Custom": 1}]}), in one short line."""
    import json

    text = error if isinstance(error, str) else json.dumps(error, separators=(",", ":"))
    return " ".join(text.split())[:200]
