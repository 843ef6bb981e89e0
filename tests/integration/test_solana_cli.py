"""Solana through the CLI: addresses from the public cache (and --unlock beyond it), an old
public.json gaining Solana on its next unlock, ed25519 messages, and keypair export."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, clean_env, run_wallet
from tests.sol_fixtures import bip_utils_addresses

ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
SOL = ["--json", "--network", "solana"]


def test_address_from_cache_and_beyond_it(anvil_home: Path) -> None:
    expected = bip_utils_addresses(12)
    listed = run_wallet([*SOL, "address", "--count", "10"], home=anvil_home)
    assert listed.returncode == 0, listed.stderr
    rows = listed.json()["addresses"]
    assert [r["address"] for r in rows] == expected[:10]
    assert rows[3]["path"] == "m/44'/501'/3'/0'"
    beyond = run_wallet([*SOL, "address", "--index", "10"], home=anvil_home)
    assert beyond.returncode == 2
    assert "passphrase is needed" in beyond.json()["error"]["message"]
    unlocked = run_wallet(
        [*SOL, "address", "--index", "10", "--count", "2", "--unlock"],
        home=anvil_home,
        env=clean_env(**ENV),
    )
    assert unlocked.returncode == 0, unlocked.stderr
    assert [r["address"] for r in unlocked.json()["addresses"]] == expected[10:12]
    cached = run_wallet([*SOL, "address", "--index", "11"], home=anvil_home)
    assert cached.json()["addresses"][0]["address"] == expected[11]


def test_old_public_record_gains_solana_on_unlock(anvil_home: Path) -> None:
    public = anvil_home / "wallets" / "dev" / "public.json"
    document = json.loads(public.read_text())
    del document["chains"]["sol"]  # as a wallet made before Solana existed
    public.write_text(json.dumps(document))
    before = run_wallet([*SOL, "address"], home=anvil_home)
    assert before.returncode != 0
    assert "unlocks it" in before.json()["error"]["message"]
    signed = run_wallet(["sign-message", "hello"], home=anvil_home, env=clean_env(**ENV))
    assert signed.returncode == 0, signed.stderr
    after = json.loads(public.read_text())
    assert set(after["chains"]) == set(document["chains"]) | {"sol"}
    listed = run_wallet([*SOL, "address", "--count", "10"], home=anvil_home)
    assert [r["address"] for r in listed.json()["addresses"]] == bip_utils_addresses(10)


def test_altered_solana_address_is_refused_on_unlock(anvil_home: Path) -> None:
    public = anvil_home / "wallets" / "dev" / "public.json"
    document = json.loads(public.read_text())
    document["chains"]["sol"]["addresses"]["0"] = bip_utils_addresses(2)[1]
    public.write_text(json.dumps(document))
    signed = run_wallet([*SOL, "sign-message", "hi"], home=anvil_home, env=clean_env(**ENV))
    assert signed.returncode == 1
    assert signed.json()["error"]["code"] == "public-data-mismatch"
    assert "signature" not in signed.json()


def test_sign_and_verify_message(anvil_home: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from chains import base58

    signed = run_wallet([*SOL, "sign-message", "hello sol"], home=anvil_home, env=clean_env(**ENV))
    assert signed.returncode == 0, signed.stderr
    address, signature = signed.json()["address"], signed.json()["signature"]
    assert address == bip_utils_addresses(1)[0]
    key = Ed25519PublicKey.from_public_bytes(base58.decode(address))
    key.verify(base58.decode(signature), b"hello sol")  # raises if it is not ed25519 over it
    ok = run_wallet(
        [*SOL, "verify-message", "--address", address, "--signature", signature, "hello sol"],
        home=anvil_home,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.json()["valid"] is True
    bad = run_wallet(
        [*SOL, "verify-message", "--address", address, "--signature", signature, "hello SOL"],
        home=anvil_home,
    )
    assert bad.returncode == 1
    assert bad.json()["valid"] is False


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "EVM"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin"),
        ("oeYf6KAJkLYhBuR8CiGc6L4D4Xtfepr85fuDgA9kq9", "not 32"),
        ("oeYf6KAJkLYhBuR8CiGc6L4D4Xtfepr85fuDgA9kq0", "base58"),
    ],
)
def test_wrong_addresses_on_solana(anvil_home: Path, text: str, why: str) -> None:
    result = run_wallet([*SOL, "check", text], home=anvil_home)
    assert result.returncode == 2
    error = result.json()["error"]
    assert error["code"] == "invalid-address"
    assert why in error["message"]


def test_export_keypair_round_trip_and_mismatch(anvil_home: Path, tmp_path: Path) -> None:
    from wallet_cli.keyfiles import read_solana_keypair

    out = tmp_path / "id.json"
    written = run_wallet(
        [*SOL, "export-solana-keypair", "--index", "2", "--out", str(out)],
        home=anvil_home,
        env=clean_env(**ENV),
    )
    assert written.returncode == 0, written.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    numbers = json.loads(out.read_text())
    assert len(numbers) == 64
    _, address = read_solana_keypair(out)
    assert address == written.json()["address"] == bip_utils_addresses(3)[2]
    again = run_wallet(
        [*SOL, "export-solana-keypair", "--index", "2", "--out", str(out)],
        home=anvil_home,
        env=clean_env(**ENV),
    )
    assert again.returncode == 2
    assert json.loads(out.read_text()) == numbers  # never overwritten
    from chains.errors import ChainError

    numbers[40] ^= 1  # the public half no longer matches the secret
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(numbers))
    with pytest.raises(ChainError, match="does not match"):
        read_solana_keypair(forged)
    for junk in ("[1, 2, 3]", "{}", "not json", json.dumps([256] * 64)):
        forged.write_text(junk)
        with pytest.raises(ChainError):
            read_solana_keypair(forged)


def test_keys_match_solders(anvil_home: Path) -> None:
    """Each exported secret makes, in solders (the Solana SDK's types), the address shown."""
    from solders.keypair import Keypair

    shown = run_wallet([*SOL, "address", "--count", "3"], home=anvil_home).json()["addresses"]
    for row in shown:
        out = anvil_home / f"id{row['index']}.json"
        exported = run_wallet(
            [*SOL, "export-solana-keypair", "--index", str(row["index"]), "--out", str(out)],
            home=anvil_home,
            env=clean_env(**ENV),
        )
        assert exported.returncode == 0, exported.stderr
        keypair = Keypair.from_seed(bytes(json.loads(out.read_text())[:32]))  # the secret only
        assert str(keypair.pubkey()) == row["address"]
