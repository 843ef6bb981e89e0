"""The owner's emergency freeze: `wallet freeze` needs no passphrase and stops every signing
path at once (exit 3, "frozen by the owner at ..."), on a real anvil, with real bdk PSBTs and
a real Safe; `wallet unfreeze` needs the passphrase (never the keyring) and the second factor.
The library's key access is checked in process too, for every chain family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.conftest import (
    ANVIL_ADDRESS_0,
    PASSPHRASE,
    WALLET_BIN,
    Result,
    clean_env,
    load_vectors,
    run_wallet,
)
from tests.evm_helpers import Chain
from tests.integration.test_bitcoin_backends import Served, served
from tests.integration.test_btc_multisig import create as btc_multisig_create
from tests.integration.test_btc_multisig import homes, keys_of, spend
from tests.integration.test_messages_cli import typed_file
from tests.integration.test_psbt_cli import btc_home
from tests.integration.test_psbt_cli import create as psbt_create
from tests.integration.test_safe_multisig import Trio, propose, trio
from tests.integration.test_safe_multisig import safe_nonce as safe_state_nonce

__all__ = ["btc_home", "homes", "served", "trio"]  # fixtures

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
BOB = ANVIL[1]["address"]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}


def wallet(home: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_wallet(["--json", *args], home=home, env=clean_env(**(env or {})), timeout=120)


def freeze(home: Path) -> dict[str, Any]:
    """Freeze with no passphrase anywhere in the environment."""
    result = wallet(home, "freeze")
    assert result.returncode == 0, result.stdout + result.stderr
    document: dict[str, Any] = result.json()
    assert document["frozen"] is True
    return document


def assert_frozen(result: Result, at: str | None = None) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    error = result.json()["error"]
    assert error["code"] == "frozen"
    assert "frozen by the owner at" in error["message"]
    if at is not None:
        assert at in error["message"]


def journal(home: Path, wallet_name: str = "dev") -> list[dict[str, Any]]:
    path = home / "history" / f"{wallet_name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def audit_events(home: Path, wallet_name: str = "dev") -> list[str]:
    path = home / "audit" / f"{wallet_name}.jsonl"
    return [json.loads(line)["event"] for line in path.read_text().splitlines()]


def test_freeze_stops_send_and_nothing_is_signed_or_broadcast(evm_home: Path, chain: Chain) -> None:
    nonce, balance = chain.nonce(ANVIL_ADDRESS_0), chain.balance(BOB)
    frozen = freeze(evm_home)
    result = wallet(evm_home, "--yes", "send", "--to", BOB, "--amount", "1", env=ENV)
    assert_frozen(result, frozen["at"])
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert chain.balance(BOB) == balance
    assert not [e for e in journal(evm_home) if e["event"] == "signed"]
    assert "freeze" in audit_events(evm_home)
    # The same wallet signs again once unfrozen with its passphrase.
    lifted = wallet(evm_home, "unfreeze", env=ENV)
    assert lifted.returncode == 0, lifted.stdout + lifted.stderr
    assert lifted.json()["unfrozen"] is True
    sent = wallet(evm_home, "--yes", "send", "--to", BOB, "--amount", "1", env=ENV)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 1
    events = audit_events(evm_home)
    assert events.index("freeze") < events.index("unfreeze")


def test_freeze_stops_a_batch(evm_home: Path, chain: Chain, tmp_path: Path) -> None:
    rows = tmp_path / "pay.csv"
    rows.write_text("to,amount,token\n" + "\n".join(f"{v['address']},0.1," for v in ANVIL[1:4]))
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    freeze(evm_home)
    result = wallet(evm_home, "--yes", "batch", str(rows), env=ENV)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "frozen by the owner at" in result.stdout
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert not [e for e in journal(evm_home) if e["event"] == "signed"]


def test_freeze_stops_message_and_typed_data_signatures(anvil_home: Path, tmp_path: Path) -> None:
    freeze(anvil_home)
    message = wallet(anvil_home, "sign-message", "hello", env=ENV)
    assert_frozen(message)
    typed = wallet(
        anvil_home, "--yes", "sign-typed-data", str(typed_file(tmp_path, 31337)), env=ENV
    )
    assert_frozen(typed)
    assert '"signature"' not in message.stdout + typed.stdout  # a JSON error, no result


def test_freeze_stops_key_exports(anvil_home: Path, tmp_path: Path) -> None:
    freeze(anvil_home)
    out, password = tmp_path / "k.json", tmp_path / "password.txt"
    password.write_text("another long passphrase\n")
    result = wallet(
        anvil_home, "export-keystore", "--out", str(out), "--keystore-passphrase-file",
        str(password), env=ENV,
    )  # fmt: skip
    assert_frozen(result)
    assert not out.exists()


def test_freeze_stops_psbt_signing(btc_home: Path, tmp_path: Path) -> None:
    psbt = tmp_path / "p.psbt"
    assert psbt_create(btc_home, psbt).returncode == 0
    before = psbt.read_bytes()
    freeze(btc_home)
    result = wallet(btc_home, "--network", "bitcoin-regtest", "psbt", "sign", str(psbt), env=ENV)
    assert_frozen(result)
    assert psbt.read_bytes() == before


def test_freeze_stops_bitcoin_multisig_signing(
    homes: dict[str, Path], served: Served, tmp_path: Path
) -> None:
    keys = keys_of(homes)
    made = btc_multisig_create(homes["a"], "vault", 2, keys["b"], keys["c"])
    assert made.returncode == 0, made.stdout
    assert btc_multisig_create(homes["b"], "vault", 2, keys["a"], keys["c"]).returncode == 0
    served.fund(made.json()["addresses"][0], 70_000)
    psbt = tmp_path / "spend.psbt"
    spend(homes["a"], "vault", psbt)
    before = psbt.read_bytes()
    freeze(homes["b"])
    args = ["--network", "bitcoin-regtest", "psbt", "sign", str(psbt), "--multisig", "vault"]
    assert_frozen(wallet(homes["b"], *args, env=ENV))
    assert psbt.read_bytes() == before
    assert served.chain.broadcasts == []


def test_freeze_stops_safe_signing_and_exec(trio: Trio, chain: Chain) -> None:
    def cosign(who: int) -> Result:
        return wallet(trio.homes[who], "--yes", "multisig", "sign", str(proposal), "--index",
                      str(who), env=ENV)  # fmt: skip

    proposal = propose(trio, "p.json")
    assert cosign(2).returncode == 0
    freeze(trio.homes[1])
    before = proposal.read_bytes()
    assert_frozen(cosign(1))
    assert proposal.read_bytes() == before
    assert cosign(0).returncode == 0  # two of three: executable
    freeze(trio.homes[0])
    nonce, safe_nonce = chain.nonce(ANVIL_ADDRESS_0), safe_state_nonce(chain, trio.safe)
    executed = wallet(trio.homes[0], "--yes", "multisig", "exec", str(proposal), "--index", "0",
                      env=ENV)  # fmt: skip
    assert_frozen(executed)
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert safe_state_nonce(chain, trio.safe) == safe_nonce


def test_library_key_access_stops_for_every_family(anvil_home: Path) -> None:
    """Scripts through the library meet the same freeze: EVM, Bitcoin and Solana keys."""
    from wallet_cli import freeze as frozen
    from wallet_cli.signing_keys import UnlockedKeys
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet

    home = Home(anvil_home)
    unlocked = Wallet.open(home, "dev")
    unlocked.unlock(PASSPHRASE)
    evm_key = unlocked.private_key("evm", 0).reveal()
    frozen.freeze(home, "dev")
    attempts = [
        lambda: unlocked.private_key("evm", 0),
        lambda: unlocked.private_key("sol", 0),
        lambda: UnlockedKeys(unlocked, "btc").seed(),
        lambda: UnlockedKeys(unlocked, "evm").private_key(1),
        unlocked.unlocked_secret,
    ]
    for attempt in attempts:
        with pytest.raises(frozen.WalletFrozen, match="frozen by the owner at"):
            attempt()
    assert frozen.WalletFrozen.kind == "refused"
    lifted = frozen.unfreeze(unlocked, None)
    assert lifted is not None
    assert unlocked.private_key("evm", 0).reveal() == evm_key


def test_an_unreadable_freeze_file_still_freezes(anvil_home: Path) -> None:
    (anvil_home / "wallets" / "dev" / "frozen.json").write_text("{not json")
    result = wallet(anvil_home, "sign-message", "hello", env=ENV)
    assert_frozen(result)
    assert "unreadable" in result.json()["error"]["message"]


def test_freeze_all_and_again(anvil_home: Path) -> None:
    first = freeze(anvil_home)
    second = freeze(anvil_home)
    assert second["already"] is True
    assert second["at"] == first["at"]
    every = wallet(anvil_home, "freeze", "--all")
    assert every.returncode == 0
    assert [w["wallet"] for w in every.json()["wallets"]] == ["dev"]


def test_unfreeze_needs_the_passphrase_and_never_the_keyring(anvil_home: Path) -> None:
    freeze(anvil_home)
    wrong = wallet(anvil_home, "unfreeze", env={"WALLET_PASSPHRASE": "not it"})
    assert wrong.returncode == 4, wrong.stdout
    none = wallet(anvil_home, "unfreeze")
    assert none.returncode == 4, none.stdout
    assert (anvil_home / "wallets" / "dev" / "frozen.json").exists()
    assert_frozen(wallet(anvil_home, "sign-message", "hello", env=ENV))
    assert "unfreeze" not in audit_events(anvil_home)


def _enable_second_factor(home_path: Path) -> str:
    """Enrol a TOTP secret through the library, with the previous step's code, so the
    current step's code is still unused."""
    import time

    import pyotp

    from wallet_cli import second_factor
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet

    unlocked = Wallet.open(Home(home_path), "dev")
    unlocked.unlock(PASSPHRASE)
    secret = second_factor.new_secret()
    previous = pyotp.TOTP(secret).at(time.time() - 30)
    second_factor.enable(unlocked, secret, previous, PASSPHRASE)
    return secret


def test_unfreeze_needs_the_second_factor_once(anvil_home: Path) -> None:
    import pyotp

    secret = _enable_second_factor(anvil_home)
    marker = anvil_home / "wallets" / "dev" / "frozen.json"
    freeze(anvil_home)
    # No terminal: no code can be typed, so it stays frozen.
    scripted = wallet(anvil_home, "unfreeze", env=ENV)
    assert scripted.returncode == 4, scripted.stdout
    assert scripted.json()["error"]["code"] == "second-factor-needed"
    assert marker.exists()

    def unfreeze_at_terminal(code: str) -> pexpect.spawn:
        env = clean_env(WALLET_HOME=str(anvil_home))
        child = pexpect.spawn(WALLET_BIN, ["unfreeze"], env=env, encoding="utf-8", timeout=30)
        child.expect("Passphrase for wallet 'dev': ")
        child.sendline(PASSPHRASE)
        child.expect("TOTP code")
        child.sendline(code)
        child.expect(pexpect.EOF)
        child.close()
        return child

    wrong = unfreeze_at_terminal("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.exitstatus == 4
    assert marker.exists()
    code = pyotp.TOTP(secret).now()
    child = unfreeze_at_terminal(code)
    assert child.exitstatus == 0, child.before
    assert not marker.exists()
    freeze(anvil_home)
    replayed = unfreeze_at_terminal(code)
    assert replayed.exitstatus == 4
    assert "already used" in str(replayed.before)
    assert marker.exists()
    events = audit_events(anvil_home)
    assert {"code-failed", "code-replayed", "unfreeze"} <= set(events)
    logged = (anvil_home / "audit" / "dev.jsonl").read_text().splitlines()
    values = {str(v) for line in logged for v in json.loads(line).values()}
    assert code not in values  # the log never holds a code
