"""A kill at every file operation of `passwd`, `restore`, `contacts add`, `network add` and a
`send` (its history appends) leaves a home that works.

Unlike the random-moment kills of test_crash_safety.py, these are exhaustive: a first run
counts the operations that change the home (tests/killpoints.py), then one run per
operation dies just before it, and one more per write dies after writing half its bytes.
After each kill: the vault opens with exactly one passphrase, the history verifies (an
interrupted append is pending, never "tampered"), the next command succeeds, and no temp
file or staging folder outlives the next command that takes the lock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from keystore.errors import WrongPassphrase
from tests.conftest import ANVIL_MNEMONIC, PASSPHRASE, Devnet, clean_env, run_wallet
from wallet_cli.store.history import History
from wallet_cli.store.home import Home
from wallet_cli.wallet import Wallet

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
OTHER = "the other passphrase"
PAYEE = "0x00000000000000000000000000000000000a11ce"


@dataclass(frozen=True)
class Trial:
    at: int
    half: bool

    def __str__(self) -> str:
        return f"kill at operation {self.at}{' (half written)' if self.half else ''}"


def run_hooked(args: list[str], home: Path, stdin: str, env: dict[str, str]) -> int:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.killpoints", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**clean_env(**env), "WALLET_HOME": str(home)},
        cwd=ROOT,
        timeout=60,
        start_new_session=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode


def trials(
    args: list[str], template: Path, tmp: Path, stdin: str, env: dict[str, str]
) -> list[Trial]:
    """Every kill point of one run of `args` on a copy of `template`."""
    home, names = tmp / "count-home", tmp / "operations.json"
    shutil.copytree(template, home)
    code = run_hooked(args, home, stdin, {**env, "KILL_AT": "0", "KILL_COUNT_FILE": str(names)})
    assert code == 0, f"the unkilled run failed with {code}"
    operations = json.loads(names.read_text())
    assert operations, "no file operation was counted: the hook is not working"
    points = [Trial(i, False) for i in range(1, len(operations) + 1)]
    points += [Trial(i, True) for i, name in enumerate(operations, 1) if name == "write"]
    return points


def kill_each(
    args: list[str],
    template: Path,
    tmp: Path,
    check: Callable[[Path, Trial], None],
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> int:
    env = env or {}
    points = trials(args, template, tmp, stdin, env)
    for trial in points:
        home = tmp / f"home-{trial.at}-{int(trial.half)}"
        shutil.copytree(template, home)
        extra = {"KILL_AT": str(trial.at), "KILL_HALF": "1" if trial.half else "0"}
        code = run_hooked(args, home, stdin, {**env, **extra})
        assert code == -9, f"{trial}: the process was not killed (exit {code})"
        check(home, trial)
        assert not leftovers(home), f"{trial}: left {leftovers(home)} after the next command"
    print(f"{' '.join(args[:2])}: {len(points)} kill points exercised")
    return len(points)


def leftovers(home: Path) -> list[str]:
    return [
        str(p.relative_to(home))
        for p in home.rglob("*")
        if ".tmp" in p.name or ".staging-" in p.name
    ]


def history_is_sound(home: Path, wallet: str = "dev") -> None:
    """Read-only first (what a kill left must not read as tampering), then via the CLI,
    which completes an interrupted append."""
    result = History(Home(home), wallet).verify()
    assert result.ok, result.problem
    cli = run_wallet(["--json", "--wallet", wallet, "history", "--verify"], home=home)
    assert cli.returncode == 0, cli.stdout
    assert cli.json()["ok"], cli.stdout
    assert History(Home(home), wallet).verify() == type(result)(True, cli.json()["entries"])


def opens_with(home: Path, name: str, passphrase: str) -> bool:
    wallet = Wallet.open(Home(home), name)
    try:
        wallet.unlock(passphrase)
    except WrongPassphrase:
        return False
    return True


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(PASSPHRASE + "\n")
    new.write_text(OTHER + "\n")
    return {"old": old, "new": new}


def test_every_kill_point_of_passwd(
    anvil_home: Path, tmp_path: Path, files: dict[str, Path]
) -> None:
    args = [
        "--passphrase-file",
        str(files["old"]),
        "passwd",
        "--new-passphrase-file",
        str(files["new"]),
    ]

    def check(home: Path, trial: Trial) -> None:
        old, new = opens_with(home, "dev", PASSPHRASE), opens_with(home, "dev", OTHER)
        assert old != new, f"{trial}: the vault opens with {'both' if old else 'neither'}"
        current = files["old"] if old else files["new"]
        again = run_wallet(
            ["--passphrase-file", str(current), "passwd", "--new-passphrase-file", str(current)],
            home=home,
        )
        assert again.returncode == 0, f"{trial}: {again.stderr}"
        history_is_sound(home)

    assert kill_each(args, anvil_home, tmp_path, check) >= 4


def test_every_kill_point_of_restore(anvil_home: Path, tmp_path: Path) -> None:
    args = ["restore", "--name", "second"]
    env = {"WALLET_PASSPHRASE": PASSPHRASE}

    def check(home: Path, trial: Trial) -> None:
        folder = home / "wallets" / "second"
        if folder.exists():
            assert opens_with(home, "second", PASSPHRASE), f"{trial}: a half-made wallet"
        listed = run_wallet(["--json", "list"], home=home).json()["wallets"]
        assert ("second" in [w["name"] for w in listed]) == folder.exists()
        again = run_wallet(
            ["restore", "--name", "third"],
            home=home,
            stdin=ANVIL_MNEMONIC,
            env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
        )
        assert again.returncode == 0, f"{trial}: {again.stderr}"

    assert kill_each(args, anvil_home, tmp_path, check, ANVIL_MNEMONIC, env) >= 6


def test_every_kill_point_of_contacts_add(anvil_home: Path, tmp_path: Path) -> None:
    run_wallet(["contacts", "add", "first", "0x" + "11" * 20], home=anvil_home)
    args = ["contacts", "add", "treasury", "0x" + "22" * 20]

    def check(home: Path, trial: Trial) -> None:
        shown = run_wallet(["--json", "contacts", "list"], home=home)
        assert shown.returncode == 0, f"{trial}: {shown.stdout}"
        names = {c["name"] for c in shown.json()["contacts"]}
        assert names in ({"first"}, {"first", "treasury"}), f"{trial}: {names}"
        again = run_wallet(["contacts", "add", "payroll", "0x" + "33" * 20], home=home)
        assert again.returncode == 0, f"{trial}: {again.stderr}"

    assert kill_each(args, anvil_home, tmp_path, check) >= 4


def test_every_kill_point_of_network_add(anvil_home: Path, tmp_path: Path) -> None:
    args = [
        "network",
        "add",
        "sepolia",
        "--chain",
        "evm",
        "--rpc",
        "http://127.0.0.1:9",
        "--chain-id",
        "11155111",
    ]

    def check(home: Path, trial: Trial) -> None:
        config = tomllib.loads((home / "config.toml").read_text())
        assert config["vault"]["kdf_iterations"] == 1, f"{trial}: settings lost"
        again = run_wallet(
            [
                "network",
                "add",
                "other",
                "--chain",
                "evm",
                "--rpc",
                "http://127.0.0.1:9",
                "--chain-id",
                "5",
            ],
            home=home,
        )
        assert again.returncode == 0, f"{trial}: {again.stderr}"
        names = {
            n["name"]
            for n in run_wallet(["--json", "network", "list"], home=home).json()["networks"]
        }
        assert "other" in names

    assert kill_each(args, anvil_home, tmp_path, check) >= 4


def test_every_kill_point_of_a_send_and_its_history(
    evm_home: Path, tmp_path: Path, devnet: Devnet
) -> None:
    run_wallet(["contacts", "add", "payee", PAYEE], home=evm_home)
    first = run_wallet(
        ["--yes", "send", "--to", PAYEE, "--amount", "1wei"],
        home=evm_home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert first.returncode == 0, first.stderr  # history has entries before the trials
    args = ["--yes", "send", "--to", PAYEE, "--amount", "2wei"]
    env = {"WALLET_PASSPHRASE": PASSPHRASE}

    def check(home: Path, trial: Trial) -> None:
        history_is_sound(home)
        again = run_wallet(
            ["--yes", "send", "--to", PAYEE, "--amount", "3wei"],
            home=home,
            env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
        )
        assert again.returncode == 0, f"{trial}: {again.stderr}"
        history_is_sound(home)
        rows = run_wallet(["--json", "history"], home=home).json()["transactions"]
        assert rows[0]["status"] == "confirmed"
        assert rows[0]["amount"] == "0.000000000000000003"

    assert kill_each(args, evm_home, tmp_path, check, env=env) >= 12
