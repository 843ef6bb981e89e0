"""The encrypted wallet file (format in docs/formats.md).

AES-256-GCM under an Argon2id key; the whole header (format, version, KDF parameters,
nonce, wallet name, kind, creation time) is the associated data, so changing any of it
fails exactly like a wrong passphrase. A fresh salt and nonce are drawn on every seal.
Parsing checks the shape before any KDF work and names the file when it cannot read it.
The plaintext may also hold the second factor's TOTP secret (`totp`); a vault without it
reads as before, and a vault with it is the same version (the header does not change).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from keystore.errors import VaultUnreadable, WrongPassphrase
from keystore.files import load_json
from keystore.kdf import Argon2idParams, derive_key
from keystore.secret import Ed25519Key, Mnemonic, PrivateKey

FORMAT = "wallet-vault"
VERSION = 1
NONCE_LENGTH = 12

# "key" is one secp256k1 key (an EVM account), "sol-key" one ed25519 key (a Solana account).
VaultKind = Literal["mnemonic", "key", "sol-key"]
KINDS: tuple[VaultKind, ...] = ("mnemonic", "key", "sol-key")


@dataclass(frozen=True)
class VaultHeader:
    name: str
    kind: VaultKind
    created_at: str
    kdf: Argon2idParams
    nonce: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "kind": self.kind,
            "created_at": self.created_at,
            "kdf": self.kdf.to_json(),
            "cipher": {"name": "aes-256-gcm", "nonce": _b64(self.nonce)},
        }

    def associated_data(self) -> bytes:
        return _canonical(self.to_json())


@dataclass(frozen=True)
class SealedVault:
    header: VaultHeader
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        document = {"header": self.header.to_json(), "ciphertext": _b64(self.ciphertext)}
        return json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"


Secret = Mnemonic | PrivateKey


@dataclass(frozen=True)
class Unsealed:
    """What a vault holds: the wallet's secret and, if enrolled, the TOTP secret (base32)."""

    secret: Secret
    totp: str | None = field(default=None, repr=False)


def kind_of(secret: Secret) -> VaultKind:
    if isinstance(secret, Mnemonic):
        return "mnemonic"
    return "sol-key" if isinstance(secret, Ed25519Key) else "key"


def seal(
    secret: Secret,
    passphrase: str,
    *,
    name: str,
    created_at: str,
    kdf: Argon2idParams | None = None,
    totp: str | None = None,
) -> SealedVault:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    params = (kdf or Argon2idParams()).with_fresh_salt()
    header = VaultHeader(name, kind_of(secret), created_at, params, os.urandom(NONCE_LENGTH))
    key = derive_key(passphrase, params)
    plaintext = _encode_secret(secret, totp)
    ciphertext = AESGCM(key).encrypt(header.nonce, plaintext, header.associated_data())
    return SealedVault(header, ciphertext)


def unseal(vault: SealedVault, passphrase: str) -> Secret:
    return unseal_all(vault, passphrase).secret


def unseal_all(vault: SealedVault, passphrase: str) -> Unsealed:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = vault.header
    key = derive_key(passphrase, header.kdf)
    try:
        plaintext = AESGCM(key).decrypt(header.nonce, vault.ciphertext, header.associated_data())
    except InvalidTag:
        raise WrongPassphrase(
            f"wrong passphrase for wallet '{header.name}' (or its vault file was altered)"
        ) from None
    return _decode_secret(plaintext, header.kind)


def parse(data: bytes, path: Path) -> SealedVault:
    """Read a vault file's bytes without the passphrase; refuse anything not exactly ours."""
    where = str(path)
    if not data.strip():
        raise VaultUnreadable(f"vault file {where} is empty")
    try:
        document = load_json(data)
        raw_header = document["header"]
        if raw_header.get("format") != FORMAT:
            raise VaultUnreadable(f"{where} is not a wallet vault file")
        if raw_header.get("version") != VERSION:
            raise VaultUnreadable(
                f"vault file {where} has version {raw_header.get('version')!r}; "
                f"this wallet reads version {VERSION} only"
            )
        cipher = raw_header["cipher"]
        if cipher.get("name") != "aes-256-gcm":
            raise VaultUnreadable(f"vault file {where} uses an unknown cipher")
        kind = raw_header["kind"]
        if kind not in KINDS:
            raise VaultUnreadable(f"vault file {where} holds an unknown kind of secret")
        header = VaultHeader(
            name=_str(raw_header["name"]),
            kind=kind,
            created_at=_str(raw_header["created_at"]),
            kdf=Argon2idParams.from_json(raw_header["kdf"]),
            nonce=base64.b64decode(cipher["nonce"], validate=True),
        )
        ciphertext = base64.b64decode(document["ciphertext"], validate=True)
    except VaultUnreadable as exc:
        if where in exc.message:
            raise
        raise VaultUnreadable(f"vault file {where}: {exc.message}") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise VaultUnreadable(
            f"vault file {where} is truncated or malformed; it was left as it is"
        ) from None
    if len(header.nonce) != NONCE_LENGTH or len(ciphertext) < 16:
        raise VaultUnreadable(f"vault file {where} is truncated or malformed")
    return SealedVault(header, ciphertext)


def _encode_secret(secret: Secret, totp: str | None) -> bytes:
    body: dict[str, str]
    if isinstance(secret, Mnemonic):
        body = {
            "mnemonic": secret.reveal_phrase(),
            "bip39_passphrase": secret.reveal_passphrase(),
        }
    else:
        body = {"private_key": secret.reveal().hex()}
    if totp is not None:
        body["totp"] = totp
    return _canonical(body)


def _decode_secret(plaintext: bytes, kind: VaultKind) -> Unsealed:
    body = json.loads(plaintext)
    totp = body.get("totp")
    totp = totp if isinstance(totp, str) else None
    if kind == "mnemonic":
        return Unsealed(Mnemonic(body["mnemonic"], body["bip39_passphrase"]), totp)
    raw = bytes.fromhex(body["private_key"])
    return Unsealed(Ed25519Key(raw) if kind == "sol-key" else PrivateKey(raw), totp)


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value
