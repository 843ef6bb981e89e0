"""BIP-174 test vectors (tests/vectors/bip174.json) through `chains.btc.psbt.load`.

Valid PSBTs must load and serialize back to the same base64; invalid ones must be refused
with `InvalidPsbt`, and the refusal must come from bdk's PSBT parser, not from the base64 gate.

bdkpython 3.1.1 (rust-bitcoin) agrees with the BIP on every valid and invalid vector. The one
byte-level difference is in the walkthrough: bdk keeps each map's keys sorted, so it writes
the combiner's PSBT with the key-value pairs of one input in another order (see REORDERED).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from chains.btc.psbt import InvalidPsbt, finalize, load
from tests.conftest import load_vectors

DATA = load_vectors("bip174.json")
WORKFLOW = {entry["step"]: entry for entry in DATA["workflow"]}
WORKFLOW_PSBTS = [entry for entry in DATA["workflow"] if "base64" in entry]

# Steps that bdk serializes differently from the BIP, and why. Both hold the same key-value
# pairs; only their order in one map changes.
REORDERED = {
    "combiner": (
        "the BIP writes the second input's partial signatures in the order the two signers "
        "added them (key 02|03089d… before 02|023add…); bdk keeps them in a BTreeMap and "
        "writes 02|023add… first"
    ),
}


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [f"{n}-{case.get('step') or case['description']}" for n, case in enumerate(cases)]


def _compact_size(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    if first < 0xFD:
        return first, pos + 1
    width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
    return int.from_bytes(data[pos + 1 : pos + 1 + width], "little"), pos + 1 + width


def _maps(text: str) -> list[list[tuple[bytes, bytes]]]:
    """The PSBT's maps (global, inputs, outputs), each as its sorted key-value pairs."""
    data = base64.b64decode(text)
    assert data[:5] == b"psbt\xff"
    maps: list[list[tuple[bytes, bytes]]] = []
    pairs: list[tuple[bytes, bytes]] = []
    pos = 5
    while pos < len(data):
        key_length, pos = _compact_size(data, pos)
        if key_length == 0:
            maps.append(sorted(pairs))
            pairs = []
            continue
        key = data[pos : pos + key_length]
        value_length, pos = _compact_size(data, pos + key_length)
        pairs.append((key, data[pos : pos + value_length]))
        pos += value_length
    assert not pairs, "the last map has no separator"
    return maps


@pytest.mark.parametrize("case", DATA["valid"], ids=_ids(DATA["valid"]))
def test_valid_psbt_round_trips(case: dict[str, str]) -> None:
    assert load(case["base64"]).serialize() == case["base64"]


@pytest.mark.parametrize("case", DATA["fails_signer_checks"], ids=_ids(DATA["fails_signer_checks"]))
def test_psbt_failing_signer_checks_still_parses(case: dict[str, str]) -> None:
    # Well-formed PSBTs that a signer must refuse: parsing must keep them intact.
    assert load(case["base64"]).serialize() == case["base64"]


@pytest.mark.parametrize("case", DATA["invalid"], ids=_ids(DATA["invalid"]))
def test_invalid_psbt_is_rejected(case: dict[str, str]) -> None:
    import bdkpython

    base64.b64decode(case["base64"], validate=True)  # the base64 itself is fine
    with pytest.raises(InvalidPsbt) as caught:
        load(case["base64"])
    assert isinstance(caught.value.__context__, bdkpython.PsbtParseError)


@pytest.mark.parametrize("case", WORKFLOW_PSBTS, ids=_ids(WORKFLOW_PSBTS))
def test_workflow_psbt_round_trips(case: dict[str, str]) -> None:
    text = case["base64"]
    serialized = load(text).serialize()
    if case["step"] not in REORDERED:
        assert serialized == text
        return
    assert serialized != text, f"bdk now keeps the BIP's order for {case['step']}"
    assert _maps(serialized) == _maps(text)
    assert load(serialized).serialize() == serialized


def test_combining_the_two_signers_gives_the_combiner_psbt() -> None:
    combined = load(WORKFLOW["signer_1"]["base64"]).combine(load(WORKFLOW["signer_2"]["base64"]))
    assert _maps(combined.serialize()) == _maps(WORKFLOW["combiner"]["base64"])


def test_finalizing_the_combiner_psbt_gives_the_finalizer_psbt() -> None:
    result = load(WORKFLOW["combiner"]["base64"]).finalize()
    assert result.could_finalize
    assert result.psbt.serialize() == WORKFLOW["finalizer"]["base64"]


def test_finalize_extracts_the_published_transaction() -> None:
    assert finalize(load(WORKFLOW["combiner"]["base64"])) == WORKFLOW["extractor"]["hex"]


def test_combining_unknown_pairs_orders_them_lexicographically() -> None:
    combined = load(WORKFLOW["unknown_1"]["base64"]).combine(load(WORKFLOW["unknown_2"]["base64"]))
    assert combined.serialize() == WORKFLOW["unknown_combined"]["base64"]
