"""A person at a terminal: hidden prompts, the mnemonic shown once and asked back.

pexpect gives the `wallet` process a real pseudo-terminal, so /dev/tty is there as it is
for a user; nothing is mocked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pexpect

from tests.conftest import ANVIL_ADDRESS_0, ANVIL_MNEMONIC, PASSPHRASE, WALLET_BIN, clean_env


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = clean_env(WALLET_HOME=str(home))
    return pexpect.spawn(WALLET_BIN, list(args), env=env, encoding="utf-8", timeout=30)


def enter_new_passphrase(child: pexpect.spawn, value: str = PASSPHRASE) -> None:
    child.expect("New passphrase for")
    child.sendline(value)
    child.expect("Repeat it: ")
    child.sendline(value)


def read_shown_words(child: pexpect.spawn) -> list[str]:
    child.expect("Press Enter when you have written them down")
    shown = re.findall(r"^\s*(\d+)\. ([a-z]+)\s*$", child.before, flags=re.MULTILINE)
    return [word for _, word in sorted(shown, key=lambda item: int(item[0]))]


def test_init_shows_words_once_and_asks_three_back(home: Path) -> None:
    child = spawn(home, "init", "--name", "t")
    enter_new_passphrase(child)
    words = read_shown_words(child)
    assert len(words) == 12
    child.sendline("")
    asked = []
    for _ in range(3):
        child.expect(r"Word #(\d+): ")
        position = int(child.match.group(1))
        asked.append(position)
        child.sendline(words[position - 1])
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(set(asked)) == 3
    assert "Created wallet 't'" in child.before
    assert (home / "wallets" / "t" / "vault.json").exists()


def test_init_with_a_wrong_word_saves_nothing(home: Path) -> None:
    child = spawn(home, "init", "--name", "t")
    enter_new_passphrase(child)
    read_shown_words(child)
    child.sendline("")
    child.expect(r"Word #(\d+): ")
    child.sendline("notaword")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5
    assert not (home / "wallets" / "t").exists()


def test_restore_from_a_hidden_prompt(home: Path) -> None:
    child = spawn(home, "restore")
    child.expect("Mnemonic \\(hidden\\): ")
    child.sendline(ANVIL_MNEMONIC)
    enter_new_passphrase(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert ANVIL_ADDRESS_0 in child.before
    assert "test test" not in child.before  # the hidden prompt did not echo the words


def test_mismatched_new_passphrases_give_up_after_three_tries(home: Path) -> None:
    child = spawn(home, "restore")
    child.expect("Mnemonic")
    child.sendline(ANVIL_MNEMONIC)
    for attempt in range(3):
        child.expect("New passphrase for")
        child.sendline(f"one{attempt}")
        child.expect("Repeat it: ")
        child.sendline(f"two{attempt}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 4
    assert not (home / "wallets" / "main").exists()


def test_unlock_prompts_on_the_terminal(anvil_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "k.json"
    child = spawn(anvil_home, "export-keystore", "--out", str(out))
    child.expect("Passphrase for wallet 'dev': ")
    child.sendline(PASSPHRASE)
    enter_new_passphrase(child, "file passphrase")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert out.exists()


def test_wrong_passphrase_at_the_prompt_is_exit_4(anvil_home: Path, tmp_path: Path) -> None:
    child = spawn(anvil_home, "export-keystore", "--out", str(tmp_path / "k.json"))
    child.expect("Passphrase for wallet 'dev': ")
    child.sendline("nope")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 4
    assert "wrong passphrase" in child.before


def test_bip39_passphrase_from_the_prompt(home: Path) -> None:
    child = spawn(home, "restore", "--bip39-passphrase")
    child.expect("Mnemonic")
    child.sendline(ANVIL_MNEMONIC)
    child.expect("New passphrase for the BIP-39 passphrase")
    child.sendline("TREZOR")
    child.expect("Repeat it: ")
    child.sendline("TREZOR")
    enter_new_passphrase(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert ANVIL_ADDRESS_0 not in child.before  # another seed, another first address
    assert "TREZOR" not in child.before
