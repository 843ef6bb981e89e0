"""The SafeTx proposal file cosigners pass around (docs/formats.md): read strictly, since it
comes from someone else. Its stored hash is never trusted: `check` recomputes it from the
fields and refuses a file that disagrees; every signature must recover, over that hash, to
the owner it names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chains.evm import abi, safe_abi
from chains.evm.safe_abi import SafeError, SafeTx

FORMAT = "wallet-safe-tx"
VERSION = 1
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_HEX = re.compile(r"0x(?:[0-9a-fA-F]{2})*")
_UINT = re.compile(r"[0-9]{1,78}")
MAX_SIGNATURES = 100
MAX_DATA = 4096  # bytes of call data: a transfer needs 68


@dataclass
class Proposal:
    chain_id: int
    safe: str  # lower-case
    tx: SafeTx
    hash: bytes
    signatures: dict[str, bytes] = field(default_factory=dict)  # owner (lower) -> r‖s‖v

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "chain_id": self.chain_id,
            "safe": self.safe,
            "tx": self.tx.to_json(),
            "nonce": self.tx.nonce,
            "hash": "0x" + self.hash.hex(),
            "signatures": [
                {"owner": o, "signature": "0x" + s.hex()}
                for o, s in sorted(self.signatures.items())
            ],
        }


def new(chain_id: int, safe: str, tx: SafeTx) -> Proposal:
    return Proposal(chain_id, safe.lower(), tx, safe_abi.tx_hash(chain_id, safe, tx))


def parse(document: object) -> Proposal:
    """A proposal whose stored hash is the one its fields give and whose signatures are
    each by the owner they name over that hash; anything else is refused."""
    if not isinstance(document, dict):
        raise SafeError("a SafeTx file is a JSON object")
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise SafeError(f"not a version-{VERSION} {FORMAT} file")
    chain_id = document.get("chain_id")
    if not isinstance(chain_id, int) or isinstance(chain_id, bool) or chain_id <= 0:
        raise SafeError("chain_id must be a positive integer")
    safe = _address(document.get("safe"), "safe")
    raw = document.get("tx")
    if not isinstance(raw, dict) or set(raw) != {n for n, _ in safe_abi.SAFE_TX_FIELDS}:
        raise SafeError("tx must hold exactly the SafeTx fields")
    data = _hex(raw["data"], "tx.data")
    if len(data) > MAX_DATA:
        raise SafeError("tx.data is longer than any transfer needs")
    operation = raw["operation"]
    if operation not in (0, 1) or isinstance(operation, bool):
        raise SafeError("tx.operation must be 0 (call) or 1 (delegatecall)")
    tx = SafeTx(
        _address(raw["to"], "tx.to"),
        _uint(raw["value"], "tx.value"),
        data,
        operation,
        _uint(raw["safeTxGas"], "tx.safeTxGas"),
        _uint(raw["baseGas"], "tx.baseGas"),
        _uint(raw["gasPrice"], "tx.gasPrice"),
        _address(raw["gasToken"], "tx.gasToken"),
        _address(raw["refundReceiver"], "tx.refundReceiver"),
        _uint(raw["nonce"], "tx.nonce"),
    )
    if document.get("nonce") != tx.nonce:
        raise SafeError("nonce disagrees with tx.nonce")
    recomputed = safe_abi.tx_hash(chain_id, safe, tx)
    stored = _hex(document.get("hash"), "hash")
    if stored != recomputed:
        raise SafeError(
            f"the file's hash 0x{stored.hex()} is not the hash of its fields "
            f"(0x{recomputed.hex()}): it was edited"
        )
    proposal = Proposal(chain_id, safe, tx, recomputed)
    entries = document.get("signatures")
    if not isinstance(entries, list) or len(entries) > MAX_SIGNATURES:
        raise SafeError("signatures must be a list")
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"owner", "signature"}:
            raise SafeError("each signature is {owner, signature}")
        owner = _address(entry["owner"], "signatures.owner")
        signature = _hex(entry["signature"], "signatures.signature")
        if owner in proposal.signatures:
            raise SafeError(f"two signatures by {owner}")
        if safe_abi.signer_of(recomputed, signature) != owner:
            raise SafeError(f"the signature said to be by {owner} is not theirs over this SafeTx")
        proposal.signatures[owner] = signature
    return proposal


@dataclass(frozen=True)
class Transfer:
    """What a SafeTx does, decoded from its fields: pays `amount` of the native asset or of
    the token at `token` to `recipient`."""

    recipient: str
    amount: int
    token: str | None


def decode(tx: SafeTx) -> Transfer:
    """The transfer a SafeTx makes; anything else (delegatecall, refunds, other calls) is
    refused, so what a cosigner is shown is all it does."""
    if tx.operation != 0:
        raise SafeError("the SafeTx is a delegatecall; only plain transfers are signed")
    if tx.safe_tx_gas or tx.base_gas or tx.gas_price:
        raise SafeError("the SafeTx pays a gas refund; only plain transfers are signed")
    if tx.gas_token != safe_abi.ZERO_ADDRESS or tx.refund_receiver != safe_abi.ZERO_ADDRESS:
        raise SafeError("the SafeTx names a gas token or refund receiver")
    if not tx.data:
        return Transfer(tx.to, tx.value, None)
    if len(tx.data) == 68 and tx.data[:4] == abi.SELECTOR_TRANSFER and tx.value == 0:
        if tx.data[4:16] != bytes(12):
            raise SafeError("the token transfer's recipient is not an address")
        return Transfer("0x" + tx.data[16:36].hex(), int.from_bytes(tx.data[36:], "big"), tx.to)
    raise SafeError("the SafeTx calls a contract with data other than an ERC-20 transfer")


def transfer_tx(recipient: str, amount: int, token: str | None, nonce: int) -> SafeTx:
    if token is None:
        return safe_abi.simple_tx(recipient.lower(), amount, b"", nonce)
    return safe_abi.simple_tx(token.lower(), 0, abi.transfer_call(recipient, amount), nonce)


def _address(value: object, name: str) -> str:
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise SafeError(f"{name} must be a 0x-prefixed 20-byte address")
    return value.lower()


def _hex(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise SafeError(f"{name} must be 0x-prefixed hex")
    return bytes.fromhex(value[2:])


def _uint(value: object, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**256:
        return value
    if isinstance(value, str) and _UINT.fullmatch(value) and int(value) < 2**256:
        return int(value)
    raise SafeError(f"{name} must be an unsigned integer (a decimal string)")
