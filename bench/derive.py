"""In-process EVM address derivation rate: ours against bip-utils doing the same job.

Ours: `chains.evm.derive.addresses(public_account(seed, 0), range(N))` for N = 10,000, i.e.
BIP-32 public derivation under m/44'/60'/0'/0 plus Keccak and EIP-55 per address (the xpub
is parsed once per call, as `wallet address --count N` does). Anchor, in the same run:
bip-utils' `Bip44...Change(CHAIN_EXT).AddressIndex(i).PublicKey().ToAddress()` for
N = 1,000 from the same seed. The first 20 addresses of both must agree. Prints both rates
(addresses per second, median of 5 rounds) and ours / anchor. Target: ours >= 10,000 per second.

Run: .venv/bin/python bench/derive.py   (about 5 s; exit 1 if the target is missed)
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from _common import FIRST_ADDRESS, MNEMONIC, machine
from bip_utils import Bip44, Bip44Changes, Bip44Coins

from chains.evm.derive import addresses, public_account
from keystore.mnemonic import parse, to_seed

OURS_N = 10_000
ANCHOR_N = 1_000
ROUNDS = 5
CHECKED = 20
TARGET_RATE = 10_000.0


def rates(job: Callable[[], list[str]], n: int) -> tuple[float, float]:
    """(median, best) addresses per second over ROUNDS runs of `job()`, which makes n."""
    seconds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        made = job()
        seconds.append(time.perf_counter() - start)
        assert len(made) == n
    return n / statistics.median(seconds), n / min(seconds)


def main() -> int:
    print(f"machine: {machine()}")
    seed = to_seed(parse(MNEMONIC))
    public = public_account(seed, 0)
    chain = (
        Bip44.FromSeed(seed.reveal(), Bip44Coins.ETHEREUM)
        .Purpose()
        .Coin()
        .Account(0)
        .Change(Bip44Changes.CHAIN_EXT)
    )

    def ours_job(n: int = OURS_N) -> list[str]:
        return [account.address for account in addresses(public, list(range(n)))]

    def anchor_job(n: int = ANCHOR_N) -> list[str]:
        return [chain.AddressIndex(i).PublicKey().ToAddress() for i in range(n)]

    ours_first, anchor_first = ours_job(CHECKED), anchor_job(CHECKED)
    assert ours_first == anchor_first, (ours_first, anchor_first)
    assert ours_first[0] == FIRST_ADDRESS
    print(f"first {CHECKED} addresses agree with bip-utils ({ours_first[0]} ...)")

    ours, ours_best = rates(ours_job, OURS_N)
    anchor, anchor_best = rates(anchor_job, ANCHOR_N)
    met = ours >= TARGET_RATE
    print(
        f"ours   {ours:10,.0f} addresses/s  median of {ROUNDS} "
        f"(best {ours_best:,.0f}; N={OURS_N:,}, {1e6 / ours:.1f} us per address)"
    )
    print(
        f"anchor {anchor:10,.0f} addresses/s  median of {ROUNDS} "
        f"(best {anchor_best:,.0f}; bip-utils, N={ANCHOR_N:,}, {1e6 / anchor:.1f} us per address)"
    )
    print(f"ratio  {ours / anchor:.2f}x bip-utils")
    print(f"target ours >= {TARGET_RATE:,.0f}/s: {'MET' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
