"""Startup cost of `wallet --help` against a bare `python -c pass` of the same interpreter.

Measures: wall time of `.venv/bin/wallet --help` and of `.venv/bin/python -c pass`, 30 runs
each, alternated in one run; reports both medians and their ratio. Target: ratio <= 8.
Also checks, in a fresh interpreter, that `--help` imports none of the heavy modules
(web3, eth_account, bip_utils, coincurve, Crypto, cryptography, keyring, rich), and lists
the slowest top-level imports from `python -X importtime` for diagnosis.

Run: .venv/bin/python bench/startup.py   (about 5 s; exit 1 if a target is missed)
"""

from __future__ import annotations

import sys

from _common import BARE, WALLET, child_env, interleaved, machine, report_imports, report_ratio

RUNS = 30
TARGET_RATIO = 8.0


def main() -> int:
    print(f"machine: {machine()}")
    env = child_env()
    ours, anchor = interleaved((WALLET, "--help"), BARE, env, RUNS)
    met = report_ratio(
        "`wallet --help` vs `python -c pass` (wall time)", ours, anchor, TARGET_RATIO
    )
    heavy = report_imports(["--help"], env)
    print(f"no heavy module imported: {'MET' if not heavy else 'MISSED'}")
    return 0 if met and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
