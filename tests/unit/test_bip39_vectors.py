"""BIP-39: the Trezor English vectors (tests/vectors/bip39_trezor_english.json)."""

from __future__ import annotations

import pytest

from chains.bip32 import ExtendedPrivateKey
from keystore import mnemonic
from tests.conftest import load_vectors

DATA = load_vectors("bip39_trezor_english.json")


@pytest.mark.parametrize("vector", DATA["vectors"], ids=lambda v: v["entropy"][:8])
def test_trezor_vector(vector: dict[str, str]) -> None:
    phrase = mnemonic.parse(vector["mnemonic"], DATA["passphrase"])
    assert mnemonic.to_entropy(phrase).hex() == vector["entropy"]
    seed = mnemonic.to_seed(phrase)
    assert seed.reveal().hex() == vector["seed"]
    assert ExtendedPrivateKey.from_seed(seed.reveal()).serialize() == vector["xprv"]


def test_vectors_are_all_there() -> None:
    assert len(DATA["vectors"]) == 24
