"""PSBT formats beyond BIP-174's own vectors: BIP-370 (version 2, and version-0 PSBTs that
carry version-2-only fields) and BIP-371 (taproot fields), from the BIPs' test vectors in
tests/vectors/bip370.json and bip371.json; the binary file form; previous transactions that
do not fit their input."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from chains.btc import psbt_map
from chains.btc.keys import public_accounts
from chains.btc.networks import bitcoin_network
from chains.btc.psbt import InvalidPsbt, load, raw_bytes, summarize, watch_wallet
from chains.btc.psbt_inputs import inputs_of
from keystore.mnemonic import parse, to_seed
from tests.conftest import load_vectors

BIP370 = load_vectors("bip370.json")
BIP371 = load_vectors("bip371.json")
BIP174 = load_vectors("bip174.json")
V0_WITH_V2_FIELDS = [c for c in BIP370["invalid"] if c["description"].startswith("PSBTv0")]
BROKEN_V2 = [c for c in BIP370["invalid"] if c["description"].startswith("PSBTv2")]
MAINNET = bitcoin_network("bitcoin")


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["description"][:70] for c in cases]


def test_the_bip370_invalid_vectors_split_as_the_bip_says() -> None:
    assert len(V0_WITH_V2_FIELDS) == 13
    assert len(BROKEN_V2) == 11


@pytest.mark.parametrize("case", V0_WITH_V2_FIELDS, ids=_ids(V0_WITH_V2_FIELDS))
def test_version_0_with_version_2_fields_is_refused(case: dict[str, str]) -> None:
    with pytest.raises(InvalidPsbt) as caught:
        load(case["base64"])
    field = case["description"].split("with ", 1)[1].split()[0].rstrip(".")
    if field == "PSBT_GLOBAL_VERSION":  # the version field says 2: refused as version 2
        assert "version 2" in caught.value.message
    else:
        assert field in caught.value.message
        assert "version-0" in caught.value.message


@pytest.mark.parametrize(
    "case",
    BROKEN_V2 + BIP370["valid"] + BIP370["locktime"],
    ids=_ids(BROKEN_V2 + BIP370["valid"] + BIP370["locktime"]),
)
def test_version_2_psbts_are_refused_as_unsupported(case: dict[str, str]) -> None:
    # bdkpython 3.1 reads version 0 only; the refusal says so instead of "malformed".
    with pytest.raises(InvalidPsbt, match=r"PSBT version 2 \(BIP-370\) is not supported"):
        load(case["base64"])


@pytest.mark.parametrize("case", BIP371["invalid"], ids=_ids(BIP371["invalid"]))
def test_bip371_invalid_vectors_are_refused(case: dict[str, str]) -> None:
    with pytest.raises(InvalidPsbt):
        load(case["base64"])


def _watch() -> Any:
    seed = to_seed(parse(load_vectors("bip84.json")["mnemonic"]))
    account = next(a for a in public_accounts(seed, 0) if a.key == "btc:bitcoin:wpkh")
    assert account.descriptors is not None
    return watch_wallet(account.descriptors, MAINNET)


@pytest.mark.parametrize("case", BIP371["valid"], ids=_ids(BIP371["valid"]))
def test_bip371_valid_vectors_are_explained(case: dict[str, str]) -> None:
    psbt = load(case["base64"])
    summary = summarize(psbt, _watch(), MAINNET)
    raw = psbt_map.parse(base64.b64decode(case["base64"]))
    assert [i["outpoint"] for i in summary.inputs] == [f"{i.txid}:{i.vout}" for i in raw.tx.inputs]
    assert all(i["sats"] == 5_000_000_000 for i in summary.inputs)  # every vector spends 50 BTC
    assert all(o.address.startswith("bc1") for o in summary.outputs)
    assert summary.fee == 5_000_000_000 - sum(o.sats for o in summary.outputs)
    signed = "signature" in case["description"]
    assert summary.signed_inputs == (1 if signed else 0)


def test_bip371_script_path_vectors_are_what_the_binding_cannot_read() -> None:
    # Why the maps are read by us: bdkpython's Psbt.input() fails on these two.
    script_path = [c for c in BIP371["valid"] if "script path only input" in c["description"]]
    assert len(script_path) == 2
    for case in script_path:
        with pytest.raises(TypeError):
            load(case["base64"]).input()


@pytest.mark.parametrize(
    "case",
    BIP174["valid"] + BIP174["fails_signer_checks"],
    ids=_ids(BIP174["valid"] + BIP174["fails_signer_checks"]),
)
def test_maps_round_trip_byte_for_byte(case: dict[str, str]) -> None:
    data = base64.b64decode(case["base64"])
    assert psbt_map.parse(data).serialize() == data


def test_binary_and_base64_forms_load_the_same_psbt() -> None:
    text = BIP371["valid"][0]["base64"]
    binary = base64.b64decode(text)
    assert binary.startswith(b"psbt\xff")
    assert load(binary).serialize() == load(text).serialize() == text
    assert raw_bytes(load(binary)) == binary
    assert load(text.encode() + b"\n").serialize() == text


# --- previous transactions (PSBT_IN_NON_WITNESS_UTXO) ---------------------------------------


def _previous(outputs: list[tuple[int, bytes]]) -> bytes:
    body = b"\x02\x00\x00\x00" + b"\x01" + b"\x33" * 32 + b"\x00" * 4 + b"\x00" + b"\xff" * 4
    body += bytes([len(outputs)])
    for sats, script in outputs:
        body += sats.to_bytes(8, "little") + bytes([len(script)]) + script
    return body + b"\x00" * 4


def _txid(tx: bytes) -> str:
    return hashlib.sha256(hashlib.sha256(tx).digest()).digest()[::-1].hex()


def _spending(previous: bytes, vout: int, witness: bytes | None = None) -> bytes:
    """A one-input, one-output PSBT spending `previous`:`vout`, with it as its
    non-witness UTXO (and `witness` as its witness UTXO, when given)."""
    spk = bytes.fromhex("0014" + "11" * 20)
    tx = b"\x02\x00\x00\x00\x01" + bytes.fromhex(_txid(previous))[::-1]
    tx += vout.to_bytes(4, "little") + b"\x00" + b"\xfd\xff\xff\xff"
    tx += b"\x01" + (1000).to_bytes(8, "little") + bytes([len(spk)]) + spk + b"\x00" * 4
    pairs = [(b"\x00", previous)] + ([(b"\x01", witness)] if witness else [])
    return psbt_map.RawPsbt(
        0, [(b"\x00", tx)], psbt_map.parse_transaction(tx, "tx"), [pairs], [[]]
    ).serialize()


SPK = bytes.fromhex("0014" + "22" * 20)


def test_non_witness_utxo_gives_the_amount() -> None:
    previous = _previous([(7_000, SPK), (50_000, SPK)])
    views = inputs_of(psbt_map.parse(_spending(previous, 1)))
    assert views[0].utxo == psbt_map.TxOut(50_000, SPK)
    assert views[0].source == "non_witness_utxo"
    load(_spending(previous, 1))


def test_non_witness_utxo_of_another_transaction_is_refused() -> None:
    previous = _previous([(50_000, SPK)])
    data = bytearray(_spending(previous, 0))
    at = data.index(previous) + len(previous) - 5  # the previous tx's last output amount
    data[at] ^= 1
    with pytest.raises(InvalidPsbt, match=r"input 0 \(.*\): its PSBT_IN_NON_WITNESS_UTXO is"):
        load(bytes(data))


def test_an_output_index_past_the_previous_transaction_is_refused() -> None:
    # bdk would abort the whole process here (index out of bounds in rust-bitcoin).
    with pytest.raises(InvalidPsbt, match="has 1 outputs, no output 3"):
        load(_spending(_previous([(50_000, SPK)]), 3))


def test_witness_and_non_witness_utxo_must_agree() -> None:
    previous = _previous([(50_000, SPK)])
    lying = (60_000).to_bytes(8, "little") + bytes([len(SPK)]) + SPK
    with pytest.raises(InvalidPsbt, match="disagree"):
        load(_spending(previous, 0, witness=lying))
    honest = (50_000).to_bytes(8, "little") + bytes([len(SPK)]) + SPK
    load(_spending(previous, 0, witness=honest))


@pytest.mark.parametrize(
    "data",
    [b"psbt\xff", b"psbt\xff\x01", b"psbt\xff\x01\x00", b"psbt\xff\x02\x00\x01\x00"],
    ids=["no-maps", "truncated-key", "no-unsigned-tx", "short-tx"],
)
def test_map_reader_refuses_truncation(data: bytes) -> None:
    with pytest.raises(InvalidPsbt):
        psbt_map.parse(data)
