"""Signing a multisig PSBT with this cosigner's key, and counting who has signed.

The caller first checks that every input spends a coin of the multisig (by script); bdk then
signs through the PSBT's BIP-32 derivations with the multisig's descriptors in which this
cosigner's key is private. Success is checked in the PSBT itself: every input must carry a
partial signature from a key whose derivation names this cosigner's fingerprint, whatever
signatures others added before.
"""

from __future__ import annotations

from typing import Any

from chains.btc import psbt_map as m
from chains.btc.networks import BitcoinNetwork
from chains.btc.psbt import raw_bytes
from chains.btc.psbt_inputs import inputs_of
from chains.btc.psbt_sign import SigningJob, UnsignedInputs, bdk_sign, check_sighashes


def signers(psbt: Any) -> list[set[str]]:
    """Per input, the master fingerprints of the keys that have a partial signature there."""
    raw = m.parse(raw_bytes(psbt))
    found = []
    for pairs in raw.inputs:
        origins = {key: value[:4].hex() for key, value in m.values(pairs, m.IN_BIP32_DERIVATION)}
        found.append({origins.get(key, "?") for key, _ in m.values(pairs, m.IN_PARTIAL_SIG)})
    return found


def sign(psbt: Any, private: tuple[str, str], network: BitcoinNetwork, fingerprint: str) -> int:
    """Add this cosigner's signature to every input; returns the number of inputs. Raises
    `UnsignedInputs` (nothing kept by the caller) when an input stays without it."""
    job = SigningJob(psbt, private, network)
    job.reread()
    check_sighashes(job.views)
    bdk_sign(job, lookahead=1)
    who = signers(psbt)
    missing = [v for v, names in zip(inputs_of(m.parse(raw_bytes(psbt))), who, strict=True)
               if fingerprint not in names]  # fmt: skip
    if missing:
        names = ", ".join(f"{v.index} ({v.outpoint})" for v in missing)
        raise UnsignedInputs(
            f"inputs {names} could not be signed by this cosigner's key; the PSBT was not written",
            len(who) - len(missing),
            [{"index": v.index, "outpoint": v.outpoint} for v in missing],
        )
    return len(who)
