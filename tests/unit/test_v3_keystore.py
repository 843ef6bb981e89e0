"""Web3 Secret Storage v3: the spec's and ethereum/tests' vectors, plus bad files.

Round trips are checked against eth-account, an independent implementation that geth-style
tools share, so "a v3 file those tools read" is tested, not assumed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from keystore import v3
from keystore.errors import InvalidKeyfile, KeyfileMacMismatch
from keystore.secret import PrivateKey
from tests.conftest import load_vectors

DATA = load_vectors("web3_secret_storage_v3.json")
LIGHT = v3.ScryptCost(n=1 << 12, r=8, p=1)


@pytest.mark.parametrize("vector", DATA["vectors"], ids=lambda v: v["name"])
def test_published_vectors_decrypt(vector: dict[str, Any]) -> None:
    key = v3.decrypt(json.dumps(vector["json"]), vector["password"])
    assert key.reveal().hex() == vector["priv"]


def test_vectors_cover_both_kdfs() -> None:
    kdfs = {v["json"].get("crypto", v["json"].get("Crypto"))["kdf"] for v in DATA["vectors"]}
    assert kdfs == {"scrypt", "pbkdf2"}


@pytest.mark.parametrize("vector", DATA["nonstandard_vectors"], ids=lambda v: v["name"])
def test_nonstandard_published_vector_fails_its_mac(vector: dict[str, Any]) -> None:
    # ethereum.org's scrypt example only verifies if its hex salt is hashed as text; a
    # compliant reader (ours, eth-account) must reject it rather than guess.
    with pytest.raises(KeyfileMacMismatch):
        v3.decrypt(json.dumps(vector["json"]), vector["password"])


def test_wrong_password_is_a_mac_mismatch() -> None:
    vector = DATA["vectors"][0]
    with pytest.raises(KeyfileMacMismatch):
        v3.decrypt(json.dumps(vector["json"]), vector["password"] + "x")


def test_altered_ciphertext_is_a_mac_mismatch() -> None:
    document = json.loads(json.dumps(DATA["vectors"][0]["json"]))
    crypto = document["crypto"]
    crypto["ciphertext"] = ("0" if crypto["ciphertext"][0] != "0" else "1") + crypto["ciphertext"][
        1:
    ]
    with pytest.raises(KeyfileMacMismatch):
        v3.decrypt(json.dumps(document), DATA["vectors"][0]["password"])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["crypto"].update(kdf="argon2"), "KDF 'argon2'"),
        (lambda d: d["crypto"].update(cipher="aes-256-cbc"), "cipher"),
        (lambda d: d.update(version=2), "version 2"),
        (lambda d: d["crypto"].pop("mac"), "missing fields"),
        (lambda d: d["crypto"]["kdfparams"].update(c=10**9), "round count"),
        (lambda d: d["crypto"]["kdfparams"].update(prf="hmac-sha512"), "PRF"),
    ],
)
def test_unreadable_files(mutate: Any, message: str) -> None:
    document = json.loads(json.dumps(DATA["vectors"][0]["json"]))
    mutate(document)
    with pytest.raises(InvalidKeyfile, match=message):
        v3.decrypt(json.dumps(document), DATA["vectors"][0]["password"])


def test_hostile_scrypt_cost_is_refused_before_work() -> None:
    document = {
        "version": 3,
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": "00" * 16},
            "ciphertext": "00" * 32,
            "kdf": "scrypt",
            "kdfparams": {"dklen": 32, "n": 1 << 30, "r": 8, "p": 1, "salt": "00" * 32},
            "mac": "00" * 32,
        },
    }
    with pytest.raises(InvalidKeyfile, match="scrypt parameters"):
        v3.decrypt(json.dumps(document), "pw")


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"version": 3}'])
def test_malformed_json(text: str) -> None:
    with pytest.raises(InvalidKeyfile):
        v3.decrypt(text, "pw")


def test_export_is_read_by_eth_account() -> None:
    from eth_account import Account

    key = PrivateKey(bytes.fromhex(DATA["vectors"][0]["priv"]))
    address = Account.from_key(key.reveal()).address
    document = v3.encrypt(key, "s3cret", address, LIGHT)
    assert document["address"] == address[2:].lower()
    assert bytes(Account.decrypt(document, "s3cret")) == key.reveal()
    assert v3.decrypt(json.dumps(document), "s3cret").reveal() == key.reveal()


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_reads_what_eth_account_writes(kdf: str) -> None:
    from eth_account import Account

    secret = bytes(range(1, 33))
    document = Account.encrypt(secret, "pw", kdf=kdf, iterations=2 if kdf == "pbkdf2" else 2**10)
    assert v3.decrypt(json.dumps(document), "pw").reveal() == secret


# --- geth's short-key and empty-password vectors (tests/vectors/geth_keystore.json) ---------

GETH = {v["name"]: v for v in load_vectors("geth_keystore.json")["vectors"]}


@pytest.mark.parametrize("name", ["31_byte_key", "30_byte_key"])
def test_geth_short_keys_are_left_padded(name: str) -> None:
    from eth_account import Account

    from chains.registry import adapter_for

    vector = GETH[name]
    assert len(vector["priv"]) // 2 == int(name[:2])
    key = v3.decrypt(json.dumps(vector["json"]), vector["password"])
    assert key.reveal() == bytes.fromhex(vector["priv"]).rjust(32, b"\x00")
    padded = Account.from_key(bytes.fromhex(vector["priv"].rjust(64, "0")))
    assert adapter_for("evm").address_of_key(key) == padded.address


def test_geth_very_light_scrypt_has_the_empty_password() -> None:
    from chains.registry import adapter_for

    vector = GETH["very_light_scrypt"]
    key = v3.decrypt(json.dumps(vector["json"]), "")
    assert adapter_for("evm").address_of_key(key).lower() == vector["address"]
    with pytest.raises(KeyfileMacMismatch):
        v3.decrypt(json.dumps(vector["json"]), "bad")


def _sealed(plaintext: bytes, password: str) -> str:
    """A v3 document holding `plaintext` (any length), at geth's lightest test cost."""
    params = {"dklen": 32, "n": 2, "r": 8, "p": 1, "salt": "11" * 32}
    derived = v3._derive("scrypt", params, password)
    iv = bytes(16)
    ciphertext = v3._aes_ctr(derived[:16], iv, plaintext)
    crypto = {
        "cipher": "aes-128-ctr",
        "cipherparams": {"iv": iv.hex()},
        "ciphertext": ciphertext.hex(),
        "kdf": "scrypt",
        "kdfparams": params,
        "mac": v3.keccak256(derived[16:32] + ciphertext).hex(),
    }
    return json.dumps({"crypto": crypto, "version": 3})


@pytest.mark.parametrize("size", [0, 1, 23, 33, 64])
def test_key_lengths_outside_24_to_32_bytes_are_refused(size: int) -> None:
    with pytest.raises(InvalidKeyfile, match=f"holds {size} bytes"):
        v3.decrypt(_sealed(b"\x01" * size, "pw"), "pw")


def test_a_24_byte_key_is_left_padded() -> None:
    assert v3.decrypt(_sealed(b"\x07" * 24, "pw"), "pw").reveal() == bytes(8) + b"\x07" * 24
