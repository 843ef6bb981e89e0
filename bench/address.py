"""`wallet address` for an already-derived address against a bare `python -c pass`.

Set-up: a temporary home whose config.toml lowers the vault KDF (so set-up is quick), and a
wallet restored from the standard test mnemonic; restore caches indexes 0-9 in public.json,
so `wallet address` (index 0, the default) only reads public data: no passphrase, no KDF,
no derivation. Measures: wall time of `WALLET_HOME=<home> .venv/bin/wallet address` and of
`.venv/bin/python -c pass`, 30 runs each, alternated in one run; reports both medians and
their ratio. Target: ratio <= 25. Also lists the heavy modules and slowest imports of the
command, for diagnosis.

Run: .venv/bin/python bench/address.py   (about 10 s; exit 1 if the target is missed)
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from _common import (
    BARE,
    FIRST_ADDRESS,
    WALLET,
    child_env,
    fast_home,
    interleaved,
    machine,
    report_imports,
    report_ratio,
    restore_test_wallet,
)

RUNS = 30
TARGET_RATIO = 25.0


def main() -> int:
    print(f"machine: {machine()}")
    home = fast_home()
    try:
        restore_test_wallet(home)
        env = child_env({"WALLET_HOME": str(home)})
        shown = subprocess.run(
            [WALLET, "address"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=env,
            start_new_session=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        assert FIRST_ADDRESS in shown, shown
        ours, anchor = interleaved((WALLET, "address"), BARE, env, RUNS)
        met = report_ratio(
            "`wallet address` (index 0, cached) vs `python -c pass` (wall time)",
            ours,
            anchor,
            TARGET_RATIO,
        )
        report_imports(["address"], env)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
