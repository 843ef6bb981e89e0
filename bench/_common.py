"""Helpers shared by the benchmark scripts in bench/ (not a benchmark itself).

Every process timing runs the venv's own interpreter and console script, with stdin from
/dev/null, output discarded and a new session, so nothing can prompt or reach a terminal.
PYTHONPATH is passed on to them (nothing else starting with PYTHON or WALLET_), so a copy of
the tree can be measured with the same venv: `PYTHONPATH=COPY python COPY/bench/X.py`, with
COPY/.venv and COPY/node_modules linked to the project's.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
WALLET = str(VENV_BIN / "wallet")
BARE = (PYTHON, "-c", "pass")
MNEMONIC = "test test test test test test test test test test test junk"
FIRST_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
HEAVY_MODULES = (
    "web3",
    "eth_account",
    "bip_utils",
    "coincurve",
    "Crypto",
    "cryptography",
    "keyring",
    "rich",
)
FAST_KDF_CONFIG = "[vault]\nkdf_memory_kib = 8192\nkdf_iterations = 1\nkdf_lanes = 1\n"


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()} ({sys.executable})"
    )


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment minus anything that would change what `wallet` reads
    (PYTHONPATH kept: it chooses which copy of the code is measured)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WALLET_", "PYTHON")) or k == "PYTHONPATH"
    }
    env.update(extra or {})
    return env


def run_once(argv: Sequence[str], env: Mapping[str, str], stdin: bytes | None = None) -> float:
    """Wall time in seconds of one process run to completion; fails on a non-zero exit."""
    start = time.perf_counter()
    completed = subprocess.run(
        list(argv),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
        check=False,
        timeout=60,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} exited {completed.returncode}: {completed.stderr.decode()[-500:]}"
        )
    return elapsed


def interleaved(
    ours: Sequence[str], anchor: Sequence[str], env: Mapping[str, str], runs: int, warmup: int = 3
) -> tuple[list[float], list[float]]:
    """`runs` timings of each command, alternating ours/anchor so drift hits both equally."""
    for _ in range(warmup):
        run_once(ours, env)
        run_once(anchor, env)
    ours_times: list[float] = []
    anchor_times: list[float] = []
    for _ in range(runs):
        ours_times.append(run_once(ours, env))
        anchor_times.append(run_once(anchor, env))
    return ours_times, anchor_times


def report_ratio(label: str, ours: list[float], anchor: list[float], target: float) -> bool:
    ours_median = statistics.median(ours)
    anchor_median = statistics.median(anchor)
    ratio = ours_median / anchor_median
    met = ratio <= target
    print(f"{label}")
    print(
        f"  ours   median {ours_median * 1000:7.1f} ms  "
        f"(min {min(ours) * 1000:.1f}, max {max(ours) * 1000:.1f}, n={len(ours)})"
    )
    print(
        f"  anchor median {anchor_median * 1000:7.1f} ms  "
        f"(min {min(anchor) * 1000:.1f}, max {max(anchor) * 1000:.1f}, n={len(anchor)})"
    )
    print(f"  ratio  {ratio:.2f}  target <= {target:g}: {'MET' if met else 'MISSED'}")
    return met


def fast_home() -> Path:
    """A fresh temporary home whose config.toml lowers the vault KDF so set-up is quick."""
    home = Path(tempfile.mkdtemp(prefix="wallet-bench-"))
    config = home / "config.toml"
    config.write_text(FAST_KDF_CONFIG)
    config.chmod(0o600)  # the wallet refuses a config other users can read
    return home


def restore_test_wallet(home: Path) -> None:
    env = child_env({"WALLET_HOME": str(home), "WALLET_PASSPHRASE": "pw"})
    run_once((WALLET, "restore"), env, stdin=(MNEMONIC + "\n").encode())


_HEAVY_CHECK = """
import contextlib, io, json, sys
from wallet_cli.cli import run
with contextlib.redirect_stdout(io.StringIO()):
    code = run({args!r})
heavy = {heavy!r}
loaded = sorted(h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules))
print(json.dumps({{"exit": code, "heavy": loaded, "modules": len(sys.modules)}}))
"""


def heavy_imports(args: Sequence[str], env: Mapping[str, str]) -> dict[str, Any]:
    """Run `wallet ARGS` in-process in a fresh interpreter; which HEAVY_MODULES got loaded."""
    script = _HEAVY_CHECK.format(args=list(args), heavy=list(HEAVY_MODULES))
    out = subprocess.run(
        [PYTHON, "-c", script],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=dict(env),
        start_new_session=True,
        check=True,
        timeout=60,
    ).stdout
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def slowest_imports(
    args: Sequence[str], env: Mapping[str, str], top: int = 6
) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the slowest top-level imports of `wallet ARGS`."""
    script = f"from wallet_cli.cli import run; run({list(args)!r})"
    err = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
        check=True,
        timeout=60,
    ).stderr.decode()
    rows = []
    for line in err.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue  # the header line, or a warning
        name = parts[2]
        if name.startswith(" ") and not name.startswith("  "):  # top level: no nesting
            rows.append((int(parts[1]), name.strip()))
    return sorted(rows, reverse=True)[:top]


def report_imports(args: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Print the heavy-module check and the slowest imports; return the heavy ones loaded."""
    check = heavy_imports(args, env)
    heavy: list[str] = check["heavy"]
    print(
        f"heavy modules imported by `wallet {' '.join(args)}`: {', '.join(heavy) or 'none'} "
        f"(exit {check['exit']}, {check['modules']} modules in sys.modules)"
    )
    print("slowest top-level imports (python -X importtime, cumulative):")
    for micros, name in slowest_imports(args, env):
        print(f"  {micros / 1000:6.1f} ms  {name}")
    return heavy
