"""Signed messages: EIP-191 personal messages and EIP-712 typed data.

EIP-191: https://eips.ethereum.org/EIPS/eip-191 (version 0x45, "personal_sign").
EIP-712: https://eips.ethereum.org/EIPS/eip-712; the typed-data hash comes from eth-account's
encoder (the reference implementation most wallets share), the signature from our signer.
"""

from __future__ import annotations

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
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    try:
        signable = encode_typed_data(full_message=document)
    except Exception as exc:
        raise InvalidTypedData(f"the typed data is not valid EIP-712: {exc}") from None
    digest: bytes = _hash_eip191_message(signable)
    return digest


def summarize(document: Any) -> TypedDataSummary:
    if not isinstance(document, dict):
        raise InvalidTypedData("typed data must be a JSON object")
    for key in ("types", "primaryType", "domain", "message"):
        if key not in document:
            raise InvalidTypedData(f"typed data lacks {key!r}")
    domain = document["domain"]
    if not isinstance(domain, dict):
        raise InvalidTypedData("typed data's domain must be an object")
    chain_id = domain.get("chainId")
    try:
        parsed_chain = int(chain_id, 0) if isinstance(chain_id, str) else chain_id
    except ValueError:
        raise InvalidTypedData(f"typed data's chainId {chain_id!r} is not a number") from None
    return TypedDataSummary(
        primary_type=str(document["primaryType"]),
        domain_name=domain.get("name"),
        domain_version=domain.get("version"),
        chain_id=parsed_chain,
        verifying_contract=domain.get("verifyingContract"),
    )
