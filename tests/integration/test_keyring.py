"""The OS keyring against a real Secret Service: gnome-keyring on a private D-Bus session.

The fixture starts `dbus-run-session` with `gnome-keyring-daemon --unlock` inside it and
hands its bus address to each `wallet` process; nothing about the keyring is mocked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, Result, clean_env, run_wallet

pytestmark = pytest.mark.keyring

SESSION_SCRIPT = (
    'printf "%s" "unlock-the-test-keyring" | '
    "gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
    'echo "$DBUS_SESSION_BUS_ADDRESS"; read -r _'
)


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is missing: scripts/setup.sh --dev installs gnome-keyring and dbus"
            )
    # A private HOME and runtime dir: the daemon's keyring files start empty every run, so
    # a developer's own keyrings are neither touched nor able to change the outcome.
    private = tmp_path_factory.mktemp("secret-service")
    runtime = private / "run"
    runtime.mkdir(mode=0o700)
    daemon_env = clean_env(
        HOME=str(private), XDG_DATA_HOME=str(private / "data"), XDG_RUNTIME_DIR=str(runtime)
    )
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "bash", "-c", SESSION_SCRIPT],
        env=daemon_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    address = proc.stdout.readline().strip()
    assert address, "dbus-run-session gave no bus address"
    try:
        yield address
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def with_bus(address: str, **extra: str) -> dict[str, str]:
    env = clean_env(**extra)
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    return env


def export(home: Path, tmp_path: Path, env: dict[str, str], name: str = "k.json") -> Result:
    kpw = tmp_path / "kpw"
    kpw.write_text("file pw\n")
    out = tmp_path / name
    out.unlink(missing_ok=True)
    return run_wallet(
        ["--json", "export-keystore", "--out", str(out), "--keystore-passphrase-file", str(kpw)],
        home=home,
        env=env,
    )


def test_enable_then_unlock_from_the_keyring(
    secret_service: str, anvil_home: Path, tmp_path: Path, passphrase_file: Path
) -> None:
    bus = with_bus(secret_service)
    status = run_wallet(["--json", "keyring", "status"], home=anvil_home, env=bus).json()
    assert status["available"] is True
    assert "SecretService" in status["backend"]
    assert status["enabled"] is False
    assert export(anvil_home, tmp_path, bus).returncode == 4

    enabled = run_wallet(
        ["--json", "--passphrase-file", str(passphrase_file), "keyring", "enable"],
        home=anvil_home,
        env=bus,
    )
    assert enabled.returncode == 0, enabled.stderr
    status = run_wallet(["--json", "keyring", "status"], home=anvil_home, env=bus).json()
    assert status["enabled"] is True
    assert status["stored"] is True
    assert export(anvil_home, tmp_path, bus).returncode == 0

    new = tmp_path / "new"
    new.write_text("rotated passphrase\n")
    changed = run_wallet(["passwd", "--new-passphrase-file", str(new)], home=anvil_home, env=bus)
    assert changed.returncode == 0, changed.stderr
    assert export(anvil_home, tmp_path, bus, "after-passwd.json").returncode == 0

    disabled = run_wallet(["--json", "keyring", "disable"], home=anvil_home, env=bus)
    assert disabled.json() == {"wallet": "dev", "keyring": False, "removed": True}
    assert export(anvil_home, tmp_path, bus, "after-disable.json").returncode == 4


def test_enable_refuses_a_wrong_passphrase(secret_service: str, anvil_home: Path) -> None:
    bus = with_bus(secret_service, WALLET_PASSPHRASE="not it")
    result = run_wallet(["--json", "keyring", "enable"], home=anvil_home, env=bus)
    assert result.returncode == 4
    status = run_wallet(["--json", "keyring", "status"], home=anvil_home, env=bus).json()
    assert status["enabled"] is False


def test_a_stale_keyring_entry_is_reported(
    secret_service: str, anvil_home: Path, tmp_path: Path
) -> None:
    bus = with_bus(secret_service, WALLET_PASSPHRASE=PASSPHRASE)
    assert run_wallet(["keyring", "enable"], home=anvil_home, env=bus).returncode == 0
    account = f"{anvil_home}:dev"
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import keyring; keyring.set_password('wallet', {account!r}, 'stale')",
        ],
        env=bus,
        check=True,
    )
    result = export(anvil_home, tmp_path, with_bus(secret_service))
    assert result.returncode == 4
    assert "keyring" in result.json()["error"]["message"]


def test_without_a_keyring_backend_it_says_so_and_falls_back(
    anvil_home: Path, tmp_path: Path
) -> None:
    no_backend = clean_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    status = run_wallet(["keyring", "status"], home=anvil_home, env=no_backend)
    assert status.returncode == 0
    assert "no usable OS keyring" in status.stdout
    enable = run_wallet(
        ["--json", "keyring", "enable"],
        home=anvil_home,
        env={**no_backend, "WALLET_PASSPHRASE": PASSPHRASE},
    )
    assert enable.returncode == 1
    assert enable.json()["error"]["code"] == "keyring-unavailable"
    # A wallet whose config says keyring, on a machine without one, uses the next source.
    (anvil_home / "config.toml").write_text(
        (anvil_home / "config.toml").read_text() + "\n[wallets.dev]\nkeyring = true\n"
    )
    fallback = export(anvil_home, tmp_path, {**no_backend, "WALLET_PASSPHRASE": PASSPHRASE})
    assert fallback.returncode == 0, fallback.stderr
    assert export(anvil_home, tmp_path, no_backend, "none.json").returncode == 4
