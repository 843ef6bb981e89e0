"""`wallet check` and `wallet send --dry-run` on a home with 200,000 history entries, against
the same commands on a fresh home, in the same run.

Set-up: two temporary homes whose config.toml lowers the vault KDF, each with the standard
test mnemonic restored as wallet `dev`. Into the big one, 200,000 history entries are
written through `History.append_many` in chunks of 5,000 (so the journal is a valid hash
chain, and the index is kept up to date the way every append keeps it): signed transfers to
1,000 recurring recipients (with a 116-byte signed transaction each), each followed by its
`broadcast` and `confirmed`, and an incoming transfer (some flagged as dust) every tenth
entry, about 360 bytes a line as a real journal has. The fresh home has no history.
For `send --dry-run`, anvil is started by the wallet (`wallet devnet up --port P` in the
fresh home) and both homes name it as network `benchnet` (`wallet network add`).

Ours: `wallet --network benchnet check ADDRESS --offline` and `wallet --network benchnet send
--to ADDRESS --amount 0.001 --dry-run --yes` on the big home; anchor: the same on the fresh
home; interleaved runs after warm-up, medians. Target: ours / anchor <= 1.2 for each.
Afterwards `wallet devnet down` (anvil's pid killed if it still runs) and the homes removed.

Run: .venv/bin/python bench/history.py [--no-anvil]   (about a minute; exit 1 if a target
is missed; --no-anvil measures `check` only)
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import (
    WALLET,
    child_env,
    fast_home,
    machine,
    report_ratio,
    restore_test_wallet,
    run_once,
)

from wallet_cli.store.history import History
from wallet_cli.store.home import Home

ENTRIES = 200_000
CHUNK = 5_000
RECIPIENTS = 1_000
NETWORK = "benchnet"
TARGET = 1.2
RUNS = 15
DESTINATION = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # the mnemonic's address 1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wallet(home: Path, args: list[str]) -> dict[str, Any]:
    env = child_env({"WALLET_HOME": str(home), "WALLET_PASSPHRASE": "pw"})
    done = subprocess.run(
        [WALLET, "--json", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        start_new_session=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise SystemExit(f"wallet {' '.join(args)} exited {done.returncode}: {done.stderr!r}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def entries(count: int) -> list[dict[str, Any]]:
    """A script user's history: transfers to recurring recipients, and incoming ones."""
    made: list[dict[str, Any]] = []
    n = 0
    while len(made) < count:
        n += 1
        tx_hash = f"0x{n:064x}"
        if n % 10 == 0:
            made.append(
                {
                    "event": "incoming",
                    "network": NETWORK,
                    "direction": "in",
                    "counterparty": f"0x{n % 5000 + 1:040x}",
                    "tx_hash": tx_hash,
                    "log_index": 0,
                    "value_base": "1",
                    "flags": ["dust"] if n % 30 == 0 else [],
                    "summary": "a 0.000000000000000001 ETH transfer",
                }
            )
            continue
        made.append(
            {
                "event": "signed",
                "network": NETWORK,
                "chain_id": 31337,
                "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                "to": f"0x{n % RECIPIENTS + 1:040x}",
                "amount": "0.001",
                "amount_base": str(10**15),
                "unit": "ETH",
                "token": None,
                "nonce": n,
                "tx_hash": tx_hash,
                "raw": "0x02f8" + "ab" * 113,
                "dry_run": False,
                "screening": "pass",
            }
        )
        made.append({"event": "broadcast", "tx_hash": tx_hash})
        made.append({"event": "confirmed", "tx_hash": tx_hash, "block": n})
    return made[:count]


def fill(home: Path) -> float:
    history = History(Home(home), "dev")
    start = time.perf_counter()
    batch = entries(ENTRIES)
    for first in range(0, ENTRIES, CHUNK):
        history.append_many(batch[first : first + CHUNK])
    return time.perf_counter() - start


def main() -> int:
    use_anvil = "--no-anvil" not in sys.argv
    print(f"machine: {machine()}")
    fresh, big = fast_home(), fast_home()
    up = False
    try:
        for home in (fresh, big):
            restore_test_wallet(home)
        seconds = fill(big)
        journal = big / "history" / "dev.jsonl"
        print(
            f"history: {ENTRIES:,} entries, {journal.stat().st_size / 1e6:.1f} MB journal, "
            f"index {(big / 'history' / 'dev.index.sqlite').stat().st_size / 1e6:.1f} MB, "
            f"written in {seconds:.1f} s"
        )
        port = free_port()
        if use_anvil:
            wallet(fresh, ["devnet", "up", "--port", str(port)])
            up = True
        for home in (fresh, big):
            rpc = f"http://127.0.0.1:{port}"
            add = ["network", "add", NETWORK, "--chain", "evm", "--rpc", rpc]
            wallet(home, [*add, "--chain-id", "31337", "--devnet"])
        met = True
        commands = [["check", DESTINATION, "--offline"]]
        if use_anvil:
            commands.append(
                ["send", "--to", DESTINATION, "--amount", "0.001", "--dry-run", "--yes"]
            )
        for args in commands:
            argv = [WALLET, "--json", "--network", NETWORK, *args]
            ours, anchor = timed(argv, big, fresh)
            label = f"wallet {' '.join(args)}: {ENTRIES:,}-entry home (ours) vs fresh (anchor)"
            met = report_ratio(label, ours, anchor, TARGET) and met
        return 0 if met else 1
    finally:
        if up:
            subprocess.run(
                [WALLET, "devnet", "down"],
                env=child_env({"WALLET_HOME": str(fresh)}),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
                timeout=60,
            )
        for home in (fresh, big):
            shutil.rmtree(home, ignore_errors=True)


def timed(argv: list[str], ours_home: Path, anchor_home: Path) -> tuple[list[float], list[float]]:
    """Interleaved runs of one command on the two homes (warm-up first)."""

    def env(home: Path) -> dict[str, str]:
        return child_env({"WALLET_HOME": str(home), "WALLET_PASSPHRASE": "pw"})

    for _ in range(3):
        run_once(argv, env(ours_home))
        run_once(argv, env(anchor_home))
    ours: list[float] = []
    anchor: list[float] = []
    for _ in range(RUNS):
        ours.append(run_once(argv, env(ours_home)))
        anchor.append(run_once(argv, env(anchor_home)))
    return ours, anchor


if __name__ == "__main__":
    sys.exit(main())
