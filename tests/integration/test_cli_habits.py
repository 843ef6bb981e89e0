"""Habits of the people who use it (issue 10, items 6-10), through the real `wallet`:
global options after the command, --version, completion, bare `wallet`; headers and no
`None`; `receive`; `wallet use`; errors that say what to do next; devnet port clashes."""

from __future__ import annotations

import re
import socket
from importlib.metadata import version
from pathlib import Path

from tests.conftest import (
    ANVIL_ADDRESS_0,
    PASSPHRASE,
    Devnet,
    clean_env,
    load_vectors,
    run_wallet,
)
from tests.evm_helpers import Chain, free_port

BOB = load_vectors("anvil_accounts.json")["vectors"][1]["address"]
SCAM = "0x000000000532b45f47779fce440748893b257865"
NONE = re.compile(r"\bNone\b")
KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
WORDS = ["abandon"] * 11 + ["about"]


def with_passphrase(**extra: str) -> dict[str, str]:
    return clean_env(WALLET_PASSPHRASE=PASSPHRASE, **extra)


# Item 6: global options where cast users type them, --version, completion, bare `wallet`.


def test_global_options_after_the_subcommand(evm_home: Path, chain: Chain) -> None:
    sent = run_wallet(
        ["send", "--to", BOB, "--amount", "1", "--yes", "--json"],
        home=evm_home,
        env=with_passphrase(),
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.json()["status"] == "success"
    shown = run_wallet(["address", "--home", str(evm_home), "--json", "--wallet", "dev"])
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert shown.json()["addresses"][0]["address"] == ANVIL_ADDRESS_0
    listed = run_wallet(["network", "list", "--json"], home=evm_home)
    assert "devnet" in [row["name"] for row in listed.json()["networks"]]


def test_an_option_value_that_looks_like_a_global_flag_stays_a_value(home: Path) -> None:
    result = run_wallet(
        [
            *("network", "add", "loc", "--chain", "evm", "--rpc", "http://127.0.0.1:1"),
            *("--chain-id", "5", "--symbol", "--json"),
        ],
        home=home,
    )
    assert result.returncode == 2
    assert result.stdout == ""  # no JSON: `--json` was --symbol's value, and refused as one
    assert "--symbol '--json'" in result.stderr


def test_version_bare_wallet_and_completion(home: Path, tmp_path: Path) -> None:
    number = version("wallet")
    assert run_wallet(["--version"]).stdout == f"wallet {number}\n"
    assert run_wallet(["--json", "--version"]).json() == {"version": number}
    bare = run_wallet([])
    assert bare.returncode == 0  # the help, on stdout: documented as exit 0
    assert bare.stdout.startswith("Usage: wallet")
    assert "receive" in bare.stdout
    assert bare.stderr == ""
    group = run_wallet(["network"])
    assert group.returncode == 0
    assert "add" in group.stdout
    env = clean_env(SHELL="/bin/bash", HOME=str(tmp_path))
    script = run_wallet(["--show-completion"], env=env)
    assert script.returncode == 0
    assert "_WALLET_COMPLETE=complete_bash" in script.stdout
    words = clean_env(_WALLET_COMPLETE="complete_bash", COMP_WORDS="wallet rec", COMP_CWORD="1")
    assert "receive" in run_wallet([], env=words).stdout.split()
    installed = run_wallet(["--install-completion"], env=env)
    assert installed.returncode == 0, installed.stderr
    assert (tmp_path / ".bash_completions" / "wallet.sh").exists()


# Item 7: headers, no None, receive.


def test_column_headers_and_no_none_in_text(anvil_home: Path) -> None:
    listing = run_wallet(["list"], home=anvil_home).stdout.splitlines()
    assert listing[0].split() == ["WALLET", "KIND", "ACCOUNT", "FIRST", "ADDRESS"]
    networks = run_wallet(["network", "list"], home=anvil_home).stdout
    assert networks.splitlines()[0].split() == ["NETWORK", "CHAIN", "CHAIN", "ID", "RPC"]
    assert run_wallet(["contacts", "add", "bob", BOB], home=anvil_home).returncode == 0
    contacts = run_wallet(["contacts", "list"], home=anvil_home).stdout.splitlines()
    assert contacts[0].split() == ["NAME", "CHAIN", "ADDRESS"]
    added = run_wallet(["network", "add", "bitcoin-signet", "--chain", "btc"], home=anvil_home)
    assert added.returncode == 0
    for text in (networks, added.stdout, run_wallet(["network", "list"], home=anvil_home).stdout):
        assert not NONE.search(text), text


def test_receive_gives_address_and_payment_uri(anvil_home: Path) -> None:
    evm = run_wallet(["--json", "receive", "--amount", "1.5"], home=anvil_home).json()
    assert evm == {
        "network": "devnet",
        "chain": "evm",
        "address": ANVIL_ADDRESS_0,
        "uri": f"ethereum:{ANVIL_ADDRESS_0}@31337?value=1500000000000000000",
    }
    btc = run_wallet(
        ["--json", "--network", "bitcoin", "receive", "--index", "1", "--amount", "1000sat"],
        home=anvil_home,
    ).json()
    first = run_wallet(
        ["--json", "--network", "bitcoin", "address", "--index", "1"], home=anvil_home
    )
    address = first.json()["addresses"][0]["address"]
    assert btc["address"] == address
    assert btc["uri"] == f"bitcoin:{address}?amount=0.00001"
    plain = run_wallet(["receive"], home=anvil_home)
    assert plain.stdout.splitlines() == [ANVIL_ADDRESS_0, f"ethereum:{ANVIL_ADDRESS_0}@31337"]
    assert run_wallet(["receive", "--amount", "x"], home=anvil_home).returncode == 2


# Item 8: choosing a wallet.


def test_use_sets_the_default_and_ambiguity_says_how_to_pick(anvil_home: Path) -> None:
    restored = run_wallet(
        ["restore", "--name", "other"],
        home=anvil_home,
        stdin=" ".join(WORDS) + "\n",
        env=with_passphrase(),
    )
    assert restored.returncode == 0, restored.stderr
    ambiguous = run_wallet(["address"], home=anvil_home)
    assert ambiguous.returncode == 2
    assert "dev, other" in ambiguous.stderr
    assert "--wallet NAME" in ambiguous.stderr
    assert "wallet use NAME" in ambiguous.stderr
    unknown = run_wallet(["--json", "use", "nope"], home=anvil_home)
    assert unknown.returncode == 2
    assert "dev, other" in unknown.json()["error"]["message"]
    assert run_wallet(["--json", "use", "other"], home=anvil_home).json() == {
        "default_wallet": "other"
    }
    assert 'default_wallet = "other"' in (anvil_home / "config.toml").read_text()
    shown = run_wallet(["--json", "address"], home=anvil_home).json()
    assert shown["addresses"][0]["address"] != ANVIL_ADDRESS_0
    assert run_wallet(["--json", "list"], home=anvil_home).json()["default_wallet"] == "other"
    assert "other*" in run_wallet(["list"], home=anvil_home).stdout


# Item 9: errors that help.


def test_devnet_unreachable_and_no_wallet_say_what_to_do(home: Path) -> None:
    config = home / "config.toml"
    config.write_text(
        config.read_text()
        + f'[networks.devnet]\nchain = "evm"\nrpc = "http://127.0.0.1:{free_port()}"\n'
        + "chain_id = 31337\ndevnet = true\n"
    )
    down = run_wallet(["--json", "balance", BOB], home=home)
    assert down.returncode == 6
    assert "wallet devnet up" in down.json()["error"]["hint"]
    assert (
        "hint: start the local devnet with 'wallet devnet up'"
        in run_wallet(["balance", BOB], home=home).stderr
    )
    empty = run_wallet(["address"], home=home)
    assert empty.returncode == 2
    assert "wallet init" in empty.stderr
    assert "wallet restore" in empty.stderr


def test_passwd_without_a_terminal_names_the_option(anvil_home: Path) -> None:
    result = run_wallet(["--json", "passwd"], home=anvil_home, env=with_passphrase())
    assert result.returncode == 4
    assert "--new-passphrase-file" in result.json()["error"]["message"]


def test_a_key_or_mnemonic_argument_is_never_echoed(home: Path) -> None:
    for args in (
        ["import-key", KEY],
        ["import-key", "0x" + KEY],
        ["restore", *WORDS],
        ["--json", "restore", " ".join(WORDS)],
    ):
        result = run_wallet(args, home=home)
        assert result.returncode == 2
        shown = result.stdout + result.stderr
        assert KEY not in shown
        assert "abandon" not in shown
        assert "not shown" in shown


def test_allow_with_an_unknown_rule_lists_the_ids(anvil_home: Path) -> None:
    result = run_wallet(
        ["--json", "send", "--to", BOB, "--amount", "1", "--allow", "dev-key"], home=anvil_home
    )
    assert result.returncode == 2
    message = result.json()["error"]["message"]
    assert "'dev-key'" in message
    assert "dev-key-sender" in message
    assert "lookalike" in message


def test_a_dev_chain_added_without_devnet_gets_the_hint(
    anvil_home: Path, devnet: Devnet, chain: Chain
) -> None:
    added = run_wallet(
        ["network", "add", "local", "--chain", "evm", "--rpc", devnet.url, "--chain-id", "31337"],
        home=anvil_home,
    )
    assert added.returncode == 0
    refused = run_wallet(
        ["--json", "--network", "local", "send", "--to", BOB, "--amount", "1"],
        home=anvil_home,
        env=with_passphrase(),
    )
    assert refused.returncode == 3
    error = refused.json()["error"]
    assert "dev-key-sender" in [f["rule"] for f in error["screening"]["findings"]]
    assert error["hint"].endswith(
        f"wallet network add local --chain evm --rpc {devnet.url} --chain-id 31337 --devnet"
    )


def test_a_weak_new_passphrase_is_warned_about_never_refused(home: Path) -> None:
    weak = "letmein1"
    result = run_wallet(
        ["restore", "--name", "w"],
        home=home,
        stdin=" ".join(WORDS) + "\n",
        env=clean_env(WALLET_PASSPHRASE=weak),
    )
    assert result.returncode == 0
    assert "warning: the new passphrase for wallet 'w' is weak" in result.stderr
    assert weak not in result.stdout + result.stderr
    strong = run_wallet(
        ["restore", "--name", "s"],
        home=home,
        stdin=" ".join(WORDS) + "\n",
        env=with_passphrase(),
    )
    assert "weak" not in strong.stderr
    new = home / "new.txt"
    new.write_text("password\n")
    changed = run_wallet(
        ["--wallet", "s", "passwd", "--new-passphrase-file", str(new)],
        home=home,
        env=with_passphrase(),
    )
    assert changed.returncode == 0, changed.stderr
    assert "is weak" in changed.stderr
    assert "password" not in changed.stderr


# Item 10: devnet on a taken port; Solana not yet.


def test_devnet_up_on_a_taken_port_is_refused(anvil_home: Path, devnet: Devnet) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_wallet(["--json", "devnet", "up", "--port", str(port)], home=anvil_home)
        assert result.returncode == 2
        assert result.json()["error"]["code"] == "devnet-port-in-use"
    # Another anvil on the port: it must not be taken for ours (a dead pid shown as running).
    fixture_port = devnet.url.rsplit(":", 1)[1]
    result = run_wallet(["--json", "devnet", "up", "--port", fixture_port], home=anvil_home)
    assert result.returncode == 2
    assert f"port {fixture_port}" in result.json()["error"]["message"]
    status = run_wallet(["--json", "devnet", "status"], home=anvil_home).json()
    assert status == {"running": False}


def test_network_add_sol_is_refused(home: Path) -> None:
    result = run_wallet(["--json", "network", "add", "sol", "--chain", "sol"], home=home)
    assert result.returncode == 2
    assert "Solana" in result.json()["error"]["message"]
    rows = run_wallet(["--json", "network", "list"], home=home).json()["networks"]
    assert "sol" not in [row["name"] for row in rows]
