"""A hold on `psbt sign`: a PSBT made elsewhere cannot be planned again, so a held one is
approved as it is (terminal, passphrase, last 4 characters) and its next signing uses the
approval once; until then the file is left byte for byte as it was."""

from __future__ import annotations

from pathlib import Path

import pexpect

from tests.conftest import PASSPHRASE, WALLET_BIN, clean_env, run_wallet
from tests.integration.test_psbt_cli import ENV, FOREIGN, btc_home, create, wallet

__all__ = ["btc_home"]  # the fixture


def _name(home: Path) -> str:
    listed = run_wallet(["--json", "list"], home=home).json()
    return str(listed["wallets"][0]["name"])


def test_a_held_psbt_is_signed_only_after_its_approval(btc_home: Path, tmp_path: Path) -> None:
    name = _name(btc_home)
    config = btc_home / "config.toml"
    policy = f'\n[wallets.{name}.policy.BTC]\nhold-above = "0.001"\n'
    config.write_text(config.read_text() + policy)
    psbt = tmp_path / "pay.psbt"
    assert create(btc_home, psbt).returncode == 0  # creating signs nothing: no hold
    before = psbt.read_bytes()
    for _ in range(2):  # held twice: still one hold
        held = wallet(btc_home, "--yes", "psbt", "sign", str(psbt), env=ENV)
        assert held.returncode == 7, held.stdout
        assert psbt.read_bytes() == before
    (hold,) = held.json()["error"]["holds"]
    assert hold["to"] == FOREIGN
    assert hold["amount"] == "0.0012"
    listed = wallet(btc_home, "holds").json()["holds"]
    assert [h["id"] for h in listed] == [hold["id"]]

    env = clean_env(WALLET_HOME=str(btc_home))
    args = ["--network", "bitcoin-regtest", "holds", "approve", hold["id"]]
    child = pexpect.spawn(WALLET_BIN, args, env=env, encoding="utf-8", timeout=60)
    child.expect("0.0012 BTC -> " + FOREIGN)
    child.expect("type the last 4 characters of")
    child.sendline(FOREIGN[-4:])
    child.expect("Passphrase for wallet")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert psbt.read_bytes() == before  # approving signs nothing

    signed = wallet(btc_home, "psbt", "sign", str(psbt), env=ENV)
    assert signed.returncode == 0, signed.stdout
    assert signed.json()["signed_inputs"] == 2
    (used,) = wallet(btc_home, "holds", "--all").json()["holds"]
    assert used["status"] == "approved"
    events = [
        line
        for line in (btc_home / "audit" / f"{name}.jsonl").read_text().splitlines()
        if '"hold-used"' in line
    ]
    assert len(events) == 1
