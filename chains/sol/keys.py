"""SLIP-10 ed25519 derivation at m/44'/501'/i'/0' (the path Phantom and solana-keygen use).

Ed25519 under SLIP-10 derives hardened children only: no public parent key gives child
addresses, so a wallet caches a number of addresses in its public record while unlocked.
"""

from __future__ import annotations

import hashlib
import hmac

from chains.errors import InvalidDerivationPath
from keystore.secret import PrivateKey, Seed

HARDENED = 0x80000000
CURVE_KEY = b"ed25519 seed"


def path_for(index: int) -> str:
    return f"m/44'/501'/{index}'/0'"


def parse_path(path: str) -> list[int]:
    """`m/...` with every step hardened (the only kind ed25519 has), as child numbers."""
    parts = path.strip().split("/")
    if parts[0] != "m":
        raise InvalidDerivationPath(f"a path starts with m/: {path!r}")
    steps = []
    for part in parts[1:]:
        if not part.endswith(("'", "h")) or not part[:-1].isdigit():
            raise InvalidDerivationPath(f"ed25519 derives hardened steps only: {part!r}")
        number = int(part[:-1])
        if number >= HARDENED:
            raise InvalidDerivationPath(f"step {part!r} is out of range")
        steps.append(number + HARDENED)
    return steps


def derive(seed: bytes, path: str) -> tuple[bytes, bytes]:
    """The (private key, chain code) at `path` from a BIP-39 seed, per SLIP-0010."""
    digest = hmac.new(CURVE_KEY, seed, hashlib.sha512).digest()
    key, chain = digest[:32], digest[32:]
    for child in parse_path(path):
        data = b"\0" + key + child.to_bytes(4, "big")
        digest = hmac.new(chain, data, hashlib.sha512).digest()
        key, chain = digest[:32], digest[32:]
    return key, chain


def public_key(private: bytes) -> bytes:
    """The 32-byte ed25519 public key of a 32-byte private key (RFC 8032)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.from_private_bytes(private)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_key(seed: Seed, index: int) -> PrivateKey:
    return PrivateKey(derive(seed.reveal(), path_for(index))[0])
