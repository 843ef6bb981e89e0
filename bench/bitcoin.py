"""Bitcoin: `wallet psbt sign` of a 50-input PSBT, and BIP-84 address derivation, each beside
bdk (bdkpython) doing the same job in the same run.

(1) Signing. Set-up: a temporary home whose config.toml lowers the vault KDF, the BIP-84 test
mnemonic (`abandon ... about`) restored into it (`WALLET_PASSPHRASE=pw wallet restore`,
mnemonic piped on stdin), its regtest receive addresses 0..49 from
`wallet --json --network bitcoin-regtest address --count 50` (checked against an in-process
derivation), and `wallet --json --network bitcoin-regtest psbt create` spending 50 coins of
10,000 sat (distinct made-up txids, one at each of those addresses) to
bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080 for 0.004 BTC at 2 sat/vB.
Ours, end to end: wall time of `WALLET_HOME=<home> WALLET_PASSPHRASE=pw
wallet --network bitcoin-regtest psbt sign FILE` (process start, imports, reading and
summarizing the PSBT, screening the foreign output, unlocking the vault, deriving the private
descriptors, signing and writing the file back), on a fresh copy of the unsigned file each
run. Ours, in process: `chains.btc.psbt.sign(psbt, private, network)` (which builds its own
bdk wallet from the private descriptors) on a freshly parsed PSBT. Anchor, in process:
bdk's own `Wallet.sign(psbt, SignOptions(trust_witness_utxo=True, ...))` alone, with the
same options, the wallet built once from the same private descriptors
(`chains.btc.keys.private_descriptors` and `chains.btc.psbt.watch_wallet`) before the clock
starts. Every signed result (each end-to-end file, ours in process, bdk) must be the same
PSBT, with all 50 inputs signed, and must finalize. Prints the medians and the ratios
ours end to end / bdk and ours in process / bdk, plus `python -c pass` and
`python -c "import bdkpython"` run in the same loop as floors for a process that uses bdk.

(2) Derivation. Ours: `BtcAdapter().addresses(account, list(range(10000)))` for the
`btc:bitcoin:wpkh` account of `chains.btc.keys.public_accounts(seed, 0)`. Anchor: bdk
directly, `bdkpython.Descriptor(external, NetworkKind.MAIN).derive_address(i,
Network.BITCOIN)` for i < 10,000, the descriptor parsed once. The first 100 addresses of both
must agree and index 0 must be BIP-84's published bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu.
Prints both rates (median of 5 rounds, taken in turn) and ours / bdk.

No target is set for either part (report only): the script exits 0 when every check passes
and 1 when one fails.

Run: .venv/bin/python bench/bitcoin.py   (about 20 to 25 s)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import bdkpython as bdk
from _common import PYTHON, WALLET, child_env, fast_home, machine, run_once

from chains.btc import psbt as psbts
from chains.btc.adapter import BtcAdapter
from chains.btc.keys import private_descriptors, public_accounts
from chains.btc.networks import NETWORKS
from keystore.mnemonic import parse, to_seed

MNEMONIC = " ".join(["abandon"] * 11 + ["about"])  # BIP-84's test vector mnemonic
BIP84_FIRST = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"  # m/84'/0'/0'/0/0 in BIP-84
REGTEST = NETWORKS["bitcoin-regtest"]
RECIPIENT = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
AMOUNT = "0.004"
INPUTS = 50
COIN_SATS = 10_000
SIGN_ROUNDS = 5
SIGN_WARMUP = 1
IN_PROCESS_ROUNDS = 15
DERIVE_N = 10_000
DERIVE_ROUNDS = 5
CHECKED = 100
IMPORT_BDK = (PYTHON, "-c", "import bdkpython")
BARE = (PYTHON, "-c", "pass")


def wallet_json(args: Sequence[str], env: Mapping[str, str]) -> dict[str, Any]:
    """`wallet --json ARGS` in a new session, stdin /dev/null; its JSON output."""
    completed = subprocess.run(
        [WALLET, "--json", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=dict(env),
        start_new_session=True,
        check=False,
        timeout=60,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"wallet --json {' '.join(args)} exited {completed.returncode}: "
            f"{completed.stderr.decode()[-500:]}"
        )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def sign_options() -> Any:
    """The options chains.btc.psbt.sign passes (trust_witness_utxo: coins given by hand)."""
    return bdk.SignOptions(
        trust_witness_utxo=True,
        assume_height=None,
        allow_all_sighashes=False,
        try_finalize=False,
        sign_with_tap_internal_key=True,
        allow_grinding=True,
    )


def signed_inputs(psbt: Any) -> int:
    return sum(bool(i.partial_sigs) for i in psbt.input())


def line(label: str, seconds: list[float], note: str = "") -> None:
    median = statistics.median(seconds)
    print(
        f"  {label:<28} median {median * 1000:7.1f} ms  (min {min(seconds) * 1000:.1f}, "
        f"max {max(seconds) * 1000:.1f}, n={len(seconds)}){note}"
    )


def build_psbt(home: Path, env: Mapping[str, str], seed: Any) -> str:
    """The unsigned 50-input PSBT made by `wallet psbt create`; returns its base64 text."""
    listed = wallet_json(["--network", "bitcoin-regtest", "address", "--count", str(INPUTS)], env)[
        "addresses"
    ]
    ours = [a["address"] for a in listed]
    account = next(a for a in public_accounts(seed, 0) if a.key == "btc:bitcoin-regtest:wpkh")
    derived = [a.address for a in BtcAdapter().addresses(account, list(range(INPUTS)))]
    assert ours == derived, (ours[:3], derived[:3])
    specs = []
    for index, address in enumerate(ours):
        txid = hashlib.sha256(f"bench/bitcoin.py coin {index}".encode()).hexdigest()
        specs += ["--utxo", f"{txid}:{index % 3}:{COIN_SATS}:{address}"]
    out = home / "unsigned.psbt"
    created = wallet_json(
        [
            "--network",
            "bitcoin-regtest",
            "psbt",
            "create",
            "--to",
            RECIPIENT,
            "--amount",
            AMOUNT,
            "--out",
            str(out),
            *specs,
        ],
        env,
    )
    assert len(created["inputs"]) == INPUTS
    assert all(i["mine"] for i in created["inputs"])
    foreign = [o for o in created["outputs"] if not o["mine"]]
    assert foreign == [{"address": RECIPIENT, "sats": 400_000, "mine": False}], foreign
    print(
        f"unsigned PSBT: {INPUTS} inputs of {COIN_SATS:,} sat at regtest receive addresses "
        f"0..{INPUTS - 1} ({ours[0]} ...), {len(created['outputs'])} outputs, "
        f"fee {created['fee']:,} sat, vsize ~{created['vsize']:,} vB, "
        f"{len(out.read_text().strip()):,} base64 chars"
    )
    return out.read_text().strip()


def signing(home: Path, seed: Any) -> None:
    env = child_env({"WALLET_HOME": str(home), "WALLET_PASSPHRASE": "pw"})
    unsigned = build_psbt(home, env, seed)
    private = private_descriptors(seed, REGTEST, "wpkh", 0)
    anchor_wallet = psbts.watch_wallet(private, REGTEST)
    options = sign_options()

    # Correctness: bdk alone, ours in process and ours end to end give the same PSBT.
    reference = psbts.load(unsigned)
    anchor_wallet.sign(reference, options)
    expected = str(reference.serialize())
    assert signed_inputs(reference) == INPUTS
    mine = psbts.load(unsigned)
    assert psbts.sign(mine, private, REGTEST) == INPUTS
    assert str(mine.serialize()) == expected
    raw = psbts.finalize(psbts.load(expected))
    print(
        f"bdk and chains.btc.psbt.sign give the same signed PSBT ({INPUTS}/{INPUTS} inputs; "
        f"finalized transaction {len(raw) // 2:,} bytes)"
    )

    work = home / "sign.psbt"
    sign_argv = (WALLET, "--network", "bitcoin-regtest", "psbt", "sign", str(work))

    def end_to_end() -> float:
        work.write_text(unsigned + "\n")
        elapsed = run_once(sign_argv, env)
        assert work.read_text().strip() == expected, "wallet psbt sign wrote another PSBT"
        return elapsed

    for _ in range(SIGN_WARMUP):
        end_to_end()
        run_once(IMPORT_BDK, env)
        run_once(BARE, env)
    cli: list[float] = []
    import_bdk: list[float] = []
    bare: list[float] = []
    for _ in range(SIGN_ROUNDS):
        cli.append(end_to_end())
        import_bdk.append(run_once(IMPORT_BDK, env))
        bare.append(run_once(BARE, env))

    def ours_in_process() -> float:
        psbt = psbts.load(unsigned)
        start = time.perf_counter()
        psbts.sign(psbt, private, REGTEST)
        return time.perf_counter() - start

    def bdk_alone() -> float:
        psbt = psbts.load(unsigned)
        start = time.perf_counter()
        anchor_wallet.sign(psbt, options)
        elapsed = time.perf_counter() - start
        assert signed_inputs(psbt) == INPUTS
        return elapsed

    def wallet_build() -> float:
        start = time.perf_counter()
        psbts.watch_wallet(private, REGTEST)
        return time.perf_counter() - start

    ours: list[float] = []
    anchor: list[float] = []
    build: list[float] = []
    for _ in range(IN_PROCESS_ROUNDS):
        ours.append(ours_in_process())
        anchor.append(bdk_alone())
        build.append(wallet_build())

    bdk_median = statistics.median(anchor)
    print(f"psbt sign, {INPUTS} P2WPKH inputs:")
    line("ours end to end", cli, "  wallet psbt sign FILE, a new process")
    line("ours in process", ours, "  chains.btc.psbt.sign")
    line("anchor: bdk in process", anchor, "  Wallet.sign alone, wallet built beforehand")
    print(
        f"  ratio  ours end to end / bdk {statistics.median(cli) / bdk_median:.1f}; "
        f"ours in process / bdk {statistics.median(ours) / bdk_median:.2f}"
    )
    print("  references (no target):")
    line(
        "watch_wallet(private)",
        build,
        f"  bdk Wallet with lookahead {psbts.LOOKAHEAD} (inside ours in process)",
    )
    line('python -c "import bdkpython"', import_bdk)
    line("python -c pass", bare)
    print(
        f"  {INPUTS / bdk_median:,.0f} inputs/s for bdk alone "
        f"({bdk_median / INPUTS * 1e6:.0f} us per input)"
    )


def rates(job: Callable[[], list[str]]) -> tuple[float, float]:
    start = time.perf_counter()
    made = job()
    elapsed = time.perf_counter() - start
    assert len(made) == DERIVE_N
    return DERIVE_N / elapsed, elapsed


def derivation(seed: Any) -> None:
    account = next(a for a in public_accounts(seed, 0) if a.key == "btc:bitcoin:wpkh")
    assert account.descriptors is not None
    adapter = BtcAdapter()
    descriptor = bdk.Descriptor(account.descriptors[0], bdk.NetworkKind.MAIN)
    network = bdk.Network.BITCOIN

    def ours_job(n: int = DERIVE_N) -> list[str]:
        return [a.address for a in adapter.addresses(account, list(range(n)))]

    def anchor_job(n: int = DERIVE_N) -> list[str]:
        return [str(descriptor.derive_address(i, network)) for i in range(n)]

    ours_first, anchor_first = ours_job(CHECKED), anchor_job(CHECKED)
    assert ours_first == anchor_first, (ours_first[:3], anchor_first[:3])
    assert ours_first[0] == BIP84_FIRST, ours_first[0]
    print(
        f"first {CHECKED} addresses agree with bdk's Descriptor.derive_address "
        f"({ours_first[0]} = BIP-84's m/84'/0'/0'/0/0)"
    )
    ours: list[float] = []
    anchor: list[float] = []
    for _ in range(DERIVE_ROUNDS):
        ours.append(rates(ours_job)[0])
        anchor.append(rates(anchor_job)[0])
    ours_rate, anchor_rate = statistics.median(ours), statistics.median(anchor)
    print(f"address derivation, N={DERIVE_N:,} (btc:bitcoin:wpkh receive chain):")
    print(
        f"  ours   {ours_rate:8,.0f} addresses/s  median of {DERIVE_ROUNDS} "
        f"(best {max(ours):,.0f}; {1e6 / ours_rate:.0f} us each)  BtcAdapter.addresses"
    )
    print(
        f"  anchor {anchor_rate:8,.0f} addresses/s  median of {DERIVE_ROUNDS} "
        f"(best {max(anchor):,.0f}; {1e6 / anchor_rate:.0f} us each)  bdk derive_address loop"
    )
    print(f"  ratio  {ours_rate / anchor_rate:.2f}x bdk   (no target: report only)")


def main() -> int:
    print(f"machine: {machine()}")
    print(f"bdkpython {version('bdkpython')}")
    seed = to_seed(parse(MNEMONIC))
    home = fast_home()
    try:
        env = child_env({"WALLET_HOME": str(home), "WALLET_PASSPHRASE": "pw"})
        run_once((WALLET, "restore"), env, stdin=(MNEMONIC + "\n").encode())
        signing(home, seed)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    derivation(seed)
    print("no target is set for these figures; every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
