"""Holds on anvil: a transfer above a hold rule is stored, not signed (exit 7, nonce and
balances unchanged, nothing broadcast), whatever --yes or --allow say; only its owner at a
terminal releases it, with the passphrase, the second factor and the destination's last 4
characters, through the pipeline again. Batches hold the rows that trip a rule, or all."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pexpect
import pyotp

from tests.conftest import (
    ANVIL_ADDRESS_0,
    PASSPHRASE,
    WALLET_BIN,
    clean_env,
    load_vectors,
    run_wallet,
)
from tests.evm_helpers import Chain

ACCOUNTS = load_vectors("anvil_accounts.json")["vectors"]
BOB, CAROL, DAVE = (ACCOUNTS[i]["address"] for i in (1, 2, 3))
ETHER = 10**18
SCRIPT = clean_env(WALLET_PASSPHRASE=PASSPHRASE)


def _policy(home: Path, lines: str) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text() + "\n[wallets.dev.policy.ETH]\n" + lines)


def _send(home: Path, amount: str, *extra: str, to: str = BOB) -> Any:
    return run_wallet(
        ["--json", "--yes", "send", "--to", to, "--amount", amount, *extra], home=home, env=SCRIPT
    )


def _holds(home: Path, *extra: str) -> list[dict[str, Any]]:
    listed = run_wallet(["--json", "holds", *extra], home=home)
    assert listed.returncode == 0, listed.stderr
    holds: list[dict[str, Any]] = listed.json()["holds"]
    return holds


def _audit(home: Path) -> list[dict[str, Any]]:
    path = home / "audit" / "dev.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _signed(home: Path) -> list[dict[str, Any]]:
    path = home / "history" / "dev.jsonl"
    if not path.exists():
        return []
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [e for e in entries if e.get("event") == "signed"]


def _held(home: Path, chain: Chain, amount: str = "2") -> str:
    """Hold a send of `amount` ETH to BOB: checks nothing moved; returns the hold id."""
    nonce, before = chain.nonce(ANVIL_ADDRESS_0), chain.balance(BOB)
    signed = len(_signed(home))
    sent = _send(home, amount)
    assert sent.returncode == 7, sent.stdout + sent.stderr
    error = sent.json()["error"]
    assert error["code"] == "held-for-owner"
    assert error["exit"] == 7
    assert "docs/screening.md#hold-above" in error["message"]
    (hold,) = error["holds"]
    assert hold["reasons"][0]["rule"] == "hold-above"
    assert hold["reasons"][0]["advice"]
    assert hold["reasons"][0]["link"]
    assert (chain.nonce(ANVIL_ADDRESS_0), chain.balance(BOB)) == (nonce, before)
    assert len(_signed(home)) == signed  # nothing signed, nothing journalled
    hold_id: str = hold["id"]
    return hold_id


def _enable_2fa(home: Path) -> pyotp.TOTP:
    """Enrol a TOTP secret with the code of the previous step, so the current one is
    still unused."""
    from wallet_cli import second_factor
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet

    secret = second_factor.new_secret()
    totp = pyotp.TOTP(secret)
    wallet = Wallet.open(Home(home), "dev")
    wallet.unlock(PASSPHRASE)
    second_factor.enable(wallet, secret, totp.at(time.time() - 30), PASSPHRASE)
    return totp


def _used_code(home: Path, totp: pyotp.TOTP) -> str:
    """The current code, used once just now (by another command of the owner's), so that it
    is still in the accepted window when it is typed again: a replay."""
    from wallet_cli import second_factor
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet

    wallet = Wallet.open(Home(home), "dev")
    wallet.unlock(PASSPHRASE)
    code = totp.now()
    second_factor.require(wallet, code)
    return code


def _approve(home: Path, hold_id: str, *options: str) -> pexpect.spawn:
    env = clean_env(WALLET_HOME=str(home))
    args = [*options, "holds", "approve", hold_id]
    return pexpect.spawn(WALLET_BIN, args, env=env, encoding="utf-8", timeout=120)


def approve_on_terminal(home: Path, hold_id: str, to: str, *options: str) -> tuple[int, str]:
    """`holds approve` typed through by its owner (a wallet without a second factor)."""
    child = _approve(home, hold_id, *options)
    _through_preview(child, to)
    return _finish(child)


def _through_preview(child: pexpect.spawn, to: str = BOB) -> None:
    child.expect("About to sign:")
    child.expect(to)
    child.expect("type the last 4 characters of")
    child.sendline(to[-4:])
    child.expect("Passphrase for wallet '[a-z]+': ")
    child.sendline(PASSPHRASE)


def _finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_a_transfer_above_hold_above_is_held_not_signed(evm_home: Path, chain: Chain) -> None:
    _policy(evm_home, 'hold-above = "1"\n')
    small = _send(evm_home, "0.5")
    assert small.returncode == 0, small.stderr  # below the rule: sent as ever
    hold_id = _held(evm_home, chain)
    # --allow passes a block of its rule, never a hold; neither does --yes.
    again = _send(evm_home, "2", "--allow", "spending-limit")
    assert again.returncode == 7
    listed = _holds(evm_home)
    assert [h["id"] for h in listed] == [hold_id, again.json()["error"]["holds"][0]["id"]]
    assert listed[0]["to"] == BOB
    assert listed[0]["amount"] == "2"
    assert listed[0]["unit"] == "ETH"
    assert "above hold-above 1 ETH" in listed[0]["reasons"][0]["message"]
    events = [e for e in _audit(evm_home) if e["event"] == "hold"]
    assert [e["hold"] for e in events][:1] == [hold_id]
    dry = _send(evm_home, "2", "--dry-run")
    assert dry.returncode == 7
    assert dry.json()["error"]["holds"][0]["id"] is None
    assert len(_holds(evm_home)) == 2  # a dry run stores no hold
    text = run_wallet(["send", "--to", BOB, "--amount", "3", "--yes"], home=evm_home, env=SCRIPT)
    assert text.returncode == 7
    assert "held for the owner" in text.stderr
    assert "wallet holds approve" in text.stderr


def test_the_owner_approves_on_a_terminal(evm_home: Path, chain: Chain) -> None:
    _policy(evm_home, 'hold-above = "1"\n')
    totp = _enable_2fa(evm_home)
    hold_id = _held(evm_home, chain)
    nonce, before = chain.nonce(ANVIL_ADDRESS_0), chain.balance(BOB)
    child = _approve(evm_home, hold_id)
    _through_preview(child)
    child.expect("TOTP code")
    code = totp.now()
    child.sendline(code)
    status, out = _finish(child)
    assert status == 0, out
    assert f"hold {hold_id} approved" in out
    assert "success" in out
    assert chain.balance(BOB) - before == 2 * ETHER
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 1  # planned again with a fresh nonce
    (entry,) = _signed(evm_home)
    assert entry["hold"] == hold_id
    assert entry["nonce"] == nonce
    (approved,) = _holds(evm_home, "--all")
    assert approved["status"] == "approved"
    assert "hold-approved" in [e["event"] for e in _audit(evm_home)]
    # Approved once: a second approval is refused before any prompt.
    status, out = _finish(_approve(evm_home, hold_id))
    assert status == 3
    assert "approved already" in out
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 1


def test_wrong_and_replayed_codes_are_refused(evm_home: Path, chain: Chain) -> None:
    _policy(evm_home, 'hold-above = "1"\n')
    totp = _enable_2fa(evm_home)
    hold_id = _held(evm_home, chain)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    current = totp.now()
    wrong = f"{(int(current) + 1) % 10**6:06d}"
    for attempt, refusal in enumerate(("wrong second-factor code", "already used")):
        code = wrong if attempt == 0 else _used_code(evm_home, totp)
        child = _approve(evm_home, hold_id)
        _through_preview(child)
        child.expect("TOTP code")
        child.sendline(code)
        status, out = _finish(child)
        assert status == 4, out
        error = next(line for line in out.splitlines() if line.startswith("error:"))
        assert refusal in error
        assert code not in error
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert not _signed(evm_home)
    assert [h["status"] for h in _holds(evm_home)] == ["held"]
    events = [e["event"] for e in _audit(evm_home)]
    assert "code-failed" in events
    assert "code-replayed" in events


def test_no_terminal_and_a_wrong_last_four_are_refused(evm_home: Path, chain: Chain) -> None:
    _policy(evm_home, 'hold-above = "1"\n')
    hold_id = _held(evm_home, chain)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    for args in (["holds", "approve", hold_id], ["--yes", "holds", "approve", hold_id]):
        script = run_wallet(["--json", *args], home=evm_home, env=SCRIPT)
        assert script.returncode == 5, script.stdout
        assert "needs its owner at a terminal" in script.json()["error"]["message"]
    child = _approve(evm_home, hold_id)
    child.expect("type the last 4 characters of")
    child.sendline("zzzz")
    status, out = _finish(child)
    assert status == 5
    assert "was not approved" in out
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert not _signed(evm_home)
    assert [h["status"] for h in _holds(evm_home)] == ["held"]


def test_expired_cooling_off_and_cancelled_holds(evm_home: Path, chain: Chain) -> None:
    _policy(evm_home, 'hold-above = "1"\nhold-expires = "2s"\n')
    expiring = _held(evm_home, chain)
    time.sleep(2.5)
    status, out = _finish(_approve(evm_home, expiring))
    assert status == 3
    assert "expired" in out
    assert [h["status"] for h in _holds(evm_home, "--all")] == ["expired"]
    assert "hold-expired" in [e["event"] for e in _audit(evm_home)]

    config = evm_home / "config.toml"
    config.write_text(config.read_text().replace('hold-expires = "2s"', 'release-after = "1h"'))
    cooling = _held(evm_home, chain)
    status, out = _finish(_approve(evm_home, cooling))
    assert status == 3
    assert "can be approved from" in out
    cancelled = run_wallet(["--json", "holds", "cancel", cooling], home=evm_home)
    assert cancelled.returncode == 0
    assert cancelled.json()["status"] == "cancelled"
    assert _holds(evm_home) == []
    assert "hold-cancelled" in [e["event"] for e in _audit(evm_home)]
    assert not _signed(evm_home)


def _batch(home: Path, tmp_path: Path, *extra: str) -> Any:
    csv = tmp_path / "pay.csv"
    csv.write_text(f"to,amount\n{BOB},0.1\n{CAROL},2\n{DAVE},0.2\n")
    return run_wallet(["--json", "--yes", "batch", str(csv), *extra], home=home, env=SCRIPT)


def test_a_batch_holds_its_large_row_and_sends_the_rest(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    _policy(evm_home, 'hold-above = "1"\n')
    nonce, carol = chain.nonce(ANVIL_ADDRESS_0), chain.balance(CAROL)
    dry = _batch(evm_home, tmp_path, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert [r["status"] for r in dry.json()["results"]] == [
        "would-send",
        "would-hold",
        "would-send",
    ]
    assert dry.json()["summary"]["would_hold"] == 1
    assert _holds(evm_home) == []
    first = _batch(evm_home, tmp_path)
    assert first.returncode == 7, first.stdout + first.stderr
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["success", "held", "success"]
    assert first.json()["summary"]["held"] == 1
    hold_id = results[1]["hold"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 2  # no gap where the held row was
    assert chain.balance(CAROL) == carol
    (held,) = _holds(evm_home)
    assert (held["id"], held["row"], held["to"]) == (hold_id, 3, CAROL)
    # The same run again: the paid rows are skipped, the held row keeps its one hold.
    again = _batch(evm_home, tmp_path)
    assert again.returncode == 7
    assert again.json()["results"][1]["hold"] == hold_id
    assert len(_holds(evm_home)) == 1
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 2
    # Approved, the row is paid once: a later run of the batch skips it.
    child = _approve(evm_home, hold_id)
    _through_preview(child, CAROL)
    status, out = _finish(child)
    assert status == 0, out
    assert chain.balance(CAROL) - carol == 2 * ETHER
    last = _batch(evm_home, tmp_path)
    assert last.returncode == 0, last.stdout
    assert all(r["skipped"] for r in last.json()["results"])
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 3


def test_an_all_or_nothing_batch_is_held_whole(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    _policy(evm_home, 'hold-above = "1"\n')
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    held = _batch(evm_home, tmp_path, "--all-or-nothing")
    assert held.returncode == 7, held.stdout + held.stderr
    holds = held.json()["error"]["holds"]
    assert [h["row"] for h in holds] == [2, 3, 4]
    assert len({h["group"] for h in holds}) == 1
    assert "held with its batch" in holds[0]["reasons"][0]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert not _signed(evm_home)
    assert len(_holds(evm_home)) == 3
