"""docs/library.md stays true: its script runs, as written, against a real anvil and pays;
its error path prints code, kind and message; its exit-code table is the CLI's own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import PASSPHRASE, clean_env

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "library.md"
PAYEE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def script() -> str:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)
    assert blocks, "docs/library.md has no python block"
    return str(blocks[0])


def run_script(tmp_path: Path, home: Path, passphrase: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "pay.py"
    path.write_text(script())
    secret = tmp_path / "passphrase.txt"
    secret.write_text(passphrase + "\n")
    secret.chmod(0o600)
    proc = subprocess.run(
        [sys.executable, str(path), str(secret)],
        capture_output=True,
        text=True,
        env=clean_env(WALLET_HOME=str(home)),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_the_script_is_short() -> None:
    lines = [line for line in script().splitlines() if line.strip()]
    assert len(lines) < 20, lines


def test_the_script_screens_and_sends(tmp_path: Path, evm_home: Path, chain: Any) -> None:
    before = chain.balance(PAYEE)
    proc = run_script(tmp_path, evm_home, PASSPHRASE)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] in ("screening: ok", "screening: info"), proc.stdout  # a first payment
    assert re.fullmatch(r"tx 0x[0-9a-f]{64}: success", lines[1]), proc.stdout
    assert chain.balance(PAYEE) - before == 10**16


def test_the_scripts_errors_carry_code_kind_and_message(
    tmp_path: Path, evm_home: Path, chain: Any
) -> None:
    before = chain.balance(PAYEE)
    proc = run_script(tmp_path, evm_home, "not the passphrase")
    assert proc.returncode == 1
    assert proc.stderr.startswith("wrong-passphrase (auth): "), proc.stderr
    assert "not the passphrase" not in proc.stderr + proc.stdout
    assert chain.balance(PAYEE) == before


def test_the_exit_code_table_is_the_clis() -> None:
    from wallet_cli.cli.exits import EXIT_CODES

    rows = re.findall(r"^\| `(\w+)` \| (\d) \|", PAGE.read_text(), re.MULTILINE)
    assert {kind: int(code) for kind, code in rows} == EXIT_CODES


def test_the_readme_links_the_page() -> None:
    assert "docs/library.md" in (ROOT / "README.md").read_text()
