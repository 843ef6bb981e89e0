"""`network add` sets a network's fee ceilings, RPC deadline and native symbol, `network list`
shows them (defaults included), and send shows amounts and fees in that symbol."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PASSPHRASE, Devnet, clean_env, run_wallet
from tests.evm_helpers import Chain

BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def listed(home: Path) -> dict[str, dict[str, object]]:
    result = run_wallet(["--json", "network", "list"], home=home)
    assert result.returncode == 0, result.stdout
    return {row["name"]: row for row in result.json()["networks"]}


def test_defaults_apply_to_built_in_networks(home: Path) -> None:
    rows = listed(home)
    assert rows["devnet"]["max_fee_per_gas_gwei"] == "1000"
    assert rows["devnet"]["max_fee"] == "0.1"
    assert rows["devnet"]["fee_warn_floor"] == "0.001"
    assert rows["devnet"]["rpc_timeout"] == 10.0
    assert rows["devnet"]["symbol"] == "ETH"
    assert rows["bitcoin"]["max_fee_rate"] == 500
    assert rows["bitcoin"]["fee_warn_floor"] == "0.0001"
    text = run_wallet(["network", "list"], home=home).stdout
    assert "max fee/gas 1000 gwei, max fee 0.1 ETH" in text
    assert "max fee rate 500 sat/vB" in text


def test_a_settings_only_table_keeps_the_built_in_devnet(home: Path) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text() + '\n[networks.devnet]\nmax-fee = "0.01"\n')
    devnet = listed(home)["devnet"]
    assert devnet["rpc"] == "http://127.0.0.1:8545"
    assert devnet["chain_id"] == 31337
    assert devnet["max_fee"] == "0.01"


def test_network_add_sets_limits_and_refuses_bad_ones(home: Path) -> None:
    added = run_wallet(
        [
            "--json",
            "network",
            "add",
            "polygon",
            "--chain",
            "evm",
            "--rpc",
            "http://127.0.0.1:1",
            "--chain-id",
            "137",
            "--symbol",
            "POL",
            "--max-fee-per-gas",
            "3000gwei",
            "--max-fee",
            "2",
            "--fee-warn-floor",
            "0.01",
            "--rpc-timeout",
            "3",
        ],
        home=home,
    )
    assert added.returncode == 0, added.stdout
    assert added.json()["max_fee"] == "2"
    row = listed(home)["polygon"]
    assert (row["symbol"], row["max_fee_per_gas_gwei"], row["max_fee"]) == ("POL", "3000", "2")
    assert (row["fee_warn_floor"], row["rpc_timeout"]) == ("0.01", 3.0)
    assert 'max-fee-per-gas = "3000gwei"' in (home / "config.toml").read_text()
    for option, value in [
        ("--max-fee-per-gas", "lots"),
        ("--max-fee", "-1"),
        ("--rpc-timeout", "0"),
        ("--symbol", "two words"),
        ("--max-fee-rate", "0"),
    ]:
        command = ["--json", "network", "add", "other", "--chain", "evm", "--rpc", "http://x"]
        bad = run_wallet([*command, "--chain-id", "5", option, value], home=home)
        assert bad.returncode == 2, (option, bad.stdout)
        assert option in bad.json()["error"]["message"], bad.stdout
    assert "other" not in listed(home)


def test_send_shows_the_native_symbol(anvil_home: Path, devnet: Devnet, chain: Chain) -> None:
    config = anvil_home / "config.toml"
    config.write_text(
        config.read_text()
        + f'\n[networks.devnet]\nchain = "evm"\nrpc = "{devnet.url}"\nchain_id = 31337\n'
        + 'devnet = true\nsymbol = "POL"\n'
    )
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    sent = run_wallet(["--json", "send", "--to", BOB, "--amount", "0.5"], home=anvil_home, env=env)
    assert sent.returncode == 0, sent.stdout
    document = sent.json()
    assert (document["unit"], document["fee_unit"]) == ("POL", "POL")
    text = run_wallet(
        ["send", "--to", BOB, "--amount", "0.25", "--no-wait"], home=anvil_home, env=env
    )
    assert "0.25 POL from" in text.stdout
    assert "POL, nonce" in text.stdout
    assert "ETH" not in text.stdout
    balance = run_wallet(["--json", "balance", BOB], home=anvil_home).json()
    assert balance["asset"] == "POL"
