"""Killed and concurrent `wallet` processes never lose or corrupt the home.

Each kill trial starts a real process and SIGKILLs it at a random moment spread over its
whole run time; afterwards the vault must open with either the old or the new passphrase.
The trials count the kills that landed (most must), but a random moment seldom falls inside
a write: test_kill_points.py kills at every write, fsync and rename, one by one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from keystore.errors import WrongPassphrase
from tests.conftest import ANVIL_ADDRESS_0, ANVIL_MNEMONIC, WALLET_BIN, clean_env, run_wallet
from wallet_cli.store.home import Home
from wallet_cli.wallet import Wallet

pytestmark = pytest.mark.slow
TRIALS = 30


def start(args: list[str], home: Path, stdin: str = "", **env: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [WALLET_BIN, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=clean_env(WALLET_HOME=str(home), **env),
        start_new_session=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    return proc


def run_and_kill(proc: subprocess.Popen[str], after: float) -> bool:
    """True when the kill landed: the process was still running and died of it."""
    time.sleep(after)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    return proc.wait(timeout=30) == -signal.SIGKILL


def timed(args: list[str], home: Path, stdin: str = "", **env: str) -> float:
    started = time.monotonic()
    assert start(args, home, stdin, **env).wait(timeout=60) == 0
    return time.monotonic() - started


def opens_with(home: Path, name: str, passphrase: str) -> bool:
    wallet = Wallet.open(Home(home), name)
    try:
        wallet.unlock(passphrase)
    except WrongPassphrase:
        return False
    assert wallet.addresses("evm", [0])[0].address == ANVIL_ADDRESS_0
    return True


def test_killed_passwd_leaves_the_old_or_the_new_vault(anvil_home: Path, tmp_path: Path) -> None:
    from tests.conftest import PASSPHRASE

    files = {}
    for label, value in (("a", PASSPHRASE), ("b", "the other passphrase")):
        files[label] = tmp_path / label
        files[label].write_text(value + "\n")
    values = {label: path.read_text().strip() for label, path in files.items()}
    current, other = "a", "b"

    def args(old: str, new: str) -> list[str]:
        return [
            "--passphrase-file",
            str(files[old]),
            "passwd",
            "--new-passphrase-file",
            str(files[new]),
        ]

    duration = timed(args(current, other), anvil_home)
    current, other = other, current
    rng = random.Random(1234)
    outcomes = {"old": 0, "new": 0}
    landed = 0
    for _ in range(TRIALS):
        landed += run_and_kill(
            start(args(current, other), anvil_home), rng.uniform(0, duration * 1.1)
        )
        if opens_with(anvil_home, "dev", values[other]):
            outcomes["new"] += 1
            current, other = other, current
        else:
            assert opens_with(anvil_home, "dev", values[current]), "vault opens with neither"
            outcomes["old"] += 1
    print(f"passwd kill trials: {outcomes}, {landed} kills landed")
    assert outcomes["old"] + outcomes["new"] == TRIALS
    assert landed >= TRIALS // 2


def test_killed_restore_leaves_no_wallet_or_a_whole_one(anvil_home: Path) -> None:
    from tests.conftest import PASSPHRASE

    duration = timed(
        ["restore", "--name", "probe"], anvil_home, ANVIL_MNEMONIC, WALLET_PASSPHRASE=PASSPHRASE
    )
    rng = random.Random(99)
    whole = landed = 0
    for trial in range(TRIALS):
        name = f"r{trial}"
        proc = start(
            ["restore", "--name", name], anvil_home, ANVIL_MNEMONIC, WALLET_PASSPHRASE=PASSPHRASE
        )
        landed += run_and_kill(proc, rng.uniform(0, duration * 1.1))
        folder = anvil_home / "wallets" / name
        if folder.exists():
            assert opens_with(anvil_home, name, PASSPHRASE)
            whole += 1
        listed = run_wallet(["--json", "list"], home=anvil_home).json()["wallets"]
        assert (name in [w["name"] for w in listed]) == folder.exists()
    # The next successful write sweeps what killed runs left in staging.
    assert (
        run_wallet(
            ["restore", "--name", "last"],
            home=anvil_home,
            stdin=ANVIL_MNEMONIC,
            env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
        ).returncode
        == 0
    )
    assert not list((anvil_home / "wallets").glob(".staging-*"))
    print(f"restore kill trials: {whole} whole wallets of {TRIALS}, {landed} kills landed")
    assert landed >= TRIALS // 2


def test_concurrent_writers_lose_nothing(anvil_home: Path) -> None:
    from tests.conftest import PASSPHRASE

    procs = []
    for i in range(6):
        procs.append(
            start(
                ["restore", "--name", f"c{i}"],
                anvil_home,
                ANVIL_MNEMONIC,
                WALLET_PASSPHRASE=PASSPHRASE,
            )
        )
        procs.append(
            start(
                ["--wallet", "dev", "address", "--index", str(100 + 10 * i), "--count", "3"],
                anvil_home,
            )
        )
        procs.append(
            start(
                ["--wallet", "dev", "keyring", "disable"],
                anvil_home,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            )
        )
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    names = Home(anvil_home).wallet_names()
    assert names == sorted(["dev", *(f"c{i}" for i in range(6))])
    cached = Wallet.open(Home(anvil_home), "dev").public.chains["evm"].addresses
    for i in range(6):
        for offset in range(3):
            assert 100 + 10 * i + offset in cached
    config = tomllib.loads((anvil_home / "config.toml").read_text())
    assert config["wallets"]["dev"]["keyring"] is False
    assert config["vault"]["kdf_iterations"] == 1  # the person's settings survived
