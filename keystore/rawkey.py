"""Raw secp256k1 private keys typed or piped in as hex (what `cast wallet` prints)."""

from __future__ import annotations

from keystore.errors import InvalidPrivateKey
from keystore.secret import PrivateKey

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def parse_hex(text: str) -> PrivateKey:
    """The message says what is wrong with the text, never what the text is."""
    body = text.strip()
    if body[:2] in ("0x", "0X"):
        body = body[2:]
    if len(body) != 64:
        raise InvalidPrivateKey(
            f"a private key is 64 hex digits (optionally after 0x); got {len(body)} characters"
        )
    try:
        raw = bytes.fromhex(body)
    except ValueError:
        raise InvalidPrivateKey("the private key contains characters that are not hex") from None
    if not 0 < int.from_bytes(raw, "big") < SECP256K1_ORDER:
        raise InvalidPrivateKey("the private key is outside the secp256k1 range (1 to n-1)")
    return PrivateKey(raw)
