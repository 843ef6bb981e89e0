"""Solana addresses: base58 of a 32-byte ed25519 public key, parsed strictly.

Off-curve addresses (program-derived: associated token accounts, Squads vaults) are real
destinations, so parsing accepts them; `on_curve` says which kind an address is for
screening to weigh.
"""

from __future__ import annotations

from chains import base58
from chains.errors import InvalidAddress
from chains.text import refuse_hidden_characters

_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P


def encode(public_key: bytes) -> str:
    return base58.encode(public_key)


def parse(text: str) -> bytes:
    """The 32 bytes `text` names, or `InvalidAddress` saying what is wrong with it."""
    stripped = text.strip()
    refuse_hidden_characters(stripped)
    if stripped.lower().startswith("0x"):
        raise InvalidAddress(f"{stripped[:80]!r} is an EVM address, not a Solana one")
    if stripped.lower().startswith(("bc1", "tb1", "bcrt1")):
        raise InvalidAddress(f"{stripped[:80]!r} is a Bitcoin address, not a Solana one")
    try:
        raw = base58.decode(stripped)
    except ValueError as exc:
        raise InvalidAddress(f"not a Solana address (base58): {exc}") from None
    if len(raw) != 32:
        raise InvalidAddress(
            f"not a Solana address: {stripped[:80]!r} decodes to {len(raw)} bytes, not 32"
        )
    return raw


def normalise(text: str) -> str:
    return encode(parse(text))


def on_curve(public_key: bytes) -> bool:
    """True when the 32 bytes are an ed25519 point (a key someone holds), False for a
    program-derived address: RFC 8032 point decoding, a square root modulo p."""
    y = int.from_bytes(public_key, "little") & ((1 << 255) - 1)
    if y >= _P:
        return False
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x2 = u * pow(v, _P - 2, _P) % _P
    if x2 == 0:
        return not public_key[31] >> 7
    return pow(x2, (_P - 1) // 2, _P) == 1
