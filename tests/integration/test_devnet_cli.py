"""`wallet devnet up|down|status` and `wallet network add|list|remove`, for real."""

from __future__ import annotations

import os
from pathlib import Path

from chains.evm.anvil import DEV_MNEMONIC, is_anvil
from tests.conftest import ANVIL_ADDRESS_0, run_wallet
from tests.evm_helpers import free_port


def test_devnet_up_status_down(anvil_home: Path) -> None:
    port = free_port()
    up = run_wallet(["--json", "devnet", "up", "--port", str(port)], home=anvil_home)
    assert up.returncode == 0, up.stdout + up.stderr
    state = up.json()
    try:
        assert state["rpc"] == f"http://127.0.0.1:{port}"
        assert state["chain_id"] == 31337
        assert state["mnemonic"] == DEV_MNEMONIC
        assert is_anvil(state["pid"])
        cmdline = Path(f"/proc/{state['pid']}/cmdline").read_bytes().split(b"\0")
        assert b"--prune-history" in cmdline
        assert cmdline[cmdline.index(b"--host") + 1] == b"127.0.0.1"
        environ = Path(f"/proc/{state['pid']}/environ").read_bytes().split(b"\0")
        assert f"HOME={anvil_home / 'devnet'}".encode() in environ
        status = run_wallet(["--json", "devnet", "status"], home=anvil_home).json()
        assert status["running"] is True
        assert status["pid"] == state["pid"]
        again = run_wallet(["--json", "devnet", "up", "--port", str(port)], home=anvil_home)
        assert again.returncode == 2
        balance = run_wallet(["--json", "balance"], home=anvil_home).json()
        assert balance["address"] == ANVIL_ADDRESS_0
        assert balance["balance"] == "10000"
    finally:
        down = run_wallet(["--json", "devnet", "down"], home=anvil_home)
    assert down.json()["stopped"] is True
    assert not is_anvil(state["pid"])
    assert run_wallet(["--json", "devnet", "status"], home=anvil_home).json()["running"] is False
    assert run_wallet(["--json", "devnet", "down"], home=anvil_home).json()["stopped"] is False


def test_down_never_kills_a_pid_that_is_not_anvil(anvil_home: Path) -> None:
    folder = anvil_home / "devnet"
    folder.mkdir(mode=0o700)
    (folder / "state.json").write_text(f'{{"pid": {os.getpid()}, "port": 1, "chain_id": 31337}}')
    result = run_wallet(["--json", "devnet", "down"], home=anvil_home)
    assert result.json()["stopped"] is False  # our own pytest process is still alive


def test_network_add_list_remove(anvil_home: Path) -> None:
    added = run_wallet(
        [
            "--json",
            "network",
            "add",
            "sepolia",
            "--chain",
            "evm",
            "--rpc",
            "https://rpc.example.invalid",
            "--chain-id",
            "11155111",
        ],
        home=anvil_home,
    )
    assert added.returncode == 0
    listed = run_wallet(["--json", "network", "list"], home=anvil_home).json()["networks"]
    names = {n["name"]: n for n in listed}
    assert names["sepolia"]["chain_id"] == 11155111
    assert names["devnet"]["chain_id"] == 31337
    assert run_wallet(["network", "remove", "sepolia"], home=anvil_home).returncode == 0
    missing = run_wallet(["--json", "network", "remove", "sepolia"], home=anvil_home)
    assert missing.returncode == 2
    for bad in (
        ["--chain", "evm", "--rpc", "http://x"],
        ["--chain", "doge"],
        ["--chain", "evm", "--rpc", "ftp://x", "--chain-id", "1"],
    ):
        assert run_wallet(["network", "add", "bad", *bad], home=anvil_home).returncode == 2
