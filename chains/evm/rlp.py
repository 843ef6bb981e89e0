"""Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B).

Decoding is strict: non-canonical encodings (which the `rlp` package also rejects) raise.

Only what transactions need: byte strings, non-negative integers (minimal big-endian, zero
as the empty string) and lists. `decode` exists to read back raw transactions we stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

# Recursive aliases need Union's string forward references.
Item = Union[bytes, int, Sequence["Item"]]  # noqa: UP007
Decoded = Union[bytes, list["Decoded"]]  # noqa: UP007


def encode(item: Item) -> bytes:
    if isinstance(item, int):
        if item < 0:
            raise ValueError("RLP cannot encode a negative integer")
        return encode(item.to_bytes((item.bit_length() + 7) // 8, "big"))
    if isinstance(item, bytes | bytearray):
        if len(item) == 1 and item[0] < 0x80:
            return bytes(item)
        return _prefix(len(item), 0x80) + bytes(item)
    payload = b"".join(encode(element) for element in item)
    return _prefix(len(payload), 0xC0) + payload


def _prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    length_bytes = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(length_bytes)]) + length_bytes


def decode(data: bytes) -> Decoded:
    item, end = _decode_at(data, 0)
    if end != len(data):
        raise ValueError("RLP data has trailing bytes")
    return item


def _decode_at(data: bytes, start: int) -> tuple[Decoded, int]:
    if start >= len(data):
        raise ValueError("RLP data is truncated")
    first = data[start]
    if first < 0x80:
        return data[start : start + 1], start + 1
    if first < 0xC0:
        offset, length = _length(data, start, 0x80)
        if length == 1 and data[offset] < 0x80:
            raise ValueError("RLP: a single byte below 0x80 must encode as itself")
        return data[offset : offset + length], offset + length
    offset, length = _length(data, start, 0xC0)
    end = offset + length
    items: list[Decoded] = []
    position = offset
    while position < end:
        item, position = _decode_at(data, position)
        items.append(item)
    if position != end:
        raise ValueError("RLP list length is inconsistent")
    return items, end


def _length(data: bytes, start: int, offset: int) -> tuple[int, int]:
    short = data[start] - offset
    if short < 56:
        begin, length = start + 1, short
    else:
        size = short - 55
        begin = start + 1 + size
        if begin > len(data):
            raise ValueError("RLP data is truncated")
        length = int.from_bytes(data[start + 1 : begin], "big")
        if data[start + 1 : start + 2] == b"\0" or length < 56:
            raise ValueError("RLP: non-canonical length encoding")
    if begin + length > len(data):
        raise ValueError("RLP data is truncated")
    return begin, length
