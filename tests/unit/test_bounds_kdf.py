"""KDF cost caps: the vault's Argon2id header, config.toml [vault], and v3 key files.

Each cap is tested at its boundary (accepted) and one step past it (refused, before any KDF
work: refusals are timed). The costs real tools write must stay accepted.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from keystore import v3, vault
from keystore.errors import InvalidKeyfile, VaultUnreadable
from keystore.kdf import (
    DEFAULT_ITERATIONS,
    DEFAULT_MEMORY_KIB,
    MAX_ITERATIONS,
    MAX_LANES,
    MAX_MEMORY_KIB,
    MAX_WORK_KIB,
    Argon2idParams,
)
from keystore.secret import Mnemonic
from wallet_cli.errors import HomeUnusable
from wallet_cli.store.config import Config

FAST = Argon2idParams(memory_kib=8192, iterations=1, lanes=1)
WHERE = Path("/home/x/wallets/x/vault.json")
GIB_KIB = 1024 * 1024


def header_with(**kdf: object) -> bytes:
    sealed = vault.seal(
        Mnemonic("abandon " * 11 + "about"), "pw", name="x", created_at="t", kdf=FAST
    )
    document = json.loads(sealed.to_bytes())
    document["header"]["kdf"].update(kdf)
    return json.dumps(document).encode()


def test_caps_are_what_the_docs_say() -> None:
    assert MAX_MEMORY_KIB == GIB_KIB
    assert MAX_ITERATIONS == 16
    assert MAX_LANES == 16
    assert MAX_WORK_KIB == 8 * DEFAULT_MEMORY_KIB * DEFAULT_ITERATIONS == 6 * GIB_KIB


@pytest.mark.parametrize(
    "cost",
    [
        {"memory_kib": DEFAULT_MEMORY_KIB, "iterations": 3, "lanes": 4},  # our default
        {"memory_kib": GIB_KIB, "iterations": 6, "lanes": 16},  # memory cap, work cap
        {"memory_kib": 384 * 1024, "iterations": 16, "lanes": 1},  # iterations cap, work cap
        {"memory_kib": 64 * 1024, "iterations": 3, "lanes": 4},  # Bitwarden's default
        {"memory_kib": 8, "iterations": 1, "lanes": 1},  # Argon2's floor
    ],
)
def test_costs_inside_the_caps_are_read(cost: dict[str, int]) -> None:
    header = vault.parse(header_with(**cost), WHERE).header
    assert (header.kdf.memory_kib, header.kdf.iterations, header.kdf.lanes) == tuple(cost.values())


@pytest.mark.parametrize(
    "cost",
    [
        {"memory_kib": 4 * GIB_KIB, "iterations": 64, "lanes": 64},  # the header
        {"memory_kib": GIB_KIB + 1, "iterations": 1, "lanes": 1},
        {"memory_kib": GIB_KIB, "iterations": 7, "lanes": 1},  # work cap + 1 pass
        {"memory_kib": 8192, "iterations": 17, "lanes": 1},
        {"memory_kib": 8192, "iterations": 1, "lanes": 17},
        {"memory_kib": 384 * 1024 + 1, "iterations": 16, "lanes": 1},
        {"memory_kib": 8 * 4 - 1, "iterations": 1, "lanes": 4},  # under 8 KiB per lane
        {"memory_kib": 8192, "iterations": 0, "lanes": 1},
        {"memory_kib": 8192, "iterations": 1.5, "lanes": 1},
        {"memory_kib": "8192", "iterations": 1, "lanes": 1},
    ],
)
def test_costs_past_the_caps_are_refused_at_once(cost: dict[str, object]) -> None:
    data = header_with(**cost)
    started = time.monotonic()
    with pytest.raises(VaultUnreadable) as caught:
        vault.parse(data, WHERE)
    assert time.monotonic() - started < 0.5
    assert str(WHERE) in caught.value.message


def test_config_vault_cost_has_the_same_caps() -> None:
    raised = Config({"vault": {"kdf_memory_kib": GIB_KIB, "kdf_iterations": 6}}).vault_kdf()
    assert (raised.memory_kib, raised.iterations) == (GIB_KIB, 6)
    for section in (
        {"kdf_memory_kib": 2 * GIB_KIB},
        {"kdf_iterations": 17},
        {"kdf_lanes": 17},
        {"kdf_memory_kib": GIB_KIB, "kdf_iterations": 7},
    ):
        with pytest.raises(HomeUnusable, match="out of range"):
            Config({"vault": section}).vault_kdf()


def test_stronger_never_lowers_a_knob() -> None:
    vault_cost = Argon2idParams(512 * 1024, 3, 4)
    assert vault_cost.stronger(FAST) == Argon2idParams(512 * 1024, 3, 4)
    assert vault_cost.stronger(Argon2idParams(256 * 1024, 4, 1)) == Argon2idParams(512 * 1024, 4, 4)
    # Both maxima together would pass the work cap: the costlier of the two wins whole.
    big_memory, many_passes = Argon2idParams(GIB_KIB, 6, 4), Argon2idParams(256 * 1024, 16, 4)
    assert big_memory.stronger(many_passes) == big_memory
    assert many_passes.stronger(big_memory) == big_memory


def test_below_default() -> None:
    assert FAST.below_default()
    assert not Argon2idParams().below_default()
    assert Argon2idParams(DEFAULT_MEMORY_KIB, 2, 4).below_default()
    assert not Argon2idParams(GIB_KIB, 3, 1).below_default()


# v3 key files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "r", "p"),
    [
        (1 << 18, 8, 1),  # geth standard, MetaMask, cast, eth-account
        (1 << 12, 8, 6),  # geth light
        (1 << 18, 1, 8),  # the spec's own vector
        (1 << 13, 8, 1),  # MyCrypto
        (1 << 20, 8, 1),  # n cap, work cap, memory cap
        (1 << 17, 8, 8),  # work cap with p > 1
        (1 << 14, 32, 16),  # r and p caps
    ],
)
def test_scrypt_costs_real_tools_write_are_accepted(n: int, r: int, p: int) -> None:
    v3.check_scrypt(n, r, p)


@pytest.mark.parametrize(
    ("n", "r", "p"),
    [
        (2, 1, 1 << 22),  # the hang: little memory, endless p
        (1 << 12, 8, 17),
        (1 << 21, 1, 1),
        (1 << 10, 33, 1),
        (1 << 20, 8, 2),  # work 2^24
        (1 << 20, 16, 1),  # 2 GiB of memory
        (3 << 10, 8, 1),  # not a power of two
        (1, 8, 1),
        (1 << 12, 0, 1),
        (1 << 12, 8, 0),
    ],
)
def test_scrypt_costs_past_the_caps_are_refused(n: int, r: int, p: int) -> None:
    with pytest.raises(InvalidKeyfile, match="scrypt parameters are out of range"):
        v3.check_scrypt(n, r, p)


def test_pbkdf2_cap() -> None:
    v3.check_pbkdf2(262_144)  # geth's fixtures
    v3.check_pbkdf2(1_000_000)  # eth-account's default
    v3.check_pbkdf2(v3.MAX_PBKDF2_ROUNDS)
    for rounds in (0, v3.MAX_PBKDF2_ROUNDS + 1, 10_000_000):
        with pytest.raises(InvalidKeyfile, match="round count"):
            v3.check_pbkdf2(rounds)


def keyfile(kdf: str, **params: Any) -> str:
    kdfparams: dict[str, Any] = {"dklen": 32, "salt": "00" * 32}
    kdfparams.update({"n": 1 << 12, "r": 8, "p": 1} if kdf == "scrypt" else {"c": 1000})
    if kdf == "pbkdf2":
        kdfparams["prf"] = "hmac-sha256"
    kdfparams.update(params)
    return json.dumps(
        {
            "version": 3,
            "crypto": {
                "cipher": "aes-128-ctr",
                "cipherparams": {"iv": "00" * 16},
                "ciphertext": "00" * 32,
                "kdf": kdf,
                "kdfparams": kdfparams,
                "mac": "00" * 32,
            },
        }
    )


@pytest.mark.parametrize(
    ("kdf", "params"),
    [
        ("scrypt", {"n": 2, "r": 1, "p": 1 << 22}),
        ("scrypt", {"n": 1 << 30}),
        ("pbkdf2", {"c": 10**9}),
        ("scrypt", {"dklen": 65}),
        ("scrypt", {"p": True}),
        ("scrypt", {"n": "4096"}),
        ("pbkdf2", {"c": 1000.0}),
        ("scrypt", {"salt": "00" * 1025}),
    ],
)
def test_hostile_key_files_are_refused_before_work(kdf: str, params: dict[str, Any]) -> None:
    document = keyfile(kdf, **params)
    started = time.monotonic()
    with pytest.raises(InvalidKeyfile):
        v3.decrypt(document, "pw")
    assert time.monotonic() - started < 0.5
