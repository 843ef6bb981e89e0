"""BIP-32 test vectors 1-4 and the invalid keys of vector 5 (tests/vectors/bip32.json)."""

from __future__ import annotations

import pytest

from chains.bip32 import (
    ExtendedPrivateKey,
    ExtendedPublicKey,
    format_path,
    parse_extended_key,
    parse_path,
    public_children,
)
from chains.errors import InvalidDerivationPath, InvalidExtendedKey
from tests.conftest import load_vectors

DATA = load_vectors("bip32.json")
CHAINS = [(vector["seed"], chain) for vector in DATA["vectors"] for chain in vector["chains"]]


@pytest.mark.parametrize(("seed", "chain"), CHAINS, ids=[c["path"] for _, c in CHAINS])
def test_private_derivation(seed: str, chain: dict[str, str]) -> None:
    node = ExtendedPrivateKey.from_seed(bytes.fromhex(seed)).derive(chain["path"])
    assert node.serialize() == chain["xprv"]
    assert node.neuter().serialize() == chain["xpub"]


@pytest.mark.parametrize(("seed", "chain"), CHAINS, ids=[c["path"] for _, c in CHAINS])
def test_parse_round_trip(seed: str, chain: dict[str, str]) -> None:
    private = parse_extended_key(chain["xprv"])
    public = parse_extended_key(chain["xpub"])
    assert isinstance(private, ExtendedPrivateKey)
    assert isinstance(public, ExtendedPublicKey)
    assert private.serialize() == chain["xprv"]
    assert public.serialize() == chain["xpub"]


def test_public_derivation_matches_private() -> None:
    seed = bytes.fromhex(DATA["vectors"][0]["seed"])
    parent = ExtendedPrivateKey.from_seed(seed).derive("m/0H/1")
    public_parent = parent.neuter()
    for index in (0, 1, 2, 1000):
        assert public_parent.child(index).serialize() == parent.child(index).neuter().serialize()
    fast = list(public_children(public_parent, [0, 7]))
    from coincurve import PublicKey

    for key, index in zip(fast, [0, 7], strict=True):
        expected = parent.child(index).public_key()
        assert PublicKey(key).format(compressed=True) == expected


def test_public_key_cannot_derive_hardened() -> None:
    seed = bytes.fromhex(DATA["vectors"][0]["seed"])
    public = ExtendedPrivateKey.from_seed(seed).neuter()
    with pytest.raises(InvalidDerivationPath):
        public.child(0x80000000)


@pytest.mark.parametrize("case", DATA["invalid"], ids=lambda c: c["reason"])
def test_invalid_extended_keys_are_refused(case: dict[str, str]) -> None:
    with pytest.raises(InvalidExtendedKey):
        parse_extended_key(case["key"])


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("m", ()),
        ("m/0'/1", (0x80000000, 1)),
        ("m/44h/60H/0'/0/5", (0x8000002C, 0x8000003C, 0x80000000, 0, 5)),
    ],
)
def test_paths(text: str, numbers: tuple[int, ...]) -> None:
    assert parse_path(text) == numbers
    assert parse_path(format_path(numbers)) == numbers


@pytest.mark.parametrize("text", ["", "44'/0", "m/x", "m/2147483648", "m//1", "m/-1"])
def test_bad_paths(text: str) -> None:
    with pytest.raises(InvalidDerivationPath):
        parse_path(text)
