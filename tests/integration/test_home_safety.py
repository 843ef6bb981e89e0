"""The home is trusted only while no one else can touch it, a busy lock is waited for in the
open and for a bounded time, a killed writer's leftovers are swept by the next command, and
a crash of a process holding a secret writes no core file."""

from __future__ import annotations

import fcntl
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import (
    ANVIL_ADDRESS_0,
    ANVIL_MNEMONIC,
    PASSPHRASE,
    WALLET_BIN,
    clean_env,
    run_wallet,
)
from tests.evm_helpers import Chain

CONTACT = "0x" + "22" * 20


# --- permissions -------------------------------------------------------------------------


def test_a_home_readable_by_others_is_put_back_to_0700(anvil_home: Path) -> None:
    os.chmod(anvil_home, 0o755)
    os.chmod(anvil_home / "wallets" / "dev", 0o755)
    result = run_wallet(["--json", "address"], home=anvil_home)
    assert result.returncode == 0, result.stdout
    assert result.json()["addresses"][0]["address"] == ANVIL_ADDRESS_0
    assert "set to 0700" in result.stderr
    assert oct(anvil_home.stat().st_mode & 0o777) == "0o700"
    assert oct((anvil_home / "wallets" / "dev").stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize("where", [".", "wallets", "wallets/dev"])
def test_a_folder_others_can_write_is_refused(anvil_home: Path, where: str) -> None:
    folder = anvil_home / where
    os.chmod(folder, 0o777)
    result = run_wallet(["--json", "address"], home=anvil_home)
    assert result.returncode == 2, result.stdout
    error = result.json()["error"]
    assert error["code"] == "unsafe-permissions"
    assert f"chmod 700 {folder}" in error["message"]
    assert oct(folder.stat().st_mode & 0o777) == "0o777"  # not silently "fixed"


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("config.toml", 0o644),
        ("config.toml", 0o620),
        ("wallets/dev/vault.json", 0o640),
        ("wallets/dev/public.json", 0o666),
    ],
)
def test_a_home_file_others_can_read_or_write_is_refused(
    anvil_home: Path, name: str, mode: int
) -> None:
    path = anvil_home / name
    os.chmod(path, mode)
    result = run_wallet(["address"], home=anvil_home)
    assert result.returncode == 2
    assert f"chmod 600 {path}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_symlinked_config_is_refused(anvil_home: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.toml"
    real.write_bytes((anvil_home / "config.toml").read_bytes())
    (anvil_home / "config.toml").unlink()
    (anvil_home / "config.toml").symlink_to(real)
    result = run_wallet(["address"], home=anvil_home)
    assert result.returncode == 2
    assert "symbolic link" in result.stderr


def test_the_devnet_log_is_private(home: Path) -> None:
    from tests.evm_helpers import free_port

    up = run_wallet(["devnet", "up", "--port", str(free_port())], home=home, timeout=60)
    try:
        assert up.returncode == 0, up.stderr
        log = home / "devnet" / "anvil.log"
        assert oct(log.stat().st_mode & 0o777) == "0o600"
    finally:
        run_wallet(["devnet", "down"], home=home)


# --- locks -------------------------------------------------------------------------------


@contextmanager
def held(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


def test_a_busy_home_lock_is_said_and_given_up_on(anvil_home: Path) -> None:
    env = clean_env(WALLET_LOCK_TIMEOUT="2.5")
    with held(anvil_home / ".lock"):
        started = time.monotonic()
        result = run_wallet(["--json", "contacts", "add", "a", CONTACT], home=anvil_home, env=env)
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    error = result.json()["error"]
    assert error["code"] == "lock-timeout"
    assert f"held by wallet process {os.getpid()}" in error["message"]
    assert "waiting for the home folder's lock" in result.stderr
    assert 2.5 <= elapsed < 8
    assert not (anvil_home / "contacts.json").exists()


def test_a_lock_released_in_time_lets_the_command_finish(anvil_home: Path) -> None:
    env = clean_env(WALLET_LOCK_TIMEOUT="20", WALLET_HOME=str(anvil_home))
    fd = os.open(anvil_home / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    process = subprocess.Popen(
        [WALLET_BIN, "contacts", "add", "a", CONTACT],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        assert process.stderr is not None
        said = process.stderr.readline().decode()  # blocks until the wallet says it waits
    finally:
        os.close(fd)  # released only once the wallet is waiting for it
    out, rest = process.communicate(timeout=60)
    assert process.returncode == 0, said + rest.decode()
    assert "waiting for the home folder's lock" in said
    assert "contact 'a'" in out.decode()


def test_a_busy_account_lock_stops_a_send_before_signing(evm_home: Path, chain: Chain) -> None:
    from wallet_cli.store.home import Home

    nonce = chain.nonce(ANVIL_ADDRESS_0)
    env = clean_env(WALLET_LOCK_TIMEOUT="2", WALLET_PASSPHRASE=PASSPHRASE)
    with Home(evm_home).account_lock(f"evm-31337-{ANVIL_ADDRESS_0}"):
        result = run_wallet(
            ["--json", "--yes", "send", "--to", CONTACT, "--amount", "1wei"],
            home=evm_home,
            env=env,
        )
    assert result.returncode == 1, result.stdout
    assert result.json()["error"]["code"] == "lock-timeout"
    assert "the account" in result.json()["error"]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


# --- leftovers ---------------------------------------------------------------------------


def test_the_next_locking_command_sweeps_what_killed_writers_left(anvil_home: Path) -> None:
    (anvil_home / "history").mkdir(mode=0o700)
    planted = [
        anvil_home / ".config.toml.0a1b2c.tmp",
        anvil_home / ".contacts.json.0a1b2c.tmp",
        anvil_home / "wallets" / "dev" / ".vault.json.0a1b2c.tmp",
        anvil_home / "history" / ".dev.head.0a1b2c.tmp",
    ]
    for path in planted:
        path.write_bytes(b"half a file")
    staging = anvil_home / "wallets" / ".staging-0a1b2c"
    staging.mkdir(mode=0o700)
    (staging / "vault.json").write_bytes(b"{")
    result = run_wallet(["contacts", "add", "a", CONTACT], home=anvil_home)
    assert result.returncode == 0, result.stderr
    assert [p for p in planted if p.exists()] == []
    assert not staging.exists()


# --- core dumps --------------------------------------------------------------------------


def _unlimited_cores() -> None:
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def _crash(args: list[str], cwd: Path, stdin: str, env: dict[str, str]) -> tuple[str, int]:
    """Start a process with core dumps allowed, let it block holding `stdin`, read its
    limits, then crash it with SIGSEGV."""
    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env=env,
        preexec_fn=_unlimited_cores,
    )
    assert proc.stdin is not None
    proc.stdin.write(stdin.encode())
    proc.stdin.flush()
    time.sleep(1.5)  # the process is now blocked reading the rest of stdin
    limits = Path(f"/proc/{proc.pid}/limits").read_text()
    os.kill(proc.pid, signal.SIGSEGV)
    code = proc.wait(timeout=30)
    proc.stdin.close()
    return limits, code


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux core dump settings")
def test_a_crash_while_holding_a_mnemonic_writes_no_core(home: Path, tmp_path: Path) -> None:
    if resource.getrlimit(resource.RLIMIT_CORE)[1] == 0:
        pytest.skip("this test process may not allow core dumps at all (hard limit 0)")
    env = clean_env(WALLET_HOME=str(home), WALLET_PASSPHRASE=PASSPHRASE)
    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    limits, code = _crash(
        [WALLET_BIN, "restore", "--name", "x"], crash_dir, ANVIL_MNEMONIC + "\n", env
    )
    core_line = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
    assert core_line.split()[4:6] == ["0", "0"], core_line
    assert code == -signal.SIGSEGV
    assert list(crash_dir.iterdir()) == []
    # The control: the same crash of a process that does not protect itself leaves a core,
    # where this machine writes cores to the working folder at all.
    control_dir = tmp_path / "control"
    control_dir.mkdir()
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    _crash([sys.executable, "-c", "import sys; sys.stdin.read()"], control_dir, "x\n", env)
    if pattern.startswith("|") or "/" in pattern:
        pytest.skip(f"cores go to {pattern!r}, not the working folder: limits checked only")
    assert list(control_dir.iterdir()), "the control crash left no core: the test proves nothing"
