"""Part (c) of bench/screening.py: look-alike tiers at a heavy user's scale (see that
script's docstring). Not a benchmark on its own: `bench/screening.py --tiers` runs it."""

from __future__ import annotations

import csv
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import ROOT

from chains.evm.address import to_checksum
from wallet_cli.screening.context import Context
from wallet_cli.screening.docs import expected_flagged
from wallet_cli.screening.gather import gather
from wallet_cli.screening.lookalike import LookalikeIndex, build
from wallet_cli.store import contacts as contact_store
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.store.history_index import HistoryIndex, index_path
from wallet_cli.store.home import Home
from wallet_cli.wallet import Wallet, select_name

NET = "devnet"
CONTACTS = 1_000
PAST = 100_000
REGULARS = 300
REPEATS = 20_000
YEARS = 3
DESTINATIONS = 100_000
GATHER_ROUNDS = 5
TARGET_FLAGGED = 0.001  # under 0.1 % of random destinations flagged
TARGET_RECALL = 1.0


def body(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def journal(rng: random.Random) -> list[dict[str, Any]]:
    """120,000 transfers over 3 years, oldest first: each of 100,000 recipients paid once,
    and 20,000 more payments to 300 regular payees (Zipf-like: a few paid very often)."""
    recipients = [to_checksum(body(rng)) for _ in range(PAST)]
    regulars = recipients[:REGULARS]
    weights = [1 / (rank + 1) for rank in range(REGULARS)]
    order = recipients + rng.choices(regulars, weights, k=REPEATS)
    rng.shuffle(order)
    start = datetime.now(UTC) - timedelta(days=365 * YEARS)
    step = timedelta(days=365 * YEARS) / len(order)
    return [
        {
            "event": "signed",
            "network": NET,
            "to": to,
            "tx_hash": f"0x{n:064x}",
            "amount_base": "1000",
            "token": None,
            "time": (start + step * n).isoformat(timespec="milliseconds"),
        }
        for n, to in enumerate(order, start=1)
    ]


def real_pairs() -> tuple[str, list[tuple[str, str, int, int]]]:
    """Every real pair (intended, look-alike, leading, trailing) and where it was read."""
    shared = os.environ.get("WALLET_SOURCE_DATA")
    if shared and (Path(shared) / "poisoning-pairs.csv").is_file():
        with (Path(shared) / "poisoning-pairs.csv").open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        return "WALLET_SOURCE_DATA/poisoning-pairs.csv", [
            (r["intended"], r["lookalike"], int(r["prefix_match"]), int(r["suffix_match"]))
            for r in rows
        ]
    with (ROOT / "tests" / "data" / "screening" / "corpus.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == "real"]
    return "tests/data/screening/corpus.csv (kind real)", [
        (r["trusted"], r["candidate"], int(r["leading"]), int(r["trailing"])) for r in rows
    ]


def recall(index: LookalikeIndex, pairs: list[tuple[str, str, int, int]]) -> tuple[int, int]:
    """(blocked, total) over the pairs of 3+3 or more."""
    attacks = [p for p in pairs if p[2] >= 3 and p[3] >= 3]
    blocked = 0
    for _, candidate, _, _ in attacks:
        found = index.strongest(candidate)
        blocked += found is not None and found.severity == "block"
    return blocked, len(attacks)


def tiers(home_path: Path) -> bool:
    home = Home(home_path)
    config = Config.load(home)
    wallet = Wallet.open(home, select_name(home, config, None))
    rng = random.Random("bench/screening.py: tiers")
    contact_store._save(  # one write for 1,000 contacts (add() rewrites the file each time)
        home,
        [contact_store.Contact(f"c{i}", "evm", to_checksum(body(rng))) for i in range(CONTACTS)],
    )
    entries = journal(rng)
    history = History(home, wallet.name)
    start = time.perf_counter()
    history.append_many(entries)
    written = time.perf_counter() - start
    for suffix in ("", "-wal", "-shm"):  # written along with the journal: index it anew
        Path(f"{index_path(history)}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    HistoryIndex.current(history).close()
    indexed = time.perf_counter() - start
    network = config.network(NET)

    seconds = []
    context: Context | None = None
    for _ in range(GATHER_ROUNDS):
        start = time.perf_counter()
        context = gather(home, config, network, wallet, None)
        seconds.append(time.perf_counter() - start)
    assert context is not None
    index = context.lookalikes
    assert index is not None
    assert len(context.sent_to) == PAST
    by_tier = {1: 0, 2: 0}
    for address in context.sent_to:
        by_tier[index.tier_of(address) or 0] += 1
    window = config.recipient_window()

    destinations = [f"0x{body(rng)}" for _ in range(DESTINATIONS)]
    flagged = blocked = 0
    flagged_by_tier = {1: 0, 2: 0}
    check_times = []
    for destination in destinations:
        start = time.perf_counter()
        found = index.strongest(destination)
        check_times.append(time.perf_counter() - start)
        if found is not None:
            flagged += 1
            blocked += found.severity == "block"
            flagged_by_tier[found.tier] += 1
    rate = flagged / DESTINATIONS

    where, pairs = real_pairs()
    intended = list(dict.fromkeys(p[0] for p in pairs))
    close = [(a, label) for a, label in index.trusted.items() if index.tier_of(a) == 1]
    older = [(a, label) for a, label in index.trusted.items() if index.tier_of(a) == 2]
    recent_victims = build("evm", [*close, *((a, "recent") for a in intended)], older)
    hit, total = recall(recent_victims, pairs)
    old_victims = build("evm", close, [*older, *((a, "older") for a in intended)])
    old_hit, _ = recall(old_victims, pairs)
    flagged_old = sum(old_victims.strongest(p[1]) is not None for p in pairs if p[2] >= 3)

    met_rate = rate < TARGET_FLAGGED
    met_recall = hit / total >= TARGET_RECALL
    print(
        f"\nlook-alike tiers: {CONTACTS:,} contacts, {len(entries):,} transfers over {YEARS} "
        f"years to {PAST:,} recipients on {NET} (window: recent-count {window.recent_count}, "
        f"recent-days {window.recent_days}, frequent-count {window.frequent_count}); past "
        f"recipients in tier 1: {by_tier[1]:,}, tier 2: {by_tier[2]:,}"
    )
    print(
        f"  journal written (and indexed as written) in {written:.1f} s; the index rebuilt "
        f"from the whole journal (HistoryIndex.current, a one-time catch-up) in {indexed:.1f} s"
    )
    print(
        f"  gather() per command (index queries, tiers, lookalike.build of {len(index):,}): "
        f"median {statistics.median(seconds):.2f} s of {GATHER_ROUNDS} "
        f"(best {min(seconds):.2f} s)"
    )
    print(
        f"  one check (LookalikeIndex.strongest): median "
        f"{statistics.median(check_times) * 1e6:.1f} us over {DESTINATIONS:,}"
    )
    print(
        f"  random destinations flagged: {flagged} of {DESTINATIONS:,} = {rate:.4%} (blocked "
        f"{blocked}; by tier {flagged_by_tier}); docs/screening.md expects "
        f"{expected_flagged(CONTACTS + by_tier[1], by_tier[2]):.4%}; "
        f"target < {TARGET_FLAGGED:.1%}: {'MET' if met_rate else 'MISSED'}"
    )
    print(
        f"  recall on the real pairs of 3+3 or more ({where}; victims' addresses recent, tier "
        f"1): {hit} of {total} blocked = {hit / total:.1%}; target "
        f"{TARGET_RECALL:.0%}: {'MET' if met_recall else 'MISSED'}"
    )
    print(
        f"  for reference, were the victims' addresses older recipients (tier 2): {old_hit} "
        f"of {total} blocked, {flagged_old} flagged (no target)"
    )
    return met_rate and met_recall
