"""Vault kinds: a sealed header says which kind of secret it holds (mnemonic, secp256k1 key,
ed25519 Solana key), the kind is authenticated, and vaults written before "sol-key" existed
read exactly as before."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from keystore import vault
from keystore.errors import VaultUnreadable, WrongPassphrase
from keystore.kdf import Argon2idParams
from keystore.secret import Ed25519Key, Mnemonic, PrivateKey

FAST = Argon2idParams(memory_kib=8192, iterations=1, lanes=1)
WHERE = Path("/some/home/wallets/old/vault.json")
PHRASE = "test test test test test test test test test test test junk"

# Sealed (passphrase "pw") by the vault code before the "sol-key" kind was added.
OLD_MNEMONIC_VAULT = (
    '{"ciphertext":"LeLqOTV+7exle3sPvU9Y4ruT7q1EngSMVuxz5CffOwxT3Im6UW+XkTCAA4W3UBQotXltP1W1A7Vf'
    'So40IlFIKyzSHxFXAWQEC8bxZGOpllwl5VGrc6BuxqfGoahHt2ky7qa33kFRqR1LZiGJB4yifw==","header":{"'
    'cipher":{"name":"aes-256-gcm","nonce":"pbhxyVpzbQUmU2p9"},"created_at":"2026-01-01T00:00:0'
    '0+00:00","format":"wallet-vault","kdf":{"iterations":1,"lanes":1,"memory_kib":8192,"name"'
    ':"argon2id","salt":"aTe1CwTSB+7EGbBt9aVZCA=="},"kind":"mnemonic","name":"old","version":1}}'
)
OLD_KEY_VAULT = (
    '{"ciphertext":"dddSug3a9ninmop1TWnTqozP4OiN5eLBj0delAHy4NSe+Na+yWOHaHetAAD1IHMcGGc7SXT8mWuR'
    'waeIURHSOk9vdFsSKIaX1RIjwXe0GPiL0wXVjLMdusbJg24bbA3KAws=","header":{"cipher":{"name":"aes-'
    '256-gcm","nonce":"n/NxyH95LOpXE/3w"},"created_at":"2026-01-01T00:00:00+00:00","format":"wa'
    'llet-vault","kdf":{"iterations":1,"lanes":1,"memory_kib":8192,"name":"argon2id","salt":"Qz'
    'IuNeo3vj26iNU8u76Nmw=="},"kind":"key","name":"old","version":1}}'
)


def sealed(secret: vault.Secret) -> bytes:
    return vault.seal(secret, "pw", name="x", created_at="2026-01-01", kdf=FAST).to_bytes()


def test_old_vaults_read_as_before() -> None:
    phrase = vault.unseal(vault.parse(OLD_MNEMONIC_VAULT.encode(), WHERE), "pw")
    assert isinstance(phrase, Mnemonic)
    assert phrase.reveal_phrase() == PHRASE
    key = vault.unseal(vault.parse(OLD_KEY_VAULT.encode(), WHERE), "pw")
    assert type(key) is PrivateKey  # a secp256k1 key, never taken for an ed25519 one
    assert key.reveal() == bytes(range(32))


def test_sol_key_round_trip_keeps_its_kind() -> None:
    key = Ed25519Key(bytes(range(100, 132)))
    data = sealed(key)
    assert json.loads(data)["header"]["kind"] == "sol-key"
    assert bytes(range(100, 132)).hex().encode() not in data
    opened = vault.unseal(vault.parse(data, WHERE), "pw")
    assert type(opened) is Ed25519Key
    assert opened.reveal() == key.reveal()
    assert json.loads(sealed(PrivateKey(bytes(32))))["header"]["kind"] == "key"
    assert json.loads(sealed(Mnemonic(PHRASE)))["header"]["kind"] == "mnemonic"


@pytest.mark.parametrize(
    ("secret", "forged"),
    [
        (Ed25519Key(bytes(range(32))), "key"),
        (PrivateKey(bytes(range(32))), "sol-key"),
        (Mnemonic(PHRASE), "sol-key"),
    ],
)
def test_kind_cannot_be_changed_without_the_passphrase(secret: vault.Secret, forged: str) -> None:
    document = json.loads(sealed(secret))
    document["header"]["kind"] = forged
    with pytest.raises(WrongPassphrase):
        vault.unseal(vault.parse(json.dumps(document).encode(), WHERE), "pw")


def test_an_unknown_kind_is_refused_before_any_work() -> None:
    document = json.loads(OLD_KEY_VAULT)
    document["header"]["kind"] = "btc-key"
    with pytest.raises(VaultUnreadable, match="unknown kind"):
        vault.parse(json.dumps(document).encode(), WHERE)


def test_old_vault_file_is_untouched_by_parsing() -> None:
    parsed = vault.parse(OLD_KEY_VAULT.encode(), WHERE)
    document = json.loads(OLD_KEY_VAULT)
    assert parsed.header.to_json() == document["header"]
    assert base64.b64encode(parsed.ciphertext).decode() == document["ciphertext"]
