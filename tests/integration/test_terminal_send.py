"""A person sending from a terminal: the preview and fee cap come before the passphrase
prompt, and a warning is passed only by typing the destination's last 4 characters."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect

from tests.conftest import PASSPHRASE, WALLET_BIN, clean_env, load_vectors, run_wallet
from tests.evm_helpers import Chain

BOB = load_vectors("anvil_accounts.json")["vectors"][1]["address"]
MAIL = load_vectors("eip712.json")["vectors"][0]["typed_data"]


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = clean_env(WALLET_HOME=str(home))
    return pexpect.spawn(WALLET_BIN, list(args), env=env, encoding="utf-8", timeout=30)


def test_preview_comes_before_the_passphrase(evm_home: Path, chain: Chain) -> None:
    child = spawn(evm_home, "send", "--to", BOB, "--amount", "0.25")
    child.expect("About to sign:")
    child.expect(f"0.25 ETH -> {BOB}")
    child.expect("fee at most")
    child.expect("Passphrase for wallet 'dev': ")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "success" in child.before


def _typed(tmp_path: Path) -> Path:
    document = json.loads(json.dumps(MAIL))  # chain id 1: a warning on the devnet
    path = tmp_path / "mail.json"
    path.write_text(json.dumps(document))
    return path


def test_a_warning_needs_the_last_four_characters(anvil_home: Path, tmp_path: Path) -> None:
    contract = MAIL["domain"]["verifyingContract"]
    path = _typed(tmp_path)
    child = spawn(anvil_home, "sign-typed-data", str(path))
    child.expect("typed-data-chain")
    child.expect("type its last 4 characters: ")
    child.sendline("abcd")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5

    child = spawn(anvil_home, "sign-typed-data", str(path))
    child.expect("type its last 4 characters: ")
    child.sendline(contract[-4:])
    child.expect("Sign it\\? \\[y/N\\] ")
    child.sendline("y")
    child.expect("Passphrase for wallet 'dev': ")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "0x" in child.before


def test_history_verify_catches_an_edit(evm_home: Path, chain: Chain) -> None:
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    for amount in ("1", "2"):
        sent = run_wallet(["send", "--to", BOB, "--amount", amount], home=evm_home, env=env)
        assert sent.returncode == 0
    journal = evm_home / "history" / "dev.jsonl"
    lines = journal.read_text().splitlines()
    lines[0] = lines[0].replace('"amount":"1"', '"amount":"9"')
    journal.write_text("\n".join(lines) + "\n")
    result = run_wallet(["--json", "history", "--verify"], home=evm_home)
    assert result.returncode == 1
    assert result.json()["ok"] is False
    assert "entry 2" in result.json()["problem"]


def test_batch_on_a_terminal_prompts_then_shows_progress(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(f"to,amount\n{BOB},0.1\n{BOB},0.2\n")
    child = spawn(evm_home, "batch", str(rows))
    child.expect("2 rows, 2 to send")
    child.expect("total 0.3 ETH")
    child.expect("Sign and send 2 transfers\\? \\[y/N\\] ")
    child.sendline("n")  # declined: nothing signed, no passphrase asked
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5, child.before
    assert "Passphrase" not in child.before
    child = spawn(evm_home, "batch", str(rows))
    child.expect("Sign and send 2 transfers\\? \\[y/N\\] ")
    child.sendline("y")
    child.expect("Passphrase for wallet 'dev': ")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert child.before.count("success") == 2
    assert "2 rows: 2 sent" in child.before
