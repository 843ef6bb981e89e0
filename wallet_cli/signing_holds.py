"""Holds on the paths that sign a document made elsewhere: `psbt sign` (also a multisig's)
and a Safe's `multisig sign`.

Such a document cannot be planned again, so its hold is released differently from a
transfer's: `wallet holds approve ID` (terminal, passphrase, second factor, the last 4
characters) marks that very document approved, and the next signing of it (the same
PSBT transaction, the same SafeTx hash) uses the approval once. The document is named in
the hold by `KIND:DIGEST` (its `key`), so signing it again while held keeps one hold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chains.amounts import format_amount
from wallet_cli import holds
from wallet_cli.screening.context import asset_key
from wallet_cli.store import holds as store
from wallet_cli.store.audit import record

if TYPE_CHECKING:
    from chains.base import Network, Output
    from chains.btc.psbt import PsbtSummary
    from wallet_cli.store.config import Config
    from wallet_cli.wallet import Wallet

WHAT = {"psbt": "this PSBT", "safe": "this SafeTx"}


def psbt_digest(summary: PsbtSummary) -> str:
    """What a PSBT spends and pays: the same however many signatures it has gathered."""
    spent = sorted(str(i.get("outpoint")) for i in summary.inputs)
    paid = [f"{o.address}:{o.sats}" for o in summary.outputs]
    return hashlib.sha256("|".join([*spent, "->", *paid]).encode()).hexdigest()


def check_document(
    wallet: Wallet,
    network: Network,
    config: Config,
    outputs: Sequence[Output],
    *,
    kind: str,
    digest: str,
    sender: str,
) -> None:
    """After screening, before the passphrase: raise `HeldForOwner` (the hold stored and
    audited) when an output trips a hold rule, unless its owner approved this document and
    the approval is unused (then it is used now)."""
    from wallet_cli.screening.gather import gather

    context = gather(wallet.home, config, network, wallet, None)
    reasons: list[dict[str, str]] = []
    tripped: Output | None = None
    sending: dict[str, int] = {}
    for output in outputs:
        policy = holds.policy_for(config, wallet.name, output.asset.symbol)
        key = asset_key(output.asset.contract)
        found = holds.held_reasons(output, context, policy, sending.get(key, 0))
        sending[key] = sending.get(key, 0) + output.amount
        if found and tripped is None:
            tripped, reasons = output, found
    if tripped is None:
        return
    key = f"{kind}:{digest}"
    used = store.use_release(wallet.home, wallet.name, key)
    if used is not None:
        record(wallet.home, wallet.name, "hold-used", hold=used, kind=kind)
        return
    policy = holds.policy_for(config, wallet.name, tripped.asset.symbol)
    held = holds.request_record(network, sender, tripped, policy, reasons, {})
    held.update(kind=kind, key=key, outputs=[_shown(o) for o in outputs])
    del held["request"]  # nothing to plan again: the document itself is approved
    stored = holds.hold(wallet.home, wallet.name, [held], dry_run=False)
    raise holds.held_error(stored, f"signing {WHAT.get(kind, kind)}")


def _shown(output: Output) -> dict[str, Any]:
    asset = output.asset
    return {
        "to": output.recipient,
        "amount": format_amount(output.amount, asset.decimals),
        "unit": asset.symbol,
    }
