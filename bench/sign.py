"""In-process EIP-1559 signing rate: ours against eth-account signing the same transactions.

Ours: `chains.evm.tx.Signer(PrivateKey(key))`, created once, then `signer.sign(Eip1559Tx(...))`
for N = 5,000 random-but-fixed transfers (seeded PRNG: chain id 1, nonce i, tip 1 to 3 gwei,
fee cap 20 to 200 gwei, gas 21,000, a random 20-byte `to`, a random value below 10 ETH,
empty data). Each signature covers RLP encoding, Keccak of the signing payload, ECDSA
(libsecp256k1 via coincurve), assembling the raw transaction and its Keccak hash. The
transaction objects are built before the clock starts, for both sides.
Anchor, in the same run: eth-account's `Account.sign_transaction(tx_dict, key)` for the first
N = 1,000 of the same transactions (dicts built beforehand). Ceiling reference: coincurve's
`PrivateKey.sign_recoverable(digest, hasher=None)` alone on 5,000 precomputed digests, i.e.
what is left if encoding and hashing cost nothing. The first 100 raw transactions of ours and
eth-account must be byte-identical (and so must their hashes). Prints each rate (signatures
per second, median of 5 rounds), ours / anchor and ours / ceiling.
Target: ours >= 5x eth-account's rate.

Run: .venv/bin/python bench/sign.py   (about 7 s; exit 1 if the target is missed)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from _common import machine
from coincurve import PrivateKey as CurveKey
from eth_account import Account

from chains.evm.address import to_checksum
from chains.evm.tx import Eip1559Tx, Signer
from keystore.secret import PrivateKey

OURS_N = 5_000
ANCHOR_N = 1_000
CEILING_N = 5_000
ROUNDS = 5
CHECKED = 100
TARGET_RATIO = 5.0
GWEI = 10**9
# Anvil's / hardhat's well-known dev key (index 0 of the test mnemonic): public, no funds.
KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")


def transactions(n: int) -> list[Eip1559Tx]:
    rng = random.Random(1559)
    txs = []
    for i in range(n):
        tip = rng.randint(1 * GWEI, 3 * GWEI)
        txs.append(
            Eip1559Tx(
                chain_id=1,
                nonce=i,
                max_priority_fee_per_gas=tip,
                max_fee_per_gas=rng.randint(20 * GWEI, 200 * GWEI) + tip,
                gas=21_000,
                to=rng.randbytes(20),
                value=rng.randrange(10 * 10**18),
                data=b"",
            )
        )
    return txs


def as_dict(tx: Eip1559Tx) -> dict[str, Any]:
    assert tx.to is not None
    return {
        "type": 2,
        "chainId": tx.chain_id,
        "nonce": tx.nonce,
        "maxPriorityFeePerGas": tx.max_priority_fee_per_gas,
        "maxFeePerGas": tx.max_fee_per_gas,
        "gas": tx.gas,
        "to": to_checksum(tx.to.hex()),  # eth-account refuses lower-case hex
        "value": tx.value,
        "data": tx.data,
        "accessList": [],
    }


def main() -> int:
    print(f"machine: {machine()}")
    txs = transactions(OURS_N)
    dicts = [as_dict(tx) for tx in txs[:ANCHOR_N]]
    digests = [tx.signing_hash() for tx in txs[:CEILING_N]]
    signer = Signer(PrivateKey(KEY))
    curve = CurveKey(KEY)

    for tx, tx_dict in zip(txs[:CHECKED], dicts[:CHECKED], strict=True):
        ours_signed = signer.sign(tx)
        theirs = Account.sign_transaction(tx_dict, KEY)
        assert ours_signed.raw == bytes(theirs.raw_transaction), tx.nonce
        assert ours_signed.hash == bytes(theirs.hash), tx.nonce
    print(f"first {CHECKED} raw transactions and hashes are byte-identical to eth-account's")

    def ours_job() -> list[object]:
        return [signer.sign(tx) for tx in txs]

    def anchor_job() -> list[object]:
        return [Account.sign_transaction(d, KEY) for d in dicts]

    def ceiling_job() -> list[object]:
        return [curve.sign_recoverable(d, hasher=None) for d in digests]

    # Rounds are taken in turn so that drift (frequency, other load) hits every side alike.
    ours_runs, anchor_runs, ceiling_runs = [], [], []
    for _ in range(ROUNDS):
        ours_runs.append(timed(ours_job, OURS_N))
        anchor_runs.append(timed(anchor_job, ANCHOR_N))
        ceiling_runs.append(timed(ceiling_job, CEILING_N))
    ours, ours_best = OURS_N / statistics.median(ours_runs), OURS_N / min(ours_runs)
    anchor, anchor_best = ANCHOR_N / statistics.median(anchor_runs), ANCHOR_N / min(anchor_runs)
    ceiling, ceiling_best = (
        CEILING_N / statistics.median(ceiling_runs),
        CEILING_N / min(ceiling_runs),
    )
    ratio = ours / anchor
    met = ratio >= TARGET_RATIO
    print(
        f"ours    {ours:10,.0f} signatures/s  median of {ROUNDS} "
        f"(best {ours_best:,.0f}; Signer.sign, N={OURS_N:,}, {1e6 / ours:.1f} us each)"
    )
    print(
        f"anchor  {anchor:10,.0f} signatures/s  median of {ROUNDS} "
        f"(best {anchor_best:,.0f}; eth-account Account.sign_transaction, N={ANCHOR_N:,}, "
        f"{1e6 / anchor:.1f} us each)"
    )
    print(
        f"ceiling {ceiling:10,.0f} signatures/s  median of {ROUNDS} "
        f"(best {ceiling_best:,.0f}; coincurve sign_recoverable only, N={CEILING_N:,}, "
        f"{1e6 / ceiling:.1f} us each)"
    )
    print(f"ratio   {ratio:.2f}x eth-account; {ours / ceiling:.2f} of the coincurve ceiling")
    print(f"target  ours >= {TARGET_RATIO:g}x eth-account: {'MET' if met else 'MISSED'}")
    return 0 if met else 1


def timed(job: Callable[[], Sequence[object]], n: int) -> float:
    start = time.perf_counter()
    made = job()
    elapsed = time.perf_counter() - start
    assert len(made) == n
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
