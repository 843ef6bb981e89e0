"""Screening cost: `wallet check --offline` with a 1,000,000-address user list, end to end,
and `screening.check` in-process.

(a) Set-up: a temporary home whose config.toml lowers the vault KDF, the standard test
mnemonic restored (`WALLET_PASSPHRASE=pw wallet restore`, mnemonic on stdin), and a file
of 1,000,000 seeded random lower-case EVM addresses added with
`wallet lists add FILE --name big` (timed once and reported). Measures: wall time of
`wallet check ADDRESS --offline` for an address not in the list (exit 0) and for one in
it (exit 3, user-listed block), against `python -c pass`, 20 runs each, taking turns
(miss, bare, hit) after 3 warm-up rounds; medians and ratios. Target: each ratio <= 25.

(b) In-process: a `Context` for an EVM mainnet with every list loaded
(`ListSet.load(home/lists)`: the shipped ones and the 1,000,000-address one) and a
`LookalikeIndex` of 1,000 seeded random trusted addresses; times
`screening.check(preview, context)` on 10,000 random one-output ETH previews (no node:
`code` is None), 5 rounds, median rate. Target: >= 10,000 checks/s. Anchor in the same run:
the look-alike part done the naive way, a linear scan comparing each destination's prefix
and suffix with all 1,000 trusted addresses in Python (1,000 destinations, 5 rounds); its
results must equal the index's, on the random destinations and on 200 planted look-alikes.

(c) Look-alike tiers at a heavy user's scale (issue 14): the restored wallet gets 1,000
contacts and a journal of 120,000 transfers over 3 years to 100,000 distinct recipients (a
seeded 20,000 of them to 300 regular payees), on devnet. Timed: indexing that journal once
(`HistoryIndex.current`, a one-time catch-up), then per command `gather()` (history index
queries, the tiers, `lookalike.build` over 101,000 addresses), median of 5, and one
`LookalikeIndex.strongest` (median over 100,000). Measured: the share of 100,000 seeded
uniformly random destinations flagged (warn or block) by gather's index (target < 0.1 %),
and the recall on every real poisoning pair (`poisoning-pairs.csv` in WALLET_SOURCE_DATA, as
the tests read it, else the corpus in tests/data/screening): the intended addresses as
recent counterparties (tier 1) beside the heavy user's tiers, every pair of 3+3 or more
blocked (target 100 %). For reference, the recall if they were older recipients (tier 2).

Run: .venv/bin/python bench/screening.py [--tiers]   (about 60 s; --tiers: part (c) only;
exit 1 if a target is missed)
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from _common import (
    BARE,
    PYTHON,
    WALLET,
    child_env,
    fast_home,
    machine,
    report_imports,
    report_ratio,
    restore_test_wallet,
)
from _screening_tiers import tiers

from chains.base import Network, Output, Preview
from chains.evm.address import to_checksum
from chains.evm.transfer import ETH
from wallet_cli import screening
from wallet_cli.screening.context import Context
from wallet_cli.screening.lists import ListSet
from wallet_cli.screening.lookalike import BLOCK_SHAPE, WARN_SHAPES, LookalikeIndex, build

LIST_SIZE = 1_000_000
RUNS = 20
WARMUP = 3
TARGET_RATIO = 25.0
TRUSTED = 1_000
PREVIEWS = 10_000
ANCHOR_PREVIEWS = 1_000
PLANTED = 200
ROUNDS = 5
TARGET_RATE = 10_000.0
MAINNET = Network("mainnet", "evm", None, 1, False)


def random_body(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def run_expecting(argv: Sequence[str], env: Mapping[str, str], code: int) -> float:
    """Wall time of one process run (stdin /dev/null, new session); fails on another exit."""
    start = time.perf_counter()
    completed = subprocess.run(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
        check=False,
        timeout=600,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != code:
        raise SystemExit(
            f"{' '.join(argv)} exited {completed.returncode}, not {code}: "
            f"{completed.stderr.decode()[-500:]}"
        )
    return elapsed


def check_json(address: str, env: Mapping[str, str], code: int) -> dict[str, Any]:
    completed = subprocess.run(
        [WALLET, "--json", "check", address, "--offline"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=dict(env),
        start_new_session=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == code, (completed.returncode, completed.stderr.decode())
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def end_to_end(home: Path, work: Path) -> bool:
    env = child_env({"WALLET_HOME": str(home)})
    rng = random.Random("bench/screening.py: user list")
    bodies = [random_body(rng) for _ in range(LIST_SIZE)]
    listed = to_checksum(bodies[LIST_SIZE // 2])
    file = work / "big.txt"
    file.write_text("".join(f"0x{b}\n" for b in bodies))
    del bodies
    size_mb = file.stat().st_size / 1e6
    added = run_expecting((WALLET, "lists", "add", str(file), "--name", "big"), env, 0)
    print(
        f"`wallet lists add` of {LIST_SIZE:,} addresses ({size_mb:.1f} MB of text): "
        f"{added:.2f} s ({LIST_SIZE / added:,.0f} addresses/s); "
        f"key file {(home / 'lists' / 'big.evm.bin').stat().st_size / 1e6:.1f} MB"
    )
    shown = subprocess.run(
        [WALLET, "--json", "lists"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        start_new_session=True,
        check=True,
        timeout=60,
    ).stdout
    big = [r for r in json.loads(shown)["lists"] if r["name"] == "big"]
    assert len(big) == 1, big
    assert big[0]["total"] == LIST_SIZE, big

    unlisted = to_checksum(random_body(random.Random("bench/screening.py: not listed")))
    miss = check_json(unlisted, env, 0)
    hit = check_json(listed, env, 3)
    miss_rules = [f["rule"] for f in miss["screening"]["findings"]]
    hit_rules = [f["rule"] for f in hit["screening"]["findings"]]
    assert "user-listed" not in miss_rules, miss
    assert "user-listed" in hit_rules, hit
    print(f"not listed {unlisted}: exit 0, rules {miss_rules}")
    print(f"listed     {listed}: exit 3, rules {hit_rules}")

    ours_miss = (WALLET, "check", unlisted, "--offline")
    ours_hit = (WALLET, "check", listed, "--offline")
    for _ in range(WARMUP):
        run_expecting(ours_miss, env, 0)
        run_expecting(BARE, env, 0)
        run_expecting(ours_hit, env, 3)
    miss_times: list[float] = []
    bare_times: list[float] = []
    hit_times: list[float] = []
    for _ in range(RUNS):
        miss_times.append(run_expecting(ours_miss, env, 0))
        bare_times.append(run_expecting(BARE, env, 0))
        hit_times.append(run_expecting(ours_hit, env, 3))
    met_miss = report_ratio(
        f"`wallet check ADDRESS --offline`, not in the {LIST_SIZE:,}-address list (exit 0) "
        "vs `python -c pass` (wall time)",
        miss_times,
        bare_times,
        TARGET_RATIO,
    )
    met_hit = report_ratio(
        f"`wallet check ADDRESS --offline`, in the {LIST_SIZE:,}-address list (exit 3) "
        "vs the same `python -c pass` runs",
        hit_times,
        bare_times,
        TARGET_RATIO,
    )
    report_imports(["check", unlisted, "--offline"], env)
    return met_miss and met_hit


def naive_strongest(body: str, trusted: list[tuple[str, str]]) -> tuple[str, int, int] | None:
    """The look-alike rule as a linear scan: every trusted body, ends compared in Python.
    Returns (severity, leading, trailing) of the strongest flagged resemblance."""
    best: tuple[bool, int, str, int, int] | None = None
    for text, _ in trusted:
        if text == body:
            return None
        leading = 0
        while leading < 40 and text[leading] == body[leading]:
            leading += 1
        trailing = 0
        while trailing < 40 and text[39 - trailing] == body[39 - trailing]:
            trailing += 1
        if leading >= BLOCK_SHAPE[0] and trailing >= BLOCK_SHAPE[1]:
            severity = "block"
        elif any(leading >= a and trailing >= b for a, b in WARN_SHAPES):
            severity = "warn"
        else:
            continue
        rank = (severity == "block", leading + trailing, severity, leading, trailing)
        if best is None or rank[:2] > best[:2]:
            best = rank
    return None if best is None else best[2:]


def indexed(index: LookalikeIndex, address: str) -> tuple[str, int, int] | None:
    found = index.strongest(address)
    return None if found is None else (found.severity, found.leading, found.trailing)


def rate(job: Callable[[], int], rounds: int) -> tuple[float, float]:
    """(median, best) items per second over `rounds` runs of `job()`, which returns a count."""
    seconds = []
    count = 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = job()
        seconds.append(time.perf_counter() - start)
    return count / statistics.median(seconds), count / min(seconds)


def in_process(home: Path) -> bool:
    rng = random.Random("bench/screening.py: in-process")
    trusted_bodies = [random_body(rng) for _ in range(TRUSTED)]
    index = build("evm", [(to_checksum(b), f"trusted #{i}") for i, b in enumerate(trusted_bodies)])
    lists = ListSet.load(home / "lists")
    assert any(info.name == "big" for info in lists.infos)
    context = Context(network=MAINNET, lists=lists, lookalikes=index)
    sender = to_checksum(random_body(rng))
    recipients = [to_checksum(random_body(rng)) for _ in range(PREVIEWS)]
    previews = [
        Preview(
            MAINNET.name,
            MAINNET.chain_id,
            sender,
            (Output(r, ETH, rng.randrange(1, 10**19), r),),
            0,
            ETH,
        )
        for r in recipients
    ]

    verdicts: dict[str, int] = {}

    def ours() -> int:
        verdicts.clear()
        for preview in previews:
            verdict = screening.check(preview, context).verdict
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
        return len(previews)

    ours()  # warm: maps the key files, derives the dev-key addresses once
    ours_rate, ours_best = rate(ours, ROUNDS)

    trusted_pairs = [(b, f"trusted #{i}") for i, b in enumerate(trusted_bodies)]
    anchor_bodies = [r[2:].lower() for r in recipients[:ANCHOR_PREVIEWS]]

    def anchor() -> int:
        for body in anchor_bodies:
            naive_strongest(body, trusted_pairs)
        return len(anchor_bodies)

    anchor_rate, anchor_best = rate(anchor, ROUNDS)

    def index_only() -> int:
        for recipient in recipients:
            index.strongest(recipient)
        return len(recipients)

    def lists_only() -> int:
        for recipient in recipients:
            lists.hits("evm", recipient)
        return len(recipients)

    index_rate, _ = rate(index_only, ROUNDS)
    lists_rate, _ = rate(lists_only, ROUNDS)

    # The anchor must do the same job: same answers on random and planted look-alikes.
    planted = []
    for i in range(PLANTED):
        text = trusted_bodies[i]
        leading, trailing = (3 + i % 4, 3 + (i // 4) % 4) if i % 2 else WARN_SHAPES[(i // 2) % 6]
        middle = random_body(rng)[leading : 40 - trailing]
        planted.append(text[:leading] + middle + text[40 - trailing :])
    compared = anchor_bodies + planted
    disagree = [
        b for b in compared if naive_strongest(b, trusted_pairs) != indexed(index, "0x" + b)
    ]
    flagged_planted = sum(indexed(index, "0x" + b) is not None for b in planted)
    assert not disagree, disagree[:5]
    assert flagged_planted == PLANTED, flagged_planted

    met = ours_rate >= TARGET_RATE
    print(
        f"\nin-process `screening.check` (EVM mainnet, {len(lists.infos)} lists incl. "
        f"{LIST_SIZE:,} user addresses, {TRUSTED:,} trusted, no node), "
        f"{PREVIEWS:,} random one-output previews; verdicts {verdicts}"
    )
    print(
        f"  ours   {ours_rate:10,.0f} checks/s  median of {ROUNDS} "
        f"(best {ours_best:,.0f}; {1e6 / ours_rate:.1f} us per check, every rule)"
    )
    print(
        f"  anchor {anchor_rate:10,.0f} checks/s  median of {ROUNDS} "
        f"(best {anchor_best:,.0f}; naive linear scan of {TRUSTED:,} trusted, look-alike "
        f"part only, N={ANCHOR_PREVIEWS:,}; {1e6 / anchor_rate:.0f} us per check)"
    )
    print(f"  ratio  {ours_rate / anchor_rate:.1f}x the naive look-alike scan alone")
    print(
        f"  parts (reference): LookalikeIndex.strongest {index_rate:,.0f}/s "
        f"({1e6 / index_rate:.1f} us), ListSet.hits over {len(lists.infos)} lists "
        f"{lists_rate:,.0f}/s ({1e6 / lists_rate:.1f} us)"
    )
    print(
        f"  index and naive scan agree on {len(compared):,} destinations "
        f"({flagged_planted} planted look-alikes all flagged)"
    )
    print(f"  target ours >= {TARGET_RATE:,.0f} checks/s: {'MET' if met else 'MISSED'}")
    return met


def main() -> int:
    print(f"machine: {machine()}")
    print(f"python -c pass: {PYTHON}")
    only_tiers = "--tiers" in sys.argv[1:]
    home = fast_home()
    work = Path(tempfile.mkdtemp(prefix="wallet-bench-list-"))
    try:
        restore_test_wallet(home)
        met = True
        if not only_tiers:
            met = end_to_end(home, work) and met
            met = in_process(home) and met
        met = tiers(home) and met
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
