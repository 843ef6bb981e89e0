"""Base58Check, as BIP-32 serialises extended keys (and Bitcoin's legacy addresses)."""

from __future__ import annotations

import hashlib

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"character {char!r} is not in the Base58 alphabet")
        number = number * 58 + _INDEX[char]
    leading_ones = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * leading_ones + body


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def encode_check(payload: bytes) -> str:
    return encode(payload + _checksum(payload))


def decode_check(text: str) -> bytes:
    raw = decode(text)
    if len(raw) < 4 or _checksum(raw[:-4]) != raw[-4:]:
        raise ValueError("Base58Check checksum does not match")
    return raw[:-4]
