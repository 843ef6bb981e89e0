"""Signing a PSBT's inputs that this wallet owns, and only those, all of them or none.

Ours: an input carrying our master key's fingerprint in its key origins (BIP-32 or
BIP-371), or, without one, whose coin pays one of our first `LOOKAHEAD` receive or change
scripts. bdk signs; it finds keys through the derivations, so inputs found by script are
signed by a wallet whose lookahead reaches their address index (bdk then adds the
derivation itself). bdk refuses to sign anything while an input asks for a sighash other
than ALL; the refusal names the input and its sighash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chains.btc import psbt_map
from chains.btc.networks import BitcoinNetwork
from chains.btc.psbt import NothingSigned, raw_bytes, watch_wallet
from chains.btc.psbt_inputs import InputView, inputs_of, sighash_name
from chains.btc.psbt_map import InvalidPsbt
from chains.errors import ChainError

_FINGERPRINT = re.compile(r"\[([0-9a-f]{8})/")


def _bdk() -> Any:
    import bdkpython

    return bdkpython


class UnsignedInputs(ChainError):
    """Inputs this wallet owns stayed unsigned: the PSBT is not written, nothing is sent."""

    code = "inputs-not-signed"
    kind = "input"

    def __init__(self, message: str, signed: int, unsigned: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.signed = signed
        self.unsigned = unsigned


@dataclass
class SigningJob:
    """One PSBT to sign with one set of private descriptors (single-key or multisig)."""

    psbt: Any
    private: tuple[str, str]
    network: BitcoinNetwork
    views: list[InputView] = field(default_factory=list)

    def reread(self) -> None:
        self.views = inputs_of(psbt_map.parse(raw_bytes(self.psbt)))

    def by_script(self, watch: Any) -> dict[int, int]:
        """Input index -> the address index of ours (receive or change) its coin pays."""
        found: dict[int, int] = {}
        for view in self.views:
            if view.utxo is not None:
                where = watch.derivation_of_spk(_bdk().Script(view.utxo.script))
                if where is not None:
                    found[view.index] = int(where.index)
        return found


def sign(psbt: Any, private: tuple[str, str], network: BitcoinNetwork, watch: Any = None) -> int:
    """Sign every input this wallet owns; returns how many of ours carry a signature.

    `watch` (our watch wallet) finds inputs by script; it is built here only when some
    input is neither signed nor claimed by our fingerprint, so a PSBT we created signs as
    fast as before. An owned input left unsigned raises `UnsignedInputs`.
    """
    origin = _FINGERPRINT.search(private[0])
    ours = origin.group(1) if origin else ""
    job = SigningJob(psbt, private, network)
    job.reread()
    claimed = {v.index for v in job.views if ours in v.fingerprints}
    bdk_sign(job, lookahead=1)  # inputs with our key origin need no address index
    job.reread()
    scripts: dict[int, int] = {}
    if watch is not None or any(
        not v.signed and v.utxo is not None and v.index not in claimed for v in job.views
    ):
        scripts = job.by_script(watch or watch_wallet(private, network))
        missing = [scripts[i] for i in scripts if not job.views[i].signed]
        if missing:
            bdk_sign(job, lookahead=max(missing) + 1)
            job.reread()
    owned = sorted(claimed | set(scripts))
    if not owned:
        raise NothingSigned("no input of this PSBT spends a coin of this wallet: nothing signed")
    unsigned = [job.views[i] for i in owned if not job.views[i].signed]
    if unsigned:
        names = ", ".join(f"{v.index} ({v.outpoint})" for v in unsigned)
        raise UnsignedInputs(
            f"inputs {names} belong to this wallet but could not be signed; the PSBT was "
            "not written",
            len(owned) - len(unsigned),
            [{"index": v.index, "outpoint": v.outpoint} for v in unsigned],
        )
    return len(owned)


def check_sighashes(views: list[InputView]) -> None:
    """bdk signs nothing while any input asks for a sighash other than ALL (or DEFAULT on
    taproot): the refusal names each such input and its sighash."""
    odd = [v for v in views if v.sighash not in (None, 1) and not (v.sighash == 0 and v.taproot)]
    if odd:
        names = "; ".join(f"input {v.index} asks for {sighash_name(v.sighash or 0)}" for v in odd)
        raise InvalidPsbt(
            f"{names}: only ALL (or DEFAULT on taproot) is signed; nothing was signed"
        )


def bdk_sign(job: SigningJob, lookahead: int) -> None:
    """bdk signs what the job's private descriptors can sign, `lookahead` addresses deep."""
    bdk = _bdk()
    signer = watch_wallet(job.private, job.network, lookahead=lookahead)
    options = bdk.SignOptions(
        trust_witness_utxo=True,
        assume_height=None,
        allow_all_sighashes=False,
        try_finalize=False,
        sign_with_tap_internal_key=True,
        allow_grinding=True,
    )
    try:
        signer.sign(job.psbt, options)
    except bdk.SignerError.NonStandardSighash:
        check_sighashes(job.views)
        raise InvalidPsbt("an input asks for a non-standard sighash; nothing was signed") from None
    except bdk.SignerError.InvalidKey:
        raise InvalidPsbt(
            "an input's key origin names this wallet's key, but the key there is another: "
            "the PSBT was not made for this wallet, or was altered; nothing was signed"
        ) from None
    except bdk.SignerError as exc:
        raise InvalidPsbt(f"the signer refused the PSBT ({type(exc).__name__})") from None
