"""RLP: the published examples, boundaries, round trips, and agreement with the `rlp` package.

Examples: Ethereum wiki "RLP" page / Yellow Paper appendix B.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.evm import rlp

LOREM = b"Lorem ipsum dolor sit amet, consectetur adipisicing elit"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (b"dog", "83646f67"),
        ([b"cat", b"dog"], "c88363617483646f67"),
        (b"", "80"),
        ([], "c0"),
        (0, "80"),
        (b"\x00", "00"),
        (b"\x0f", "0f"),
        (15, "0f"),
        (1024, "820400"),
        (b"\x04\x00", "820400"),
        ([[], [[]], [[], [[]]]], "c7c0c1c0c3c0c1c0"),
        (
            LOREM,
            "b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465"
            "747572206164697069736963696e6720656c6974",
        ),
    ],
    ids=[
        "dog",
        "cat-dog",
        "empty-string",
        "empty-list",
        "int-0",
        "byte-00",
        "byte-0f",
        "int-15",
        "int-1024",
        "bytes-0400",
        "set-theoretic-3",
        "lorem-56-bytes",
    ],
)
def test_published_examples(item: Any, expected: str) -> None:
    assert rlp.encode(item) == bytes.fromhex(expected)


def test_published_examples_decode() -> None:
    assert rlp.decode(bytes.fromhex("83646f67")) == b"dog"
    assert rlp.decode(bytes.fromhex("c88363617483646f67")) == [b"cat", b"dog"]
    assert rlp.decode(b"\x80") == b""
    assert rlp.decode(b"\xc0") == []
    assert rlp.decode(bytes.fromhex("c7c0c1c0c3c0c1c0")) == [[], [[]], [[], [[]]]]
    assert rlp.decode(bytes.fromhex("b838") + LOREM) == LOREM


def test_lorem_is_long_form() -> None:
    assert len(LOREM) == 56
    assert rlp.encode(LOREM) == b"\xb8\x38" + LOREM


@pytest.mark.parametrize(
    ("length", "prefix"),
    [
        (1, b"\x81"),  # one byte >= 0x80 still takes a prefix
        (55, b"\xb7"),
        (56, b"\xb8\x38"),
        (255, b"\xb8\xff"),
        (256, b"\xb9\x01\x00"),
        (1024, b"\xb9\x04\x00"),
        (70000, b"\xba\x01\x11\x70"),
    ],
)
def test_string_length_boundaries(length: int, prefix: bytes) -> None:
    data = b"\xaa" * length
    encoded = rlp.encode(data)
    assert encoded == prefix + data
    assert rlp.decode(encoded) == data


@pytest.mark.parametrize(
    ("payload_length", "prefix"),
    [(0, b"\xc0"), (55, b"\xf7"), (56, b"\xf8\x38"), (256, b"\xf9\x01\x00")],
)
def test_list_length_boundaries(payload_length: int, prefix: bytes) -> None:
    items = [b"\x01"] * payload_length  # each single byte < 0x80 encodes as itself
    encoded = rlp.encode(items)
    assert encoded == prefix + b"\x01" * payload_length
    assert rlp.decode(encoded) == items


def test_single_bytes_below_and_at_0x80() -> None:
    assert rlp.encode(b"\x7f") == b"\x7f"
    assert rlp.encode(b"\x80") == b"\x81\x80"
    assert rlp.encode(127) == b"\x7f"
    assert rlp.encode(128) == b"\x81\x80"
    assert rlp.encode(bytearray(b"dog")) == b"\x83dog"


def test_integers_are_minimal_big_endian() -> None:
    assert rlp.encode(256) == b"\x82\x01\x00"
    assert rlp.encode(2**256 - 1) == b"\xa0" + b"\xff" * 32
    assert rlp.encode(tuple([1, 2, 3])) == b"\xc3\x01\x02\x03"


@pytest.mark.parametrize("value", [-1, -(2**64)])
def test_negative_integer_raises(value: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        rlp.encode(value)
    with pytest.raises(ValueError, match="negative"):
        rlp.encode([b"ok", [value]])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x83do",  # string shorter than its prefix says
        b"\xb8",  # long form without its length byte
        b"\xb8\x38" + LOREM[:-1],
        b"\xb9\x01",  # long form with half of a two-byte length
        b"\xc1",  # list with its item missing
        b"\xc2\x83",  # list whose item is truncated
        b"\xc8\x83cat\x83do",
        b"\xf8\x38" + b"\x01" * 55,
    ],
    ids=[
        "empty",
        "short-string",
        "long-no-length",
        "long-short",
        "long-half-length",
        "list-empty-body",
        "list-item-truncated",
        "cat-do",
        "long-list-short",
    ],
)
def test_truncated_data_raises(data: bytes) -> None:
    with pytest.raises(ValueError, match="truncated"):
        rlp.decode(data)


@pytest.mark.parametrize(
    "data",
    [b"\x80\x80", b"\x83dogx", b"\xc0\x00", b"\x01\x02", b"\xc88363617483646f67\x80"],
)
def test_trailing_bytes_raise(data: bytes) -> None:
    with pytest.raises(ValueError, match="trailing"):
        rlp.decode(data)


def test_list_item_running_past_the_list_raises() -> None:
    # c1 says the list holds one byte, but its item 82 61 62 is three bytes long
    with pytest.raises(ValueError, match="inconsistent"):
        rlp.decode(b"\xc1\x82ab")


# --- hypothesis -------------------------------------------------------------------------

# Byte strings biased towards the boundaries: single bytes around 0x80, lengths around 55/56.
byte_strings = st.one_of(
    st.binary(max_size=4),
    st.binary(min_size=50, max_size=60),
    st.binary(min_size=250, max_size=300),
    st.integers(0, 255).map(lambda b: bytes([b])),
)
nested = st.recursive(byte_strings, lambda children: st.lists(children, max_size=6), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(nested)
def test_round_trip(item: Any) -> None:
    assert rlp.decode(rlp.encode(item)) == item


@settings(max_examples=300, deadline=None)
@given(nested)
def test_matches_rlp_package(item: Any) -> None:
    reference = pytest.importorskip("rlp")
    encoded = rlp.encode(item)
    assert encoded == reference.encode(item)
    assert reference.decode(encoded) == rlp.decode(encoded)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**256))
def test_integers_match_rlp_package(value: int) -> None:
    reference = pytest.importorskip("rlp")
    encoded = rlp.encode(value)
    assert encoded == reference.encode(value)
    decoded = rlp.decode(encoded)
    assert isinstance(decoded, bytes)
    assert int.from_bytes(decoded, "big") == value
    assert decoded[:1] != b"\x00"  # minimal: no leading zero byte (zero is empty)


@settings(max_examples=200, deadline=None)
@given(nested, st.binary(min_size=1, max_size=3))
def test_trailing_garbage_after_any_item_raises(item: Any, garbage: bytes) -> None:
    with pytest.raises(ValueError, match="trailing"):
        rlp.decode(rlp.encode(item) + garbage)


@settings(max_examples=200, deadline=None)
@given(nested, st.data())
def test_any_strict_prefix_raises(item: Any, data: st.DataObject) -> None:
    encoded = rlp.encode(item)
    cut = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    with pytest.raises(ValueError, match="truncated"):
        rlp.decode(encoded[:cut])


@pytest.mark.parametrize("encoded", ["8100", "8105", "b80161", "b8000000", "f800"])
def test_non_canonical_encodings_are_refused(encoded: str) -> None:
    with pytest.raises(ValueError, match="RLP"):
        rlp.decode(bytes.fromhex(encoded))
