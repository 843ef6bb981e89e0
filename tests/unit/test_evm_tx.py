"""Transactions: published EIP-155 and EIP-1559 vectors, and byte-for-byte agreement with
eth-account on random transactions and keys (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.evm import rlp
from chains.evm.address import from_public_key, keccak256
from chains.evm.tx import (
    AccessList,
    Eip1559Tx,
    LegacyTx,
    SignedTx,
    Signer,
    recover_public_key,
)
from keystore.secret import PrivateKey
from tests.conftest import load_vectors

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

VECTORS = load_vectors("eip155.json")
EIP155 = VECTORS["vectors"][0]
EIP1559 = VECTORS["eip1559_vectors"]


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _signer(private_key: str) -> Signer:
    return Signer(PrivateKey(_hex(private_key)))


def _access_list(entries: list[dict[str, Any]]) -> AccessList:
    return tuple(
        (_hex(entry["address"]), tuple(_hex(key) for key in entry["storageKeys"]))
        for entry in entries
    )


def _eip1559(tx: dict[str, Any]) -> Eip1559Tx:
    return Eip1559Tx(
        chain_id=tx["chainId"],
        nonce=tx["nonce"],
        max_priority_fee_per_gas=tx["maxPriorityFeePerGas"],
        max_fee_per_gas=tx["maxFeePerGas"],
        gas=tx["gas"],
        to=_hex(tx["to"]) if tx.get("to") else None,
        value=tx["value"],
        data=_hex(tx["data"]),
        access_list=_access_list(tx["accessList"]),
    )


# --- EIP-155 -----------------------------------------------------------------------------


def _eip155_tx() -> LegacyTx:
    tx = EIP155["tx"]
    return LegacyTx(
        chain_id=tx["chainId"],
        nonce=tx["nonce"],
        gas_price=tx["gasPrice"],
        gas=tx["gas"],
        to=_hex(tx["to"]),
        value=tx["value"],
        data=_hex(tx["data"]),
    )


def test_eip155_signing_data_and_hash() -> None:
    tx = _eip155_tx()
    assert keccak256(_hex(EIP155["signing_data"])) == _hex(EIP155["signing_hash"])
    assert tx.signing_hash() == _hex(EIP155["signing_hash"])


def test_eip155_signed_transaction() -> None:
    signed = _signer(EIP155["private_key"]).sign(_eip155_tx())
    assert signed.raw == _hex(EIP155["signed"])
    assert signed.raw_hex == EIP155["signed"]
    assert signed.hash == keccak256(signed.raw)
    assert signed.hash_hex == "0x" + keccak256(signed.raw).hex()


def test_eip155_v_r_s() -> None:
    decoded = rlp.decode(_signer(EIP155["private_key"]).sign(_eip155_tx()).raw)
    assert isinstance(decoded, list)
    v, r, s = (int.from_bytes(field, "big") for field in decoded[6:9])  # type: ignore[arg-type]
    assert (v, r, s) == (EIP155["v"], EIP155["r"], EIP155["s"])


def test_eip155_fee_cap() -> None:
    assert _eip155_tx().fee_cap() == 21000 * 20 * 10**9


# --- EIP-1559 ----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", EIP1559, ids=[v["name"] for v in EIP1559])
def test_eip1559_vector(vector: dict[str, Any]) -> None:
    tx = _eip1559(vector["tx"])
    signed = _signer(vector["private_key"]).sign(tx)
    assert signed.raw_hex == vector["signed"]
    assert signed.hash == keccak256(_hex(vector["signed"]))
    if "unsigned" in vector:
        assert tx.signing_hash() == keccak256(_hex(vector["unsigned"]))
    if "signature" in vector:
        recovery_id, r, s = _signer(vector["private_key"]).sign_digest(tx.signing_hash())
        published = vector["signature"]
        assert (recovery_id, r, s) == (
            int(published["v"], 16),
            int(published["r"], 16),
            int(published["s"], 16),
        )


def test_eip1559_vectors_cover_access_lists_and_ten_cases() -> None:
    assert len(EIP1559) == 10
    assert any(v["tx"]["accessList"] for v in EIP1559)


def test_eip1559_fee_cap_and_contract_creation() -> None:
    tx = Eip1559Tx(1, 0, 1, 7, 50_000, None, 0, b"\x60\x00")
    assert tx.fee_cap() == 350_000
    decoded = rlp.decode(tx.assemble(0, 1, 1)[1:])
    assert isinstance(decoded, list)
    assert decoded[5] == b""  # empty `to` means contract creation


def test_signed_tx_properties() -> None:
    signed = SignedTx(b"\x02\xc0", b"\x11" * 32)
    assert signed.raw_hex == "0x02c0"
    assert signed.hash_hex == "0x" + "11" * 32


def test_signer_repr_hides_the_key() -> None:
    key = "0x" + "46" * 32
    signer = _signer(key)
    assert "46" * 4 not in repr(signer)
    assert repr(signer) == "Signer(<hidden>)"


# --- recovery ----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", EIP1559[:3], ids=[v["name"] for v in EIP1559[:3]])
def test_recover_public_key_of_vector(vector: dict[str, Any]) -> None:
    signer = _signer(vector["private_key"])
    digest = _eip1559(vector["tx"]).signing_hash()
    recovered = recover_public_key(digest, *signer.sign_digest(digest))
    assert recovered == signer.public_key()
    assert from_public_key(recovered) == Account.from_key(vector["private_key"]).address


def test_recover_public_key_of_eip155_example() -> None:
    signer = _signer(EIP155["private_key"])
    recovery_id = EIP155["v"] - 35 - 2 * EIP155["tx"]["chainId"]
    recovered = recover_public_key(
        _hex(EIP155["signing_hash"]), recovery_id, EIP155["r"], EIP155["s"]
    )
    assert recovered == signer.public_key()
    assert len(recovered) == 65
    assert recovered[0] == 4


# --- hypothesis: agreement with eth-account ----------------------------------------------

private_keys = st.integers(min_value=1, max_value=SECP256K1_N - 1)
addresses = st.binary(min_size=20, max_size=20)
storage_keys = st.binary(min_size=32, max_size=32)
access_lists = st.lists(
    st.tuples(addresses, st.lists(storage_keys, max_size=3).map(tuple)), max_size=3
).map(tuple)
fees = st.integers(min_value=0, max_value=2**128)
recipients = st.one_of(st.none(), addresses)


@st.composite
def eip1559_txs(draw: st.DrawFn) -> Eip1559Tx:
    return Eip1559Tx(
        chain_id=draw(st.integers(min_value=1, max_value=2**32)),
        nonce=draw(st.integers(min_value=0, max_value=2**64 - 1)),
        max_priority_fee_per_gas=draw(fees),
        max_fee_per_gas=draw(fees),
        gas=draw(st.integers(min_value=0, max_value=2**64 - 1)),
        to=draw(recipients),
        value=draw(st.integers(min_value=0, max_value=2**200)),
        data=draw(st.binary(max_size=200)),
        access_list=draw(access_lists),
    )


@st.composite
def legacy_txs(draw: st.DrawFn) -> LegacyTx:
    return LegacyTx(
        chain_id=draw(st.integers(min_value=1, max_value=2**32)),
        nonce=draw(st.integers(min_value=0, max_value=2**64 - 1)),
        gas_price=draw(fees),
        gas=draw(st.integers(min_value=0, max_value=2**64 - 1)),
        to=draw(recipients),
        value=draw(st.integers(min_value=0, max_value=2**200)),
        data=draw(st.binary(max_size=200)),
    )


def _checksummed(address: bytes | None) -> dict[str, str]:
    return {} if address is None else {"to": to_checksum_address(address)}


def _eth_account_eip1559(tx: Eip1559Tx) -> dict[str, Any]:
    return {
        "type": 2,
        "chainId": tx.chain_id,
        "nonce": tx.nonce,
        "maxPriorityFeePerGas": tx.max_priority_fee_per_gas,
        "maxFeePerGas": tx.max_fee_per_gas,
        "gas": tx.gas,
        **_checksummed(tx.to),
        "value": tx.value,
        "data": "0x" + tx.data.hex(),
        "accessList": [
            {
                "address": to_checksum_address(address),
                "storageKeys": ["0x" + key.hex() for key in keys],
            }
            for address, keys in tx.access_list
        ],
    }


def _eth_account_legacy(tx: LegacyTx) -> dict[str, Any]:
    return {
        "chainId": tx.chain_id,
        "nonce": tx.nonce,
        "gasPrice": tx.gas_price,
        "gas": tx.gas,
        **_checksummed(tx.to),
        "value": tx.value,
        "data": "0x" + tx.data.hex(),
    }


@settings(max_examples=300, deadline=None)
@given(eip1559_txs(), private_keys)
def test_eip1559_matches_eth_account(tx: Eip1559Tx, key: int) -> None:
    key_bytes = key.to_bytes(32, "big")
    ours = Signer(PrivateKey(key_bytes)).sign(tx)
    theirs = Account.sign_transaction(_eth_account_eip1559(tx), key_bytes)
    assert ours.raw == bytes(theirs.raw_transaction)
    assert ours.hash == bytes(theirs.hash)
    assert ours.hash == keccak256(ours.raw)
    assert ours.raw[0] == 2


@settings(max_examples=300, deadline=None)
@given(legacy_txs(), private_keys)
def test_legacy_eip155_matches_eth_account(tx: LegacyTx, key: int) -> None:
    key_bytes = key.to_bytes(32, "big")
    ours = Signer(PrivateKey(key_bytes)).sign(tx)
    theirs = Account.sign_transaction(_eth_account_legacy(tx), key_bytes)
    assert ours.raw == bytes(theirs.raw_transaction)
    assert ours.hash == bytes(theirs.hash)
    decoded = rlp.decode(ours.raw)
    assert isinstance(decoded, list)
    v = int.from_bytes(decoded[6], "big")  # type: ignore[arg-type]
    assert v in (35 + 2 * tx.chain_id, 36 + 2 * tx.chain_id)


@settings(max_examples=100, deadline=None)
@given(st.one_of(eip1559_txs(), legacy_txs()), private_keys)
def test_recover_public_key_recovers_the_signer(tx: Eip1559Tx | LegacyTx, key: int) -> None:
    signer = Signer(PrivateKey(key.to_bytes(32, "big")))
    digest = tx.signing_hash()
    recovery_id, r, s = signer.sign_digest(digest)
    assert recovery_id in (0, 1)
    assert 1 <= r < SECP256K1_N
    assert 1 <= s <= SECP256K1_N // 2  # low s (EIP-2)
    assert recover_public_key(digest, recovery_id, r, s) == signer.public_key()
    assert from_public_key(signer.public_key()) == Account.from_key(key.to_bytes(32, "big")).address
