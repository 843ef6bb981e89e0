"""Signed messages: EIP-191 personal messages and EIP-712 typed data.

EIP-191: https://eips.ethereum.org/EIPS/eip-191 (version 0x45, "personal_sign").
EIP-712: https://eips.ethereum.org/EIPS/eip-712; the typed-data digest comes from our own
encoder (`chains.evm.eip712`, as MetaMask's eth-sig-util V4 computes it), the signature from
our signer.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from chains.errors import InvalidSignature, InvalidTypedData
from chains.evm.address import from_public_key, keccak256
from chains.evm.tx import Signer, recover_public_key


def personal_digest(message: bytes) -> bytes:
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def sign_digest(signer: Signer, digest: bytes) -> bytes:
    """65 bytes r || s || v with v = 27 + recovery id, as eth_sign and wallets return."""
    recovery_id, r, s = signer.sign_digest(digest)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + recovery_id])


def recover(digest: bytes, signature: bytes) -> str:
    if len(signature) != 65:
        raise InvalidSignature(f"a signature is 65 bytes, this one has {len(signature)}")
    v = signature[64]
    recovery_id = v - 27 if v >= 27 else v
    if recovery_id not in (0, 1):
        raise InvalidSignature(f"signature has an invalid v ({v})")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    try:
        return from_public_key(recover_public_key(digest, recovery_id, r, s))
    except ValueError:
        raise InvalidSignature("the signature does not recover to any key") from None


@dataclass(frozen=True)
class TypedDataSummary:
    """What a person must see before signing typed data."""

    primary_type: str
    domain_name: str | None
    domain_version: str | None
    chain_id: int | None
    verifying_contract: str | None


def typed_data_digest(document: dict[str, Any]) -> bytes:
    from chains.evm import eip712

    return eip712.digest(document)


def summarize(document: Any) -> TypedDataSummary:
    """What is shown and screened; the same document must then pass `typed_data_digest`,
    which refuses a domain field the signature would not cover."""
    from chains.evm.eip712 import integer_value

    if not isinstance(document, dict):
        raise InvalidTypedData("typed data must be a JSON object")
    for key in ("types", "primaryType"):
        if key not in document:
            raise InvalidTypedData(f"typed data lacks {key!r}")
    domain = document.get("domain", {})
    if not isinstance(domain, dict):
        raise InvalidTypedData("typed data's domain must be an object")
    chain_id = domain.get("chainId")
    parsed_chain = None if chain_id is None else integer_value(chain_id)
    if chain_id is not None and parsed_chain is None:
        raise InvalidTypedData(f"typed data's chainId {chain_id!r} is not a number")
    contract = domain.get("verifyingContract")
    if contract is not None and not isinstance(contract, str):
        raise InvalidTypedData("typed data's verifyingContract must be an address (0x…)")
    return TypedDataSummary(
        primary_type=str(document["primaryType"]),
        domain_name=_text(domain.get("name")),
        domain_version=_text(domain.get("version")),
        chain_id=parsed_chain,
        verifying_contract=contract,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class MessageShape:
    """What a "personal" message really is, when it is not text for a person to read:
    `kind` "hash" (32 bytes: a digest signed blind), "transaction" (an RLP-encoded EVM
    transaction) or "typed-data" (an EIP-712 document); `addresses` are (address, where)
    pairs the disguised payload names, screened as destinations are."""

    kind: str
    description: str
    addresses: tuple[tuple[str, str], ...] = ()


# The position of `to` in each transaction type's RLP list (EIP-2718 type byte or legacy),
# and the field counts it may have: unsigned and signed.
_TX_TO = {None: (3, (6, 9)), 1: (4, (8, 11)), 2: (5, (9, 12)), 4: (5, (10, 13))}
_TX_NAMES = {None: "a legacy", 1: "an EIP-2930", 2: "an EIP-1559", 4: "an EIP-7702"}


def message_shape(message: bytes) -> MessageShape | None:
    """None for an ordinary message. A bare 32-byte value (raw, or as 0x + 64 hex digits of
    text) is a hash; bytes (or 0x-hex text) that decode as a whole as an EVM transaction are
    one; JSON with `types` and `primaryType` is typed data. Signing any of these as a
    personal message is how a phishing page gets a signature a person cannot read."""
    candidates = [message]
    text = message.strip()
    if text[:2].lower() == b"0x":
        with contextlib.suppress(UnicodeDecodeError, ValueError):
            candidates.append(bytes.fromhex(text[2:].decode("ascii")))
    for data in candidates:
        if len(data) == 32 and not _readable(data):
            return MessageShape("hash", "a bare 32-byte value, most likely a hash signed blind")
        shape = _transaction(data)
        if shape is not None:
            return shape
    return _typed_data(text)


def _readable(data: bytes) -> bool:
    """Text a person can read (32 letters are a sentence, not a hash)."""
    try:
        return data.decode("utf-8").isprintable()
    except UnicodeDecodeError:
        return False


def _transaction(data: bytes) -> MessageShape | None:
    from chains.evm import rlp

    if not data:
        return None
    tx_type = data[0] if data[0] in (1, 2, 4) else None
    body = data[1:] if tx_type is not None else data
    if not body or body[0] < 0xC0:
        return None
    try:
        decoded = rlp.decode(body)
    except ValueError:
        return None
    to_index, counts = _TX_TO[tx_type]
    if not isinstance(decoded, list) or len(decoded) not in counts:
        return None
    if not all(isinstance(item, bytes) for item in decoded[: to_index + 1]):
        return None
    to = decoded[to_index]
    addresses: tuple[tuple[str, str], ...] = ()
    if isinstance(to, bytes) and len(to) == 20:
        from chains.evm.address import to_checksum

        addresses = ((to_checksum(to.hex()), "message (transaction `to`)"),)
    return MessageShape("transaction", f"{_TX_NAMES[tx_type]} transaction", addresses)


def _typed_data(text: bytes) -> MessageShape | None:
    import json

    if not text.startswith(b"{"):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict) or not {"types", "primaryType"} <= document.keys():
        return None
    addresses: list[tuple[str, str]] = []
    try:
        from chains.evm import eip712, typed_intents

        eip712.digest(document)  # the decoder reads only documents the encoder accepts
        intents = typed_intents.decode(document)
        contract = typed_intents.verifying_contract(document)
        if contract is not None:
            addresses.append((contract, "message (domain.verifyingContract)"))
        addresses += [(m.address, f"message ({m.where})") for m in intents.mentions]
    except InvalidTypedData:
        pass  # still typed data in disguise, only malformed
    from chains.evm.typed_intents import printable

    primary = printable(str(document["primaryType"]))[:80]
    return MessageShape("typed-data", f"EIP-712 typed data ({primary})", tuple(addresses))
