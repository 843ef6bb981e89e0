"""`wallet 2fa` end to end: enrolment on a real pseudo-terminal (pexpect), then the guarded
commands (passwd, export-keystore, export-solana-keypair, descriptors --private, 2fa disable)
asking the code; scripts without a terminal refused; replayed and wrong codes refused and
audited; failed passphrases counted across processes."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pyotp
import pytest

from tests.conftest import PASSPHRASE, WALLET_BIN, clean_env, run_wallet

MARKER = "second-factor.json"


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = clean_env(WALLET_HOME=str(home), WALLET_PASSPHRASE=PASSPHRASE)
    return pexpect.spawn(WALLET_BIN, list(args), env=env, encoding="utf-8", timeout=30)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus)


def code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(datetime.now(UTC)) + offset)


def away_from_a_step_boundary() -> None:
    """A code of the previous step stays valid only until the next boundary: start early."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.5)


def audit(home: Path) -> list[dict[str, object]]:
    lines = (home / "audit" / "dev.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def enrol(home: Path) -> tuple[str, str]:
    """Enable on a terminal, a wrong code first; the secret read off the screen and the code
    that enrolled it (of the previous step, so this step's and the next are still free)."""
    away_from_a_step_boundary()
    child = spawn(home, "2fa", "enable")
    child.expect(r"type the key:\s+([A-Z2-7 ]+?)\r?\n")
    secret = child.match.group(1).replace(" ", "")
    assert pyotp.TOTP(secret).provisioning_uri(name="dev", issuer_name="wallet")
    child.expect("TOTP code from the app: ")
    child.sendline("000000" if code(secret) != "000000" else "111111")
    child.expect("does not match")
    used = code(secret, -1)
    child.expect("TOTP code from the app: ")
    child.sendline(used)
    assert finish(child) == 0, child.before
    return secret, used


def test_enrol_then_every_guarded_command_asks_once(anvil_home: Path, tmp_path: Path) -> None:
    home = anvil_home
    vault = home / "wallets" / "dev" / "vault.json"
    secret, _ = enrol(home)
    assert secret.encode() not in vault.read_bytes()
    assert secret not in (home / "wallets" / "dev" / MARKER).read_text()
    status = run_wallet(["--json", "2fa", "status"], home=home)
    assert status.json() == {"wallet": "dev", "second_factor": True}

    # A script (no terminal) cannot change the passphrase or export: it has no code to give.
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    new = tmp_path / "new.txt"
    new.write_text("another passphrase\n")
    before = vault.read_bytes()
    for args in (
        ["passwd", "--new-passphrase-file", str(new)],
        [
            "export-keystore",
            "--out",
            str(tmp_path / "k.json"),
            "--keystore-passphrase-file",
            str(new),
        ],
        ["--network", "bitcoin", "descriptors", "--private"],
    ):
        refused = run_wallet(["--json", *args], home=home, env=env)
        assert refused.returncode == 4, (args, refused.stdout)
        assert refused.json()["error"]["code"] == "second-factor-needed"
        assert "prv" not in refused.stdout
    assert vault.read_bytes() == before
    assert not (tmp_path / "k.json").exists()

    # On a terminal, with this step's code: the key file is written.
    current = code(secret)
    child = spawn(home, "export-keystore", "--out", str(tmp_path / "k.json"))
    child.expect("TOTP code")
    child.sendline(current)
    for _ in range(2):
        child.expect(r"(New passphrase for key file \S+|Repeat it): ")
        child.sendline("file passphrase")
    assert finish(child) == 0, child.before
    assert (tmp_path / "k.json").exists()

    # The same code again, for another export: refused as a replay, nothing shown.
    child = spawn(home, "--network", "bitcoin", "descriptors", "--private")
    child.expect("TOTP code")
    child.sendline(current)
    assert finish(child) == 4
    assert "already used" in child.before
    assert "prv" not in child.before

    # A wrong code: refused, no file.
    out = tmp_path / "sol.json"
    child = spawn(home, "--network", "solana", "export-solana-keypair", "--out", str(out))
    child.expect("TOTP code")
    child.sendline(next(c for c in ("123456", "654321") if c not in {current, code(secret, 1)}))
    assert finish(child) == 4
    assert "wrong second-factor code" in child.before
    assert not out.exists()

    # Deleting the marker does not drop the requirement: the vault holds the secret.
    (home / "wallets" / "dev" / MARKER).unlink()
    refused = run_wallet(
        ["--json", "passwd", "--new-passphrase-file", str(new)], home=home, env=env
    )
    assert refused.json()["error"]["code"] == "second-factor-needed"
    assert (home / "wallets" / "dev" / MARKER).exists()

    # Disable needs a code too; after it, a script may change the passphrase again.
    child = spawn(home, "2fa", "disable")
    child.expect("TOTP code")
    child.sendline(code(secret, 1))
    assert finish(child) == 0, child.before
    changed = run_wallet(["passwd", "--new-passphrase-file", str(new)], home=home, env=env)
    assert changed.returncode == 0, changed.stderr
    assert run_wallet(["--json", "2fa", "status"], home=home).json()["second_factor"] is False

    events = [e["event"] for e in audit(home)]
    for expected in ("2fa-enabled", "export", "code-replayed", "code-failed", "2fa-disabled"):
        assert expected in events, events
    exports = [e.get("what") for e in audit(home) if e["event"] == "export"]
    assert exports == ["keystore"]
    text = (home / "audit" / "dev.jsonl").read_text()
    assert current not in text
    assert secret not in text


def test_enable_needs_a_terminal(anvil_home: Path) -> None:
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    result = run_wallet(["--json", "2fa", "enable"], home=anvil_home, env=env)
    assert result.returncode == 2
    assert "needs a terminal" in result.json()["error"]["message"]
    assert not (anvil_home / "wallets" / "dev" / MARKER).exists()


@pytest.mark.parametrize("wrong", ["not it"])
def test_failed_passphrases_slow_the_next_process(anvil_home: Path, wrong: str) -> None:
    """Each try is a new process, as a guessing script would run them: the wait holds."""
    bad = clean_env(WALLET_PASSPHRASE=wrong)
    for _ in range(3):
        result = run_wallet(
            ["--json", "--network", "solana", "address", "--unlock"], home=anvil_home, env=bad
        )
        assert result.json()["error"]["code"] == "wrong-passphrase"
    good = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    waited = run_wallet(["--json", "passwd"], home=anvil_home, env=good)
    assert waited.returncode == 4
    assert waited.json()["error"]["code"] == "too-many-attempts"
    assert re.search(r"wait \d+ s", waited.json()["error"]["message"])
    failures = [e.get("failures") for e in audit(anvil_home) if e["event"] == "unlock-failed"]
    assert failures == [1, 2, 3]
    assert wrong not in (anvil_home / "audit" / "dev.jsonl").read_text()
