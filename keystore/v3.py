"""Web3 Secret Storage v3 key files, as written by geth, `cast wallet` and MetaMask.

Spec: https://ethereum.org/en/developers/docs/data-structures-and-encoding/web3-secret-storage/
AES-128-CTR under scrypt or PBKDF2-HMAC-SHA256, MAC = keccak256(dk[16:32] || ciphertext).
The MAC is checked before decrypting. KDF costs from the file are bounded so a hostile file
cannot make us allocate gigabytes. The optional `address` field is the caller's business:
this module knows no chain, so export takes the address text from the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from keystore.errors import InvalidKeyfile, KeyfileMacMismatch
from keystore.secret import PrivateKey

# geth's "standard" scrypt cost, what `geth account new` and `cast wallet new` write.
EXPORT_SCRYPT_N = 1 << 18
EXPORT_SCRYPT_R = 8
EXPORT_SCRYPT_P = 1

_MAX_SCRYPT_MEMORY = 1 << 30
_MAX_PBKDF2_ROUNDS = 10_000_000


@dataclass(frozen=True)
class ScryptCost:
    n: int = EXPORT_SCRYPT_N
    r: int = EXPORT_SCRYPT_R
    p: int = EXPORT_SCRYPT_P


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak

    return bytes(keccak.new(data=data, digest_bits=256).digest())


def decrypt(document: bytes | str, password: str) -> PrivateKey:
    try:
        keyfile = json.loads(document)
    except (ValueError, UnicodeDecodeError):
        raise InvalidKeyfile("the keystore file is not valid JSON") from None
    if not isinstance(keyfile, dict):
        raise InvalidKeyfile("the keystore file is not a JSON object")
    if keyfile.get("version") != 3:
        raise InvalidKeyfile(
            f"keystore version {keyfile.get('version')!r} is not supported (only version 3)"
        )
    crypto: Any = keyfile.get("crypto", keyfile.get("Crypto"))
    try:
        cipher = crypto["cipher"]
        if cipher != "aes-128-ctr":
            raise InvalidKeyfile(f"keystore cipher {cipher!r} is not supported (aes-128-ctr)")
        iv = bytes.fromhex(crypto["cipherparams"]["iv"])
        ciphertext = bytes.fromhex(crypto["ciphertext"])
        mac = bytes.fromhex(crypto["mac"])
        derived = _derive(crypto["kdf"], crypto["kdfparams"], password)
    except InvalidKeyfile:
        raise
    except (KeyError, TypeError, ValueError):
        raise InvalidKeyfile("the keystore file is missing fields or has malformed ones") from None
    if len(iv) != 16 or len(derived) < 32:
        raise InvalidKeyfile("the keystore file's IV or derived key length is wrong")
    if not hmac.compare_digest(keccak256(derived[16:32] + ciphertext), mac):
        raise KeyfileMacMismatch(
            "the keystore file's MAC does not match: wrong keystore passphrase, or the file "
            "was altered"
        )
    secret = _aes_ctr(derived[:16], iv, ciphertext)
    if len(secret) != 32:
        raise InvalidKeyfile("the keystore file does not hold a 32-byte private key")
    return PrivateKey(secret)


def encrypt(
    key: PrivateKey, password: str, address_hex: str, cost: ScryptCost | None = None
) -> dict[str, Any]:
    """A v3 document; `address_hex` is the 40 hex characters, as geth writes them."""
    cost = cost or ScryptCost()
    salt = os.urandom(32)
    iv = os.urandom(16)
    params = {"dklen": 32, "n": cost.n, "r": cost.r, "p": cost.p, "salt": salt.hex()}
    derived = _derive("scrypt", params, password)
    ciphertext = _aes_ctr(derived[:16], iv, key.reveal())
    return {
        "address": address_hex.lower().removeprefix("0x"),
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": iv.hex()},
            "ciphertext": ciphertext.hex(),
            "kdf": "scrypt",
            "kdfparams": params,
            "mac": keccak256(derived[16:32] + ciphertext).hex(),
        },
        "id": str(uuid.uuid4()),
        "version": 3,
    }


def _derive(kdf: str, params: dict[str, Any], password: str) -> bytes:
    secret = password.encode("utf-8")
    salt = bytes.fromhex(params["salt"])
    dklen = int(params["dklen"])
    if not 32 <= dklen <= 64:
        raise InvalidKeyfile("the keystore file's dklen is out of range")
    if kdf == "scrypt":
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        memory = 128 * r * n + 128 * r * p
        if n < 2 or n & (n - 1) or r < 1 or p < 1 or memory > _MAX_SCRYPT_MEMORY:
            raise InvalidKeyfile("the keystore file's scrypt parameters are out of range")
        # pycryptodome, not hashlib: OpenSSL refuses N >= 2^(16r) (e.g. n=2^18 with r=1),
        # which published files and the spec's own vector use.
        from Crypto.Protocol.KDF import scrypt

        derived = scrypt(secret, salt, dklen, N=n, r=r, p=p)  # type: ignore[arg-type]
        assert isinstance(derived, bytes)
        return derived
    if kdf == "pbkdf2":
        if params.get("prf") != "hmac-sha256":
            raise InvalidKeyfile(f"keystore PBKDF2 PRF {params.get('prf')!r} is not supported")
        rounds = int(params["c"])
        if not 1 <= rounds <= _MAX_PBKDF2_ROUNDS:
            raise InvalidKeyfile("the keystore file's PBKDF2 round count is out of range")
        return hashlib.pbkdf2_hmac("sha256", secret, salt, rounds, dklen)
    raise InvalidKeyfile(f"keystore KDF {kdf!r} is not supported (scrypt or pbkdf2)")


def _aes_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()
