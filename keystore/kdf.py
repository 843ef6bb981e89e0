"""Argon2id parameters for sealing the vault (RFC 9106), stored in each file.

Argon2id is memory-hard and is RFC 9106's first recommendation; scrypt would also do, but
Argon2id's cost has separate knobs for memory and time and resists side channels better.
The parameters travel inside the vault header, so a later version can raise them for new
writes while old files still open. Bounds refuse absurd values from a tampered header
before any work is done: they cap time as well as memory (a header asking for 4 GiB and 64
passes would run for minutes), at what real tools write with a margin. Bitwarden's clients
accept up to 1 GiB, 10 iterations, 16 lanes; our own default is 256 MiB, 3, 4. The work
cap (memory x iterations) is 8 times our default: 5 to 7 s on the project's 2-core
machines, against 0.5 s for the default.
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

MIN_MEMORY_KIB = 8  # Argon2's own floor (8 KiB per lane, checked below)
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB
MAX_ITERATIONS = 16
MAX_LANES = 16
MAX_WORK_KIB = 8 * DEFAULT_MEMORY_KIB * DEFAULT_ITERATIONS  # memory x iterations: 6 GiB


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
                memory_kib=_whole(data["memory_kib"]),
                iterations=_whole(data["iterations"]),
                lanes=_whole(data["lanes"]),
                salt=base64.b64decode(data["salt"], validate=True),
            )
        except (KeyError, ValueError, TypeError):
            raise VaultUnreadable("the vault header's KDF parameters are malformed") from None
        problem = params.out_of_bounds()
        if problem is None and len(params.salt) < SALT_LENGTH:
            problem = f"the salt is shorter than {SALT_LENGTH} bytes"
        if problem is not None:
            raise VaultUnreadable(f"the vault header's KDF cost is out of range: {problem}")
        return params

    def out_of_bounds(self) -> str | None:
        """Why this cost is outside what the wallet will run, or None if it is inside."""
        if not MIN_MEMORY_KIB * self.lanes <= self.memory_kib <= MAX_MEMORY_KIB:
            return f"memory must be 8 KiB per lane to {MAX_MEMORY_KIB // 1024} MiB"
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            return f"iterations must be 1 to {MAX_ITERATIONS}"
        if not 1 <= self.lanes <= MAX_LANES:
            return f"lanes must be 1 to {MAX_LANES}"
        if self.memory_kib * self.iterations > MAX_WORK_KIB:
            return (
                f"memory x iterations must be at most {MAX_WORK_KIB // 1024} MiB "
                "(8 times the default cost)"
            )
        return None

    def below_default(self) -> bool:
        """Cheaper to guess against than the default in memory or in passes."""
        return self.memory_kib < DEFAULT_MEMORY_KIB or self.iterations < DEFAULT_ITERATIONS

    def stronger(self, other: Argon2idParams) -> Argon2idParams:
        """The cost no knob of which is below either's (salt is drawn again on sealing).

        If that combination passes the work cap, the one of the two with more work wins.
        """
        both = Argon2idParams(
            max(self.memory_kib, other.memory_kib),
            max(self.iterations, other.iterations),
            max(self.lanes, other.lanes),
        )
        if both.out_of_bounds() is None:
            return both
        mine, theirs = self.work(), other.work()
        pick = self if mine >= theirs else other
        return Argon2idParams(pick.memory_kib, pick.iterations, pick.lanes)

    def work(self) -> int:
        return self.memory_kib * self.iterations

    def describe(self) -> str:
        """`256 MiB, 3 iterations, 4 lanes`, for messages."""
        memory = (
            f"{self.memory_kib // 1024} MiB"
            if self.memory_kib % 1024 == 0
            else f"{self.memory_kib} KiB"
        )
        iterations = f"{self.iterations} iteration{'s' if self.iterations != 1 else ''}"
        return f"{memory}, {iterations}, {self.lanes} lane{'s' if self.lanes != 1 else ''}"


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not a whole number")
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
