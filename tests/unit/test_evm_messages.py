"""Signed messages: EIP-191 personal_sign and EIP-712 typed data, against published vectors
and eth-account."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.errors import InvalidSignature, InvalidTypedData
from chains.evm.address import from_public_key
from chains.evm.messages import (
    TypedDataSummary,
    personal_digest,
    recover,
    sign_digest,
    summarize,
    typed_data_digest,
)
from chains.evm.tx import Signer
from keystore.secret import PrivateKey
from tests.conftest import load_vectors

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

EIP191 = load_vectors("eip191.json")["vectors"]
MAIL = load_vectors("eip712.json")["vectors"][0]


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _signer(private_key: str) -> Signer:
    return Signer(PrivateKey(_hex(private_key)))


# --- EIP-191 -----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", EIP191, ids=[v["name"] for v in EIP191])
def test_eip191_digest(vector: dict[str, Any]) -> None:
    assert personal_digest(vector["message"].encode()) == _hex(vector["message_hash"])


@pytest.mark.parametrize("vector", EIP191, ids=[v["name"] for v in EIP191])
def test_eip191_signature(vector: dict[str, Any]) -> None:
    signature = sign_digest(
        _signer(vector["private_key"]), personal_digest(vector["message"].encode())
    )
    assert signature == _hex(vector["signature"])
    assert len(signature) == 65
    assert int.from_bytes(signature[:32], "big") == vector["r"]
    assert int.from_bytes(signature[32:64], "big") == vector["s"]
    assert signature[64] == vector["v"]


@pytest.mark.parametrize("vector", EIP191, ids=[v["name"] for v in EIP191])
def test_eip191_recover(vector: dict[str, Any]) -> None:
    expected = Account.from_key(vector["private_key"]).address
    assert from_public_key(_signer(vector["private_key"]).public_key()) == expected
    digest = _hex(vector["message_hash"])
    assert recover(digest, _hex(vector["signature"])) == expected


def test_eip191_recover_accepts_v_0_and_1() -> None:
    vector = EIP191[0]
    signature = _hex(vector["signature"])
    raw_v = bytes([signature[64] - 27])
    expected = Account.from_key(vector["private_key"]).address
    assert recover(_hex(vector["message_hash"]), signature[:64] + raw_v) == expected


def test_eip191_length_is_in_bytes_not_characters() -> None:
    message = "I♥SF".encode()
    assert len(message) == 6
    assert personal_digest(message) == personal_digest(b"I\xe2\x99\xa5SF")
    assert personal_digest(message) != personal_digest(b"I?SF")


# --- EIP-712 -----------------------------------------------------------------------------


def test_eip712_mail_digest() -> None:
    assert typed_data_digest(copy.deepcopy(MAIL["typed_data"])) == _hex(MAIL["digest"])


def test_eip712_mail_signature() -> None:
    digest = typed_data_digest(copy.deepcopy(MAIL["typed_data"]))
    signature = sign_digest(_signer(MAIL["private_key"]), digest)
    assert signature == _hex(MAIL["signature_hex"])
    assert signature[64] == MAIL["signature"]["v"]
    assert signature[:32] == _hex(MAIL["signature"]["r"])
    assert signature[32:64] == _hex(MAIL["signature"]["s"])


def test_eip712_mail_recover() -> None:
    recovered = recover(_hex(MAIL["digest"]), _hex(MAIL["signature_hex"]))
    assert recovered.lower() == MAIL["address"]
    assert from_public_key(_signer(MAIL["private_key"]).public_key()) == recovered


def test_eip712_digest_does_not_change_the_document() -> None:
    document = copy.deepcopy(MAIL["typed_data"])
    typed_data_digest(document)
    assert document == MAIL["typed_data"]


def test_eip712_changed_message_changes_digest() -> None:
    document = copy.deepcopy(MAIL["typed_data"])
    document["message"]["contents"] = "Hello, Alice!"
    assert typed_data_digest(document) != _hex(MAIL["digest"])


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("types"),
        lambda d: d.pop("domain"),
        lambda d: d.pop("message"),
        lambda d: d.update(primaryType="Nope"),
        lambda d: d["message"].update(to="not a person"),
    ],
    ids=["no-types", "no-domain", "no-message", "unknown-primary-type", "bad-field"],
)
def test_eip712_invalid_documents(damage: Any) -> None:
    document = copy.deepcopy(MAIL["typed_data"])
    damage(document)
    with pytest.raises(InvalidTypedData):
        typed_data_digest(document)


def test_summarize_mail() -> None:
    summary = summarize(MAIL["typed_data"])
    domain = MAIL["typed_data"]["domain"]
    assert summary == TypedDataSummary(
        primary_type="Mail",
        domain_name=domain["name"],
        domain_version=domain["version"],
        chain_id=1,
        verifying_contract=domain["verifyingContract"],
    )


@pytest.mark.parametrize(("chain_id", "expected"), [("0x1", 1), ("137", 137), (5, 5), (None, None)])
def test_summarize_chain_id_spellings(chain_id: Any, expected: int | None) -> None:
    document = copy.deepcopy(MAIL["typed_data"])
    if chain_id is None:
        del document["domain"]["chainId"]
    else:
        document["domain"]["chainId"] = chain_id
    assert summarize(document).chain_id == expected


@pytest.mark.parametrize("missing", ["types", "primaryType"])
def test_summarize_missing_keys(missing: str) -> None:
    document = copy.deepcopy(MAIL["typed_data"])
    del document[missing]
    with pytest.raises(InvalidTypedData, match=missing):
        summarize(document)


def test_summarize_without_domain_or_message() -> None:
    # eth-sig-util V4 and cast read an absent domain or message as empty.
    summary = summarize({"types": {}, "primaryType": "EIP712Domain"})
    assert summary.domain_name is None
    assert summary.chain_id is None


@pytest.mark.parametrize("document", [None, [], "typed data", 42])
def test_summarize_not_an_object(document: Any) -> None:
    with pytest.raises(InvalidTypedData, match="JSON object"):
        summarize(document)


def test_summarize_domain_not_an_object() -> None:
    document = copy.deepcopy(MAIL["typed_data"])
    document["domain"] = ["Ether Mail"]
    with pytest.raises(InvalidTypedData, match="domain"):
        summarize(document)


def test_summarize_bad_chain_id() -> None:
    document = copy.deepcopy(MAIL["typed_data"])
    document["domain"]["chainId"] = "mainnet"
    with pytest.raises(InvalidTypedData, match="chainId"):
        summarize(document)


# --- recover errors ----------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 64, 66, 130])
def test_recover_bad_length(length: int) -> None:
    with pytest.raises(InvalidSignature, match="65 bytes"):
        recover(_hex(MAIL["digest"]), b"\x01" * length)


@pytest.mark.parametrize("v", [2, 3, 26, 29, 30, 35, 37, 255])
def test_recover_bad_v(v: int) -> None:
    signature = _hex(MAIL["signature_hex"])[:64] + bytes([v])
    with pytest.raises(InvalidSignature, match="invalid v"):
        recover(_hex(MAIL["digest"]), signature)


@pytest.mark.parametrize(
    ("r", "s"),
    [(0, 1), (1, 0), (0, 0), (SECP256K1_N, 1), (1, SECP256K1_N), (2**256 - 1, 2**256 - 1)],
)
def test_recover_impossible_signature(r: int, s: int) -> None:
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + b"\x1b"
    with pytest.raises(InvalidSignature):
        recover(_hex(MAIL["digest"]), signature)


def test_recover_other_digest_gives_other_address() -> None:
    recovered = recover(personal_digest(b"something else"), _hex(MAIL["signature_hex"]))
    assert recovered.lower() != MAIL["address"]


# --- hypothesis --------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=SECP256K1_N - 1), st.binary(max_size=300))
def test_sign_and_recover_round_trip(key: int, message: bytes) -> None:
    key_bytes = key.to_bytes(32, "big")
    signer = Signer(PrivateKey(key_bytes))
    digest = personal_digest(message)
    signature = sign_digest(signer, digest)
    assert len(signature) == 65
    assert signature[64] in (27, 28)
    assert int.from_bytes(signature[32:64], "big") <= SECP256K1_N // 2
    expected = Account.from_key(key_bytes).address
    assert recover(digest, signature) == expected
    reference = Account.sign_message(encode_defunct(primitive=message), key_bytes)
    assert signature == bytes(reference.signature)
    assert digest == bytes(reference.message_hash)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=SECP256K1_N - 1), st.binary(min_size=32, max_size=32))
def test_flipped_v_recovers_another_address(key: int, digest: bytes) -> None:
    key_bytes = key.to_bytes(32, "big")
    signature = sign_digest(Signer(PrivateKey(key_bytes)), digest)
    flipped = signature[:64] + bytes([55 - signature[64]])  # 27 <-> 28
    try:
        other = recover(digest, flipped)
    except InvalidSignature:
        return
    assert other != Account.from_key(key_bytes).address
