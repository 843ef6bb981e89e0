"""Time to unlock a vault at the DEFAULT KDF cost, beside scrypt at geth's standard cost.

Ours: `keystore.vault.unseal(sealed, "pw")` on a vault sealed with the default Argon2id
parameters (keystore/kdf.py; no config.toml lowering), 5 runs, median: that is Argon2id plus
AES-256-GCM decryption. Anchor, in the same run: `hashlib.scrypt(n=2**18, r=8, p=1)` (geth's
standard keystore cost, 256 MiB), 5 runs, median. Runs alternate ours/anchor. Prints both
medians and ours / anchor. Target: ours between 0.3 s and 1.5 s (strong enough to slow
guessing, quick enough for a person).

Run: .venv/bin/python bench/unlock.py   (about 15 s; exit 1 if the target is missed)
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import time

from _common import MNEMONIC, machine

from keystore import vault
from keystore.kdf import Argon2idParams
from keystore.secret import Mnemonic

RUNS = 5
TARGET_LOW, TARGET_HIGH = 0.3, 1.5
SCRYPT = {"n": 2**18, "r": 8, "p": 1, "maxmem": 2**30, "dklen": 32}


def main() -> int:
    print(f"machine: {machine()}")
    params = Argon2idParams()
    print(
        f"default KDF: argon2id memory {params.memory_kib} KiB, "
        f"{params.iterations} iterations, {params.lanes} lanes"
    )
    sealed = vault.seal(Mnemonic(MNEMONIC), "pw", name="b", created_at="x")
    assert sealed.header.kdf.memory_kib == params.memory_kib
    ours: list[float] = []
    anchor: list[float] = []
    for _ in range(RUNS):
        start = time.perf_counter()
        secret = vault.unseal(sealed, "pw")
        ours.append(time.perf_counter() - start)
        assert isinstance(secret, Mnemonic)
        assert secret.reveal_phrase() == MNEMONIC
        start = time.perf_counter()
        hashlib.scrypt(b"pw", salt=b"\0" * 32, **SCRYPT)
        anchor.append(time.perf_counter() - start)
    ours_median, anchor_median = statistics.median(ours), statistics.median(anchor)
    met = TARGET_LOW <= ours_median <= TARGET_HIGH
    print(
        f"ours   unseal median {ours_median:.3f} s  "
        f"(min {min(ours):.3f}, max {max(ours):.3f}, n={RUNS})"
    )
    print(
        f"anchor scrypt n=2^18 r=8 p=1 median {anchor_median:.3f} s  "
        f"(min {min(anchor):.3f}, max {max(anchor):.3f}, n={RUNS})"
    )
    print(f"ratio  {ours_median / anchor_median:.2f}")
    print(f"target {TARGET_LOW} s <= ours <= {TARGET_HIGH} s: {'MET' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
