"""Solana message signatures: ed25519 over the message bytes, spelled in base58 (as
`solana sign-offchain-message` without the off-chain header, and wallets' signMessage)."""

from __future__ import annotations

from chains import base58
from chains.errors import InvalidSignature
from chains.sol import address
from keystore.secret import PrivateKey


def sign(key: PrivateKey, message: bytes) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return base58.encode(Ed25519PrivateKey.from_private_bytes(key.reveal()).sign(message))


def verify(signer: str, message: bytes, signature: str) -> bool:
    """Whether `signer` (a base58 address) signed `message`; `InvalidSignature` when the
    signature is not 64 bytes of base58."""
    from cryptography.exceptions import InvalidSignature as BadSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base58.decode(signature.strip())
    except ValueError:
        raise InvalidSignature("the signature is not base58") from None
    if len(raw) != 64:
        raise InvalidSignature(f"an ed25519 signature is 64 bytes, not {len(raw)}")
    try:
        Ed25519PublicKey.from_public_bytes(address.parse(signer)).verify(raw, message)
    except (BadSignature, ValueError):
        return False
    return True
