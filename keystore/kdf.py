"""Argon2id parameters for sealing the vault (RFC 9106), stored in each file.

Argon2id is memory-hard and is RFC 9106's first recommendation; scrypt would also do, but
Argon2id's cost has separate knobs for memory and time and resists side channels better.
The parameters travel inside the vault header, so a later version can raise them for new
writes while old files still open. Bounds refuse absurd values from a tampered header
before any work is done (a header asking for 1 TiB of memory must not hang the machine).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Any

from keystore.errors import VaultUnreadable

KEY_LENGTH = 32
SALT_LENGTH = 16

# Tuned on the project's 2-core machines to about 0.6 s per unlock (docs/BENCHMARKS.md).
DEFAULT_MEMORY_KIB = 256 * 1024
DEFAULT_ITERATIONS = 3
DEFAULT_LANES = 4

_MAX_MEMORY_KIB = 4 * 1024 * 1024
_MAX_ITERATIONS = 64
_MAX_LANES = 64


@dataclass(frozen=True)
class Argon2idParams:
    memory_kib: int = DEFAULT_MEMORY_KIB
    iterations: int = DEFAULT_ITERATIONS
    lanes: int = DEFAULT_LANES
    salt: bytes = b""

    def with_fresh_salt(self) -> Argon2idParams:
        return Argon2idParams(self.memory_kib, self.iterations, self.lanes, os.urandom(SALT_LENGTH))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": "argon2id",
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
            "salt": base64.b64encode(self.salt).decode(),
        }

    @classmethod
    def from_json(cls, data: object) -> Argon2idParams:
        if not isinstance(data, dict) or data.get("name") != "argon2id":
            raise VaultUnreadable("unknown key derivation function in the vault header")
        try:
            params = cls(
                memory_kib=_bounded_int(data["memory_kib"], 8, _MAX_MEMORY_KIB),
                iterations=_bounded_int(data["iterations"], 1, _MAX_ITERATIONS),
                lanes=_bounded_int(data["lanes"], 1, _MAX_LANES),
                salt=base64.b64decode(data["salt"], validate=True),
            )
        except (KeyError, ValueError, TypeError):
            raise VaultUnreadable("the vault header's KDF parameters are malformed") from None
        if len(params.salt) < SALT_LENGTH or params.memory_kib < 8 * params.lanes:
            raise VaultUnreadable("the vault header's KDF parameters are out of range")
        return params


def _bounded_int(value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError("out of range")
    return value


def derive_key(passphrase: str, params: Argon2idParams) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    kdf = Argon2id(
        salt=params.salt,
        length=KEY_LENGTH,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))
