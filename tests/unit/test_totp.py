"""The second factor: RFC 6238's published vectors, then the wallet's use of them (sealed in
the vault, one-time, counted failures with a growing wait, audited without the code)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from pathlib import Path

import pyotp
import pytest

from keystore import vault
from keystore.errors import WrongPassphrase
from keystore.kdf import Argon2idParams
from keystore.secret import Mnemonic
from tests.conftest import ANVIL_MNEMONIC, PASSPHRASE
from wallet_cli import attempts, second_factor
from wallet_cli.store.home import Home
from wallet_cli.wallet import Wallet

# RFC 6238 appendix B: the seeds are ASCII digits, 20/32/64 bytes for SHA-1/256/512.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC6238 = [
    (59, "94287082", "sha1"),
    (59, "46119246", "sha256"),
    (59, "90693936", "sha512"),
    (1111111109, "07081804", "sha1"),
    (1111111109, "68084774", "sha256"),
    (1111111109, "25091201", "sha512"),
    (1111111111, "14050471", "sha1"),
    (1111111111, "67062674", "sha256"),
    (1111111111, "99943326", "sha512"),
    (1234567890, "89005924", "sha1"),
    (1234567890, "91819424", "sha256"),
    (1234567890, "93441116", "sha512"),
    (2000000000, "69279037", "sha1"),
    (2000000000, "90698825", "sha256"),
    (2000000000, "38618901", "sha512"),
    (20000000000, "65353130", "sha1"),
    (20000000000, "77737706", "sha256"),
    (20000000000, "47863826", "sha512"),
]
FAST = Argon2idParams(memory_kib=8192, iterations=1, lanes=1)


def b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode()


@pytest.mark.parametrize(("at", "expected", "mode"), RFC6238)
def test_rfc6238_vectors(at: int, expected: str, mode: str) -> None:
    totp = pyotp.TOTP(b32(SEEDS[mode]), digits=8, digest=getattr(hashlib, mode), interval=30)
    assert totp.at(at) == expected


@pytest.mark.parametrize(("at", "expected"), [(t, c) for t, c, m in RFC6238 if m == "sha1"])
def test_wallet_codes_are_the_vectors_last_six_digits(at: int, expected: str) -> None:
    """The wallet's 6-digit SHA-1 codes are the 8-digit vectors mod 10^6 (RFC 4226 5.3)."""
    secret = b32(SEEDS["sha1"])
    assert second_factor.matching_step(secret, expected[-6:], now=at) == at // 30
    assert second_factor.matching_step(secret, expected[-6:], now=at + 30) == at // 30
    assert second_factor.matching_step(secret, expected[-6:], now=at + 90) is None
    assert second_factor.matching_step(secret, expected, now=at) is None  # 8 digits
    wrong = f"{(int(expected[-6:]) + 1) % 10**6:06d}"
    assert second_factor.matching_step(secret, wrong, now=at) is None


def test_codes_that_are_not_six_digits_never_match() -> None:
    secret = second_factor.new_secret()
    for code in ("", "12345", "abcdef", "12 34 5x", "1234567"):
        assert second_factor.matching_step(secret, code) is None


def test_old_vaults_read_without_a_second_factor_and_new_ones_carry_it() -> None:
    secret = Mnemonic(ANVIL_MNEMONIC, "")
    plain = vault.seal(secret, "pw", name="w", created_at="2026-01-01T00:00:00+00:00", kdf=FAST)
    assert vault.unseal_all(plain, "pw").totp is None
    totp = second_factor.new_secret()
    sealed = vault.seal(
        secret, "pw", name="w", created_at="2026-01-01T00:00:00+00:00", kdf=FAST, totp=totp
    )
    assert totp.encode() not in sealed.to_bytes()
    opened = vault.unseal_all(vault.parse(sealed.to_bytes(), Path("v.json")), "pw")
    assert opened.totp == totp
    assert opened.secret.reveal_phrase() == ANVIL_MNEMONIC  # type: ignore[union-attr]
    assert totp not in repr(opened)


def code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(_now()) + offset)


def _now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def events(home: Path) -> list[dict[str, object]]:
    path = home / "audit" / "w.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def enrolled(home: Path) -> tuple[Home, str, str]:
    """A wallet with a second factor: its home, the TOTP secret, the code enrolment used."""
    place = Home(home)
    wallet = Wallet.create(place, "w", Mnemonic(ANVIL_MNEMONIC, ""), PASSPHRASE, kdf=FAST)
    wallet = Wallet.open(place, "w")
    wallet.unlock(PASSPHRASE)
    assert not second_factor.enabled(place, "w")
    second_factor.require(wallet, None)  # no second factor: nothing asked
    secret = second_factor.new_secret()
    with pytest.raises(second_factor.CodeWrong):
        second_factor.enable(wallet, secret, "000000" if code(secret) != "000000" else "1", "x")
    used = code(secret)
    second_factor.enable(wallet, secret, used, PASSPHRASE)
    assert second_factor.enabled(place, "w")
    return place, secret, used


def test_the_code_is_needed_once_and_only_once(enrolled: tuple[Home, str, str], home: Path) -> None:
    place, secret, used = enrolled
    assert secret.encode() not in (home / "wallets" / "w" / "vault.json").read_bytes()
    wallet = Wallet.open(place, "w")
    with pytest.raises(WrongPassphrase):
        wallet.totp_secret()  # locked: only the vault knows
    wallet.unlock(PASSPHRASE)
    assert wallet.totp_secret() == secret
    with pytest.raises(second_factor.SecondFactorNeeded):
        second_factor.require(wallet, None)
    # The enrolment's code was used: it is refused now, the next step's is not.
    with pytest.raises(second_factor.CodeReplayed) as replayed:
        second_factor.require(wallet, used)
    assert replayed.value.kind == "auth"
    assert used not in replayed.value.message
    following = code(secret, 1)
    second_factor.require(wallet, following)
    with pytest.raises(second_factor.CodeReplayed):
        second_factor.require(wallet, following)
    names = [e["event"] for e in events(home)]
    assert names.count("code-replayed") == 2
    assert "2fa-enabled" in names
    assert "unlock" in names
    text = (home / "audit" / "w.jsonl").read_text()
    assert following not in text
    assert secret not in text


def test_a_deleted_marker_does_not_skip_the_code(
    enrolled: tuple[Home, str, str], home: Path
) -> None:
    place, _, _ = enrolled
    (home / "wallets" / "w" / second_factor.MARKER).unlink()
    assert not second_factor.enabled(place, "w")
    wallet = Wallet.open(place, "w")
    wallet.unlock(PASSPHRASE)
    with pytest.raises(second_factor.SecondFactorNeeded):
        wallet.change_passphrase("new passphrase", FAST, lower=True)
    assert second_factor.enabled(place, "w")  # written again: the next command asks first
    assert Wallet.open(place, "w").unlock(PASSPHRASE)  # the vault was not re-sealed


def test_a_new_passphrase_keeps_the_second_factor(enrolled: tuple[Home, str, str]) -> None:
    place, secret, _ = enrolled
    wallet = Wallet.open(place, "w")
    wallet.unlock(PASSPHRASE)
    wallet.change_passphrase("new passphrase", FAST, lower=True, code=code(secret, 1))
    again = Wallet.open(place, "w")
    again.unlock("new passphrase")
    assert again.totp_secret() == secret


def test_failed_codes_wait_longer_and_longer(enrolled: tuple[Home, str, str], home: Path) -> None:
    place, secret, _ = enrolled
    wallet = Wallet.open(place, "w")
    wallet.unlock(PASSPHRASE)
    good = {code(secret, k) for k in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in good)
    for failures in (1, 2):
        with pytest.raises(second_factor.CodeWrong) as caught:
            second_factor.require(wallet, wrong)
        assert wrong not in caught.value.message
        assert "waits" not in caught.value.message, failures
    with pytest.raises(second_factor.CodeWrong) as third:
        second_factor.require(wallet, wrong)
    assert f"waits {attempts.wait_after(3)} s" in third.value.message
    with pytest.raises(attempts.TooManyAttempts):
        second_factor.require(wallet, code(secret, 1))  # even a good code waits
    assert [e["failures"] for e in events(home) if e["event"] == "code-failed"] == [1, 2, 3]
    time.sleep(attempts.wait_after(3) + 0.1)
    second_factor.require(wallet, code(secret, 1))
    assert "code" not in json.loads((home / "wallets" / "w" / attempts.FILE).read_text())


def test_wait_grows_and_is_capped() -> None:
    waits = [attempts.wait_after(n) for n in range(1, 30)]
    assert waits[:2] == [0, 0]
    assert all(b >= a for a, b in itertools.pairwise(waits))
    assert waits[2] < waits[3] < waits[4]
    assert max(waits) == attempts.MAX_WAIT


def test_failed_passphrases_are_counted_and_audited(home: Path) -> None:
    place = Home(home)
    Wallet.create(place, "w", Mnemonic(ANVIL_MNEMONIC, ""), PASSPHRASE, kdf=FAST)
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            Wallet.open(place, "w").unlock("wrong")
    with pytest.raises(attempts.TooManyAttempts) as caught:
        Wallet.open(place, "w").unlock(PASSPHRASE)  # refused before any KDF work
    assert caught.value.kind == "auth"
    assert "3 failed passphrases" in caught.value.message
    time.sleep(attempts.wait_after(3) + 0.1)
    Wallet.open(place, "w").unlock(PASSPHRASE)
    found = [(e["event"], e.get("failures")) for e in events(home)]
    assert found == [
        ("unlock-failed", 1),
        ("unlock-failed", 2),
        ("unlock-failed", 3),
        ("unlock", None),
    ]
    assert "wrong" not in (home / "audit" / "w.jsonl").read_text()
