"""Bitcoin addresses and descriptors through the CLI (no node needed)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PASSPHRASE, clean_env, load_vectors, run_wallet

BIP84 = load_vectors("bip84.json")
BIP86 = load_vectors("bip86.json")


def restored(home: Path) -> Path:
    result = run_wallet(
        ["restore", "--name", "abandon"],
        home=home,
        stdin=BIP84["mnemonic"],
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert result.returncode == 0, result.stderr
    return home


def test_addresses_per_network_and_script(home: Path) -> None:
    restored(home)
    mainnet = run_wallet(["--json", "--network", "bitcoin", "address", "--count", "2"], home=home)
    rows = mainnet.json()["addresses"]
    assert mainnet.json()["chain"] == "btc"
    assert [r["address"] for r in rows] == [v["address"] for v in BIP84["vectors"][:2]]
    assert rows[1]["path"] == "m/84'/0'/0'/0/1"
    taproot = run_wallet(
        ["--json", "--network", "bitcoin", "address", "--script", "tr"], home=home
    ).json()
    assert taproot["addresses"][0]["address"] == BIP86["vectors"][0]["address"]
    regtest = run_wallet(["--json", "--network", "bitcoin-regtest", "address"], home=home).json()
    assert regtest["addresses"][0]["address"].startswith("bcrt1q")
    assert (
        run_wallet(["--network", "bitcoin", "address", "--script", "p2sh"], home=home).returncode
        == 2
    )
    assert run_wallet(["address", "--script", "tr"], home=home).returncode == 2


def test_descriptors_public_and_private(home: Path) -> None:
    restored(home)
    public = run_wallet(["--json", "--network", "bitcoin", "descriptors"], home=home)
    assert public.returncode == 0
    document = public.json()
    assert document["external"].startswith("wpkh([73c5da0a/84'/0'/0']xpub")
    assert "#" in document["internal"]
    assert "xprv" not in public.stdout
    locked = run_wallet(["--json", "--network", "bitcoin", "descriptors", "--private"], home=home)
    assert locked.returncode == 4
    private = run_wallet(
        ["--json", "--network", "bitcoin", "descriptors", "--private"],
        home=home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert private.returncode == 0
    assert "xprv" in private.json()["external"]
    assert "WARNING" in private.stderr
    assert run_wallet(["descriptors"], home=home).returncode == 2  # devnet is EVM


def test_bitcoin_check_uses_lists_and_refuses_wrong_networks(home: Path) -> None:
    restored(home)
    sanctioned = run_wallet(
        ["--json", "--network", "bitcoin", "check", "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX"], home=home
    )
    assert sanctioned.returncode == 3
    assert sanctioned.json()["screening"]["findings"][0]["rule"] == "sanctioned"
    own = run_wallet(
        ["--json", "--network", "bitcoin", "check", BIP84["vectors"][0]["address"]], home=home
    )
    assert own.returncode == 0
    assert "self-transfer" in own.stdout
    testnet = run_wallet(
        [
            "--json",
            "--network",
            "bitcoin",
            "check",
            run_wallet(["--json", "--network", "bitcoin-testnet", "address"], home=home).json()[
                "addresses"
            ][0]["address"],
        ],
        home=home,
    )
    assert testnet.returncode == 2
    assert "test-network" in testnet.json()["error"]["message"]
    evm = run_wallet(
        ["--json", "--network", "bitcoin", "check", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
        home=home,
    )
    assert evm.returncode == 2
