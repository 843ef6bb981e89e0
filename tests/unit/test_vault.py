"""The vault file: sealing, wrong passphrases, and every way a file can be damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keystore import vault
from keystore.errors import VaultUnreadable, WrongPassphrase
from keystore.kdf import Argon2idParams
from keystore.secret import Mnemonic, PrivateKey

FAST = Argon2idParams(memory_kib=8192, iterations=1, lanes=1)
PHRASE = "test test test test test test test test test test test junk"
WHERE = Path("/some/home/wallets/x/vault.json")


ANVIL_PHRASE = Mnemonic(PHRASE, "")


def sealed_bytes(secret: Mnemonic | PrivateKey = ANVIL_PHRASE) -> bytes:
    return vault.seal(secret, "pw", name="x", created_at="2026-01-01", kdf=FAST).to_bytes()


def test_round_trip_mnemonic_and_key() -> None:
    opened = vault.unseal(vault.parse(sealed_bytes(), WHERE), "pw")
    assert isinstance(opened, Mnemonic)
    assert opened.reveal_phrase() == PHRASE
    key = PrivateKey(bytes(range(32)))
    opened_key = vault.unseal(vault.parse(sealed_bytes(key), WHERE), "pw")
    assert isinstance(opened_key, PrivateKey)
    assert opened_key.reveal() == key.reveal()


def test_fresh_salt_and_nonce_on_every_seal() -> None:
    a, b = json.loads(sealed_bytes()), json.loads(sealed_bytes())
    assert a["header"]["kdf"]["salt"] != b["header"]["kdf"]["salt"]
    assert a["header"]["cipher"]["nonce"] != b["header"]["cipher"]["nonce"]
    assert a["ciphertext"] != b["ciphertext"]


def test_secret_is_not_in_the_file() -> None:
    data = sealed_bytes()
    assert b"test test" not in data
    assert b"junk" not in data


def test_wrong_passphrase() -> None:
    with pytest.raises(WrongPassphrase):
        vault.unseal(vault.parse(sealed_bytes(), WHERE), "PW")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h: h.update(name="y"),
        lambda h: h.update(created_at="2020-01-01"),
        lambda h: h.update(kind="key"),
        lambda h: h["kdf"].update(iterations=2),
        lambda h: h["kdf"].update(memory_kib=16384),
    ],
)
def test_tampered_header_fails_like_a_wrong_passphrase(tamper: object) -> None:
    document = json.loads(sealed_bytes())
    tamper(document["header"])  # type: ignore[operator]
    with pytest.raises(WrongPassphrase):
        vault.unseal(vault.parse(json.dumps(document).encode(), WHERE), "pw")


def test_tampered_ciphertext() -> None:
    document = json.loads(sealed_bytes())
    raw = bytearray(__import__("base64").b64decode(document["ciphertext"]))
    raw[0] ^= 1
    document["ciphertext"] = __import__("base64").b64encode(bytes(raw)).decode()
    with pytest.raises(WrongPassphrase):
        vault.unseal(vault.parse(json.dumps(document).encode(), WHERE), "pw")


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"{", b"null", b"[]", b'{"header": {}}', b"\xff\xfe garbage"],
)
def test_unreadable_files_name_the_file(data: bytes) -> None:
    with pytest.raises(VaultUnreadable) as caught:
        vault.parse(data, WHERE)
    assert str(WHERE) in caught.value.message


def test_truncated_file() -> None:
    data = sealed_bytes()
    for cut in (1, len(data) // 3, len(data) // 2, len(data) - 3):
        with pytest.raises(VaultUnreadable, match=r"vault\.json"):
            vault.parse(data[:cut], WHERE)


def test_unknown_version_is_refused() -> None:
    document = json.loads(sealed_bytes())
    document["header"]["version"] = 2
    with pytest.raises(VaultUnreadable, match="version 2"):
        vault.parse(json.dumps(document).encode(), WHERE)


@pytest.mark.parametrize(
    "params",
    [
        {"memory_kib": 1 << 40},
        {"iterations": 10**6},
        {"lanes": 0},
        {"salt": "AAAA"},
        {"name": "scrypt"},
        {"iterations": True},
    ],
)
def test_hostile_kdf_parameters_are_refused_before_work(params: dict[str, object]) -> None:
    document = json.loads(sealed_bytes())
    document["header"]["kdf"].update(params)
    with pytest.raises(VaultUnreadable):
        vault.parse(json.dumps(document).encode(), WHERE)
