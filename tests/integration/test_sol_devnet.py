"""`wallet devnet up|status|down --chain sol`, for real: the local Solana node started as a
detached process, the dev mnemonic's Solana addresses funded on it, and `solana-localnet`
pointing at it while it runs."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from chains.sol.devnet import is_localnode, stop
from tests.conftest import ANVIL_MNEMONIC, run_wallet
from tests.evm_helpers import free_port
from tests.sol_fixtures import bip_utils_addresses

SOL = ["--chain", "sol"]


@pytest.fixture
def started() -> Iterator[list[int]]:
    """Pids a test started; any still running at the end is stopped (by pid, checked)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        stop(pid)


def test_up_balance_status_down(anvil_home: Path, started: list[int]) -> None:
    port = free_port()
    up = run_wallet(["--json", "devnet", "up", *SOL, "--port", str(port)], home=anvil_home)
    assert up.returncode == 0, up.stdout + up.stderr
    state = up.json()
    started.append(state["pid"])
    assert state["rpc"] == f"http://127.0.0.1:{port}"
    assert state["network"] == "solana-localnet"
    assert state["mnemonic"] == ANVIL_MNEMONIC
    assert state["funded"] == bip_utils_addresses(10)
    assert state["balance"] == "100"
    assert is_localnode(state["pid"])
    cmdline = Path(f"/proc/{state['pid']}/cmdline").read_bytes().split(b"\0")
    assert cmdline[cmdline.index(b"--port") + 1] == str(port).encode()
    assert os.getpgid(state["pid"]) == state["pid"]  # its own process group: it outlives us
    saved = json.loads((anvil_home / "devnet" / "sol-state.json").read_text())
    assert saved["pid"] == state["pid"]

    for index in (0, 9):
        balance = run_wallet(
            ["--json", "--network", "solana-localnet", "balance", "--index", str(index)],
            home=anvil_home,
        )
        assert balance.returncode == 0, balance.stdout + balance.stderr
        assert balance.json()["address"] == state["funded"][index]
        assert balance.json()["balance"] == "100"
        assert balance.json()["base_units"] == str(100 * 10**9)
    text = run_wallet(["devnet", "up", *SOL, "--port", str(port)], home=anvil_home)
    assert text.returncode == 2  # already running: devnet-running

    status = run_wallet(["--json", "devnet", "status", *SOL], home=anvil_home).json()
    assert status["running"] is True
    assert status["pid"] == state["pid"]
    assert status["rpc"] == state["rpc"]
    # The EVM devnet is another one, and does not run.
    evm = run_wallet(["--json", "devnet", "status"], home=anvil_home).json()
    assert evm["running"] is False

    down = run_wallet(["--json", "devnet", "down", *SOL], home=anvil_home)
    assert down.returncode == 0, down.stderr
    assert down.json()["stopped"] is True
    assert down.json()["pid"] == state["pid"]
    assert not is_localnode(state["pid"])
    assert not (anvil_home / "devnet" / "sol-state.json").exists()
    after = run_wallet(["--json", "devnet", "status", *SOL], home=anvil_home).json()
    assert after["running"] is False
    again = run_wallet(["--json", "devnet", "down", *SOL], home=anvil_home)
    assert again.json()["stopped"] is False


def test_up_twice_is_devnet_running(anvil_home: Path, started: list[int]) -> None:
    first = run_wallet(
        ["--json", "devnet", "up", *SOL, "--port", str(free_port())], home=anvil_home
    )
    assert first.returncode == 0, first.stdout + first.stderr
    started.append(first.json()["pid"])
    second = run_wallet(
        ["--json", "devnet", "up", *SOL, "--port", str(free_port())], home=anvil_home
    )
    assert second.returncode == 2
    assert second.json()["error"]["code"] == "devnet-running"
    assert str(first.json()["pid"]) in second.json()["error"]["message"]
    assert run_wallet(["--json", "devnet", "down", *SOL], home=anvil_home).json()["stopped"]


def test_port_in_use_starts_nothing(anvil_home: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_wallet(["--json", "devnet", "up", *SOL, "--port", str(port)], home=anvil_home)
    assert result.returncode == 2
    assert result.json()["error"]["code"] == "devnet-port-in-use"
    assert not (anvil_home / "devnet" / "sol-state.json").exists()
    status = run_wallet(["--json", "devnet", "status", *SOL], home=anvil_home).json()
    assert status["running"] is False


def test_down_never_kills_a_pid_that_is_not_the_local_node(anvil_home: Path) -> None:
    folder = anvil_home / "devnet"
    folder.mkdir(mode=0o700)
    (folder / "sol-state.json").write_text(f'{{"pid": {os.getpid()}, "port": 1}}')
    result = run_wallet(["--json", "devnet", "down", *SOL], home=anvil_home)
    assert result.json()["stopped"] is False  # our own pytest process is still alive


def test_unknown_chain_is_refused(anvil_home: Path) -> None:
    for command in ("up", "down", "status"):
        result = run_wallet(["--json", "devnet", command, "--chain", "btc"], home=anvil_home)
        assert result.returncode == 2
        assert result.json()["error"]["code"] == "bad-input"
    assert not (anvil_home / "devnet").exists()
