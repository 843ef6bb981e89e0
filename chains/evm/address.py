"""EVM addresses: from public keys, EIP-55 checksums, and strict parsing of user text.

EIP-55: https://eips.ethereum.org/EIPS/eip-55. Parsing refuses anything a person could
misread: non-ASCII or invisible characters (named by position), wrong length, and mixed
case whose checksum fails. All-lower or all-upper text carries no checksum and is accepted.
"""

from __future__ import annotations

from chains.errors import InvalidAddress
from chains.text import refuse_hidden_characters

_HEX = frozenset("0123456789abcdefABCDEF")


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak

    return bytes(keccak.new(data=data, digest_bits=256).digest())


def from_public_key(uncompressed: bytes) -> str:
    """Checksummed address of a 65-byte uncompressed secp256k1 public key."""
    return to_checksum(keccak256(uncompressed[1:])[-20:].hex())


def to_checksum(lower_hex: str) -> str:
    digest = keccak256(lower_hex.encode()).hex()
    chars = [
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower_hex, digest[:40], strict=True)
    ]
    return "0x" + "".join(chars)


def parse(text: str) -> str:
    """User text to a checksummed address, or `InvalidAddress` saying what is wrong."""
    candidate = text.strip()
    refuse_hidden_characters(candidate)
    if _looks_like_other_chain(candidate):
        raise InvalidAddress(
            f"{candidate!r} looks like a Bitcoin or Solana address, not an EVM one"
        )
    if not candidate.startswith(("0x", "0X")):
        raise InvalidAddress(f"an EVM address starts with 0x: {candidate!r}")
    body = candidate[2:]
    if len(body) != 40:
        raise InvalidAddress(f"an EVM address has 40 hex digits after 0x, this one has {len(body)}")
    for position, char in enumerate(body, start=3):
        if char not in _HEX:
            raise InvalidAddress(f"character {position} ({char!r}) of the address is not hex")
    checksummed = to_checksum(body.lower())
    if body not in (body.lower(), body.upper()) and body != checksummed[2:]:
        raise InvalidAddress(
            f"address {candidate} fails its EIP-55 checksum (mixed case that does not match): "
            "a character was changed or mistyped"
        )
    return checksummed


def has_checksum(text: str) -> bool:
    body = text.strip()[2:]
    return body not in (body.lower(), body.upper())


def _looks_like_other_chain(text: str) -> bool:
    lowered = text.lower()
    if lowered.startswith(("bc1", "tb1", "bcrt1")):
        return True
    if len(text) == 40 and all(c in _HEX for c in text):
        return False  # an EVM address without its 0x: said so by the caller
    return not text.startswith(("0x", "0X")) and 26 <= len(text) <= 44 and text.isalnum()
