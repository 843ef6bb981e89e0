"""Output for a person at a terminal (issue 10, item 7): findings in colour with a symbol
(plain when piped or with NO_COLOR), a QR code for `receive`, the send preview shown once.

pexpect gives `wallet` a real pseudo-terminal, as a user's shell does."""

from __future__ import annotations

from pathlib import Path

import pexpect

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, WALLET_BIN, clean_env, run_wallet
from tests.evm_helpers import Chain

BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
SCAM = "0x000000000532b45f47779fce440748893b257865"
ESC = "\x1b["


def run_on_terminal(home: Path, *args: str, **env: str) -> tuple[int, str]:
    environment = clean_env(WALLET_HOME=str(home), **env)
    child = pexpect.spawn(WALLET_BIN, list(args), env=environment, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_a_block_is_red_with_a_symbol_on_a_terminal_and_plain_elsewhere(home: Path) -> None:
    code, shown = run_on_terminal(home, "check", "--offline", SCAM)
    assert code == 3
    assert ESC in shown
    assert "\N{HEAVY MULTIPLICATION X} BLOCK" in shown
    code, shown = run_on_terminal(home, "check", "--offline", SCAM, NO_COLOR="1")
    assert code == 3
    assert ESC not in shown
    assert "\N{HEAVY MULTIPLICATION X} BLOCK" in shown
    piped = run_wallet(["check", "--offline", SCAM], home=home)
    assert piped.returncode == 3
    assert "[BLOCK]" in piped.stdout
    assert ESC not in piped.stdout + piped.stderr
    assert "\N{HEAVY MULTIPLICATION X}" not in piped.stdout


def test_receive_shows_a_qr_code_on_a_terminal(anvil_home: Path) -> None:
    code, shown = run_on_terminal(anvil_home, "receive")
    assert code == 0
    assert ANVIL_ADDRESS_0 in shown
    assert f"ethereum:{ANVIL_ADDRESS_0}@31337" in shown
    blocks = [line for line in shown.splitlines() if "\N{UPPER HALF BLOCK}" in line]
    assert len(blocks) > 10  # a QR code of half blocks, line by line
    piped = run_wallet(["receive"], home=anvil_home)
    assert "\N{UPPER HALF BLOCK}" not in piped.stdout


def test_the_send_preview_is_printed_once(evm_home: Path, chain: Chain) -> None:
    environment = clean_env(WALLET_HOME=str(evm_home))
    child = pexpect.spawn(
        WALLET_BIN,
        ["send", "--to", BOB, "--amount", "0.25"],
        env=environment,
        encoding="utf-8",
        timeout=30,
    )
    child.expect("About to sign:")
    child.expect("Passphrase for wallet 'dev': ")
    before_prompt = child.before
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    everything = before_prompt + child.before
    assert everything.count("0.25 ETH") == 1, everything
    assert everything.count("fee at most") == 1
    assert "fee cap" not in everything
    assert "success" in child.before
