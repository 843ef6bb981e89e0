"""Web3 Secret Storage v3 key files, as written by geth, `cast wallet` and MetaMask.

Spec: https://ethereum.org/en/developers/docs/data-structures-and-encoding/web3-secret-storage/
AES-128-CTR under scrypt or PBKDF2-HMAC-SHA256, MAC = keccak256(dk[16:32] || ciphertext).
The MAC is checked before decrypting. KDF costs from the file are bounded, in memory and in
time, so a hostile file cannot make us allocate gigabytes or run for hours (see `_derive`).
The optional `address` field is the caller's business:
this module knows no chain, so export takes the address text from the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass
from typing import Any

from keystore.errors import InvalidKeyfile, KeyfileMacMismatch
from keystore.files import JsonRejected, load_json
from keystore.secret import PrivateKey

# geth's "standard" scrypt cost, what `geth account new` and `cast wallet new` write.
EXPORT_SCRYPT_N = 1 << 18
EXPORT_SCRYPT_R = 8
EXPORT_SCRYPT_P = 1

# What real tools write: geth "standard" n=2^18 r=8 p=1 (also MetaMask, cast, eth-account),
# geth "light" n=2^12 r=8 p=6, the spec's own vectors n=2^18 r=1 p=8, MyCrypto n=2^13 r=8 p=1;
# PBKDF2 c=262,144 (geth's fixtures) to 1,000,000 (eth-account's default). The caps leave a
# margin of 4 over the costliest of these; at the caps a file takes about 4 s (scrypt) or
# 1 s (PBKDF2) on the project's 2-core machines, and anything beyond is refused at once.
MAX_SCRYPT_N = 1 << 20
MAX_SCRYPT_R = 32
MAX_SCRYPT_P = 16
MAX_SCRYPT_WORK = 1 << 23  # n * r * p, 4 times geth's standard
MAX_SCRYPT_MEMORY = 1 << 30  # 128 * r * n bytes
MAX_PBKDF2_ROUNDS = 4_000_000
MIN_DKLEN, MAX_DKLEN = 32, 64
# A key shorter than 32 bytes is left-padded; below 24 bytes (what k256, cast's curve library,
# accepts) the file is refused: 8 leading zero bytes do not happen by chance.
MIN_KEY_BYTES = 24
MAX_SALT_BYTES = 1024


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
        keyfile = load_json(document)
    except JsonRejected as exc:
        raise InvalidKeyfile(f"the keystore file is {exc}") from None
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
    if not MIN_KEY_BYTES <= len(secret) <= 32:
        raise InvalidKeyfile(
            f"the keystore file holds {len(secret)} bytes, not a private key "
            f"({MIN_KEY_BYTES} to 32 bytes)"
        )
    # Some tools wrote keys with their leading zero bytes dropped (geth's `31_byte_key` and
    # `30_byte_key` vectors); geth before 1.12 and cast read them as the same number, i.e.
    # left-padded with zeros.
    return PrivateKey(secret.rjust(32, b"\x00"))


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
    """Every cost is checked before any KDF work, so a refusal is instant."""
    secret = password.encode("utf-8")
    salt = bytes.fromhex(params["salt"])
    dklen = _whole(params["dklen"])
    if not MIN_DKLEN <= dklen <= MAX_DKLEN or len(salt) > MAX_SALT_BYTES:
        raise InvalidKeyfile("the keystore file's dklen or salt length is out of range")
    if kdf == "scrypt":
        n, r, p = _whole(params["n"]), _whole(params["r"]), _whole(params["p"])
        check_scrypt(n, r, p)
        # pycryptodome, not hashlib: OpenSSL refuses N >= 2^(16r) (e.g. n=2^18 with r=1),
        # which published files and the spec's own vector use.
        from Crypto.Protocol.KDF import scrypt

        derived = scrypt(secret, salt, dklen, N=n, r=r, p=p)  # type: ignore[arg-type]
        assert isinstance(derived, bytes)
        return derived
    if kdf == "pbkdf2":
        if params.get("prf") != "hmac-sha256":
            raise InvalidKeyfile(f"keystore PBKDF2 PRF {params.get('prf')!r} is not supported")
        rounds = _whole(params["c"])
        check_pbkdf2(rounds)
        return hashlib.pbkdf2_hmac("sha256", secret, salt, rounds, dklen)
    raise InvalidKeyfile(f"keystore KDF {kdf!r} is not supported (scrypt or pbkdf2)")


def check_scrypt(n: int, r: int, p: int) -> None:
    """Refuse an scrypt cost outside what real tools write (with a margin), before work."""
    if (
        not 2 <= n <= MAX_SCRYPT_N
        or n & (n - 1)
        or not 1 <= r <= MAX_SCRYPT_R
        or not 1 <= p <= MAX_SCRYPT_P
        or n * r * p > MAX_SCRYPT_WORK
        or 128 * r * n > MAX_SCRYPT_MEMORY
    ):
        raise InvalidKeyfile(
            "the keystore file's scrypt parameters are out of range (n a power of 2 up to "
            f"2^20, r up to {MAX_SCRYPT_R}, p up to {MAX_SCRYPT_P}, n*r*p up to 2^23, "
            "memory up to 1 GiB)"
        )


def check_pbkdf2(rounds: int) -> None:
    if not 1 <= rounds <= MAX_PBKDF2_ROUNDS:
        raise InvalidKeyfile(
            f"the keystore file's PBKDF2 round count is out of range (1 to {MAX_PBKDF2_ROUNDS:,})"
        )


def _whole(value: object) -> int:
    """JSON numbers only: `true`, `1.5` or `"262144"` are malformed, not coerced."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not a whole number")
    return value


def _aes_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()
