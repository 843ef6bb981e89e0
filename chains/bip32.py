"""BIP-32 hierarchical deterministic keys on secp256k1.

Spec: https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki (vectors in
tests/vectors/bip32.json). Shared by every secp256k1 family (EVM, Bitcoin); ed25519 chains
use SLIP-10 instead. Public derivation is the hot path when listing addresses, so
`public_children` works on raw bytes without building an object per child.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from chains import base58
from chains.errors import InvalidDerivationPath, InvalidExtendedKey

HARDENED = 0x80000000
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
XPRV_VERSION = bytes.fromhex("0488ade4")
XPUB_VERSION = bytes.fromhex("0488b21e")
TESTNET_XPRV_VERSION = bytes.fromhex("04358394")
TESTNET_XPUB_VERSION = bytes.fromhex("043587cf")
_PRIVATE_VERSIONS = {XPRV_VERSION, TESTNET_XPRV_VERSION}
_PUBLIC_VERSIONS = {XPUB_VERSION, TESTNET_XPUB_VERSION}


def parse_path(path: str) -> tuple[int, ...]:
    """`m/44'/60'/0'/0/7` (or with h/H) to child numbers."""
    parts = path.strip().split("/")
    if not parts or parts[0] != "m":
        raise InvalidDerivationPath(f"derivation path {path!r} must start with 'm'")
    numbers = []
    for part in parts[1:]:
        hardened = part[-1:] in ("'", "h", "H")
        digits = part[:-1] if hardened else part
        if not digits.isdigit() or int(digits) >= HARDENED:
            raise InvalidDerivationPath(f"derivation path {path!r} has a bad step {part!r}")
        numbers.append(int(digits) + (HARDENED if hardened else 0))
    return tuple(numbers)


def format_path(numbers: Iterable[int]) -> str:
    steps = [f"{n - HARDENED}'" if n >= HARDENED else str(n) for n in numbers]
    return "/".join(["m", *steps])


def hash160(data: bytes) -> bytes:
    from Crypto.Hash import RIPEMD160

    digest: bytes = RIPEMD160.new(hashlib.sha256(data).digest()).digest()
    return digest


@dataclass(frozen=True, repr=False)
class ExtendedPrivateKey:
    private_key: bytes
    chain_code: bytes
    depth: int = 0
    parent_fingerprint: bytes = b"\0\0\0\0"
    child_number: int = 0

    def __repr__(self) -> str:
        return f"ExtendedPrivateKey(<hidden>, depth={self.depth})"

    @classmethod
    def from_seed(cls, seed: bytes) -> ExtendedPrivateKey:
        digest = hmac.digest(b"Bitcoin seed", seed, "sha512")
        key, chain_code = digest[:32], digest[32:]
        if not 0 < int.from_bytes(key, "big") < CURVE_ORDER:
            raise InvalidExtendedKey("this seed gives an invalid master key (probability 2^-127)")
        return cls(key, chain_code)

    def public_key(self) -> bytes:
        from coincurve import PrivateKey

        compressed: bytes = PrivateKey(self.private_key).public_key.format(compressed=True)
        return compressed

    def fingerprint(self) -> bytes:
        return hash160(self.public_key())[:4]

    def child(self, number: int) -> ExtendedPrivateKey:
        if number >= HARDENED:
            data = b"\0" + self.private_key + number.to_bytes(4, "big")
        else:
            data = self.public_key() + number.to_bytes(4, "big")
        digest = hmac.digest(self.chain_code, data, "sha512")
        tweak = int.from_bytes(digest[:32], "big")
        child_key = (tweak + int.from_bytes(self.private_key, "big")) % CURVE_ORDER
        if tweak >= CURVE_ORDER or child_key == 0:
            raise InvalidExtendedKey(f"child {number} is invalid (probability 2^-127)")
        return ExtendedPrivateKey(
            child_key.to_bytes(32, "big"),
            digest[32:],
            self.depth + 1,
            self.fingerprint(),
            number,
        )

    def derive(self, path: str | Iterable[int]) -> ExtendedPrivateKey:
        numbers = parse_path(path) if isinstance(path, str) else tuple(path)
        node = self
        for number in numbers:
            node = node.child(number)
        return node

    def neuter(self) -> ExtendedPublicKey:
        return ExtendedPublicKey(
            self.public_key(),
            self.chain_code,
            self.depth,
            self.parent_fingerprint,
            self.child_number,
        )

    def serialize(self, version: bytes = XPRV_VERSION) -> str:
        return base58.encode_check(
            version
            + bytes([self.depth])
            + self.parent_fingerprint
            + self.child_number.to_bytes(4, "big")
            + self.chain_code
            + b"\0"
            + self.private_key
        )


@dataclass(frozen=True)
class ExtendedPublicKey:
    public_key: bytes
    chain_code: bytes
    depth: int = 0
    parent_fingerprint: bytes = b"\0\0\0\0"
    child_number: int = 0

    def fingerprint(self) -> bytes:
        return hash160(self.public_key)[:4]

    def child(self, number: int) -> ExtendedPublicKey:
        if number >= HARDENED:
            raise InvalidDerivationPath("a public key cannot derive a hardened child")
        child_key, chain_code = _public_child(self.public_key, self.chain_code, number)
        return ExtendedPublicKey(child_key, chain_code, self.depth + 1, self.fingerprint(), number)

    def serialize(self, version: bytes = XPUB_VERSION) -> str:
        return base58.encode_check(
            version
            + bytes([self.depth])
            + self.parent_fingerprint
            + self.child_number.to_bytes(4, "big")
            + self.chain_code
            + self.public_key
        )


def public_children(parent: ExtendedPublicKey, numbers: Iterable[int]) -> Iterator[bytes]:
    """Uncompressed (65-byte) public keys of non-hardened children: the fast path."""
    from coincurve import PublicKey

    point = PublicKey(parent.public_key)
    prefix = parent.public_key
    for number in numbers:
        if number >= HARDENED:
            raise InvalidDerivationPath("a public key cannot derive a hardened child")
        digest = hmac.digest(parent.chain_code, prefix + number.to_bytes(4, "big"), "sha512")
        if int.from_bytes(digest[:32], "big") >= CURVE_ORDER:
            raise InvalidExtendedKey(f"child {number} is invalid (probability 2^-127)")
        yield point.add(digest[:32]).format(compressed=False)


def _public_child(public_key: bytes, chain_code: bytes, number: int) -> tuple[bytes, bytes]:
    from coincurve import PublicKey

    digest = hmac.digest(chain_code, public_key + number.to_bytes(4, "big"), "sha512")
    if int.from_bytes(digest[:32], "big") >= CURVE_ORDER:
        raise InvalidExtendedKey(f"child {number} is invalid (probability 2^-127)")
    child: bytes = PublicKey(public_key).add(digest[:32]).format(compressed=True)
    return child, digest[32:]


def parse_extended_key(text: str) -> ExtendedPrivateKey | ExtendedPublicKey:
    """Parse and fully validate an xprv/xpub (or tprv/tpub), as BIP-32 vector 5 demands."""
    try:
        raw = base58.decode_check(text.strip())
    except ValueError as exc:
        raise InvalidExtendedKey(f"extended key: {exc}") from None
    if len(raw) != 78:
        raise InvalidExtendedKey(f"extended key has {len(raw)} bytes, not 78")
    version, depth, fingerprint = raw[:4], raw[4], raw[5:9]
    child_number, chain_code, key = int.from_bytes(raw[9:13], "big"), raw[13:45], raw[45:]
    if depth == 0 and (fingerprint != b"\0\0\0\0" or child_number != 0):
        raise InvalidExtendedKey("a depth-0 key must have no parent fingerprint and index 0")
    if version in _PRIVATE_VERSIONS:
        secret = int.from_bytes(key[1:], "big")
        if key[0] != 0 or not 0 < secret < CURVE_ORDER:
            raise InvalidExtendedKey("extended private key holds an invalid private key")
        return ExtendedPrivateKey(key[1:], chain_code, depth, fingerprint, child_number)
    if version in _PUBLIC_VERSIONS:
        if key[0] not in (2, 3):
            raise InvalidExtendedKey("extended public key holds an invalid public key prefix")
        from coincurve import PublicKey

        try:
            PublicKey(key)
        except ValueError:
            raise InvalidExtendedKey("extended public key is not a point on the curve") from None
        return ExtendedPublicKey(key, chain_code, depth, fingerprint, child_number)
    raise InvalidExtendedKey(f"unknown extended key version {version.hex()}")
