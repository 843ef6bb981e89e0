"""A hold on a Safe owner's `multisig sign`: the SafeTx is approved as it is by its owner on
a terminal, and only then signed, once; the file is untouched while it is held."""

from __future__ import annotations

import json

import pexpect

from tests.conftest import PASSPHRASE, WALLET_BIN, clean_env
from tests.evm_helpers import Chain
from tests.integration.test_safe_multisig import DEST, Trio, ok, propose, sign, trio, wallet

__all__ = ["trio"]  # the fixture


def test_a_held_safetx_is_signed_only_after_its_approval(trio: Trio, chain: Chain) -> None:
    owner_b = trio.homes[1]
    config = owner_b / "config.toml"
    config.write_text(config.read_text() + '\n[wallets.dev.policy.ETH]\nhold-above = "1"\n')
    file = propose(trio, "pay.json")  # 1.25 ETH from the Safe
    before = file.read_bytes()
    held = sign(trio, 1, file)
    assert held.returncode == 7, held.stdout + held.stderr
    assert file.read_bytes() == before
    (hold,) = held.json()["error"]["holds"]
    assert hold["kind"] == "safe"
    assert hold["to"].lower() == DEST.lower()

    env = clean_env(WALLET_HOME=str(owner_b))
    child = pexpect.spawn(
        WALLET_BIN, ["holds", "approve", hold["id"]], env=env, encoding="utf-8", timeout=60
    )
    child.expect("type the last 4 characters of")
    child.sendline(hold["to"][-4:])
    child.expect("Passphrase for wallet 'dev': ")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert file.read_bytes() == before

    ok(sign(trio, 1, file))
    assert len(json.loads(file.read_text())["signatures"]) == 1
    listed = ok(wallet(owner_b, "holds", "--all"))["holds"]
    assert [h["status"] for h in listed] == ["approved"]
    assert listed[0]["used"]
