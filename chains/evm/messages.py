"""Signed messages: EIP-191 personal messages and EIP-712 typed data.

EIP-191: https://eips.ethereum.org/EIPS/eip-191 (version 0x45, "personal_sign").
EIP-712: https://eips.ethereum.org/EIPS/eip-712; the typed-data digest comes from our own
encoder (`chains.evm.eip712`, as MetaMask's eth-sig-util V4 computes it), the signature from
our signer.
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
