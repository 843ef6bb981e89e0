"""Releasing or cancelling a held transfer (`wallet holds approve|cancel`).

Approval never signs what was held: it plans the transfer again through the one pipeline
(transfer.send with `released`), so the nonce and fees are fresh and screening runs again
(a block still refuses). The owner sees the new preview, types the destination's last 4
characters, and only then gives the passphrase and the second factor (the `unlock`
callback); the hold is closed as approved under the home lock before anything is signed, so
two approvals of one hold cannot both sign.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wallet_cli import holds
from wallet_cli.errors import BadInput, WalletError
from wallet_cli.store import holds as store
from wallet_cli.store.audit import record

if TYPE_CHECKING:
    from chains.base import Network, Preview
    from wallet_cli.screening import Report
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import Home
    from wallet_cli.transfer_types import SendResult
    from wallet_cli.wallet import Wallet


class HoldCoolingOff(WalletError):
    """`release-after` has not passed: even the owner waits (a thief who has the passphrase
    and the second factor waits too, and the owner can cancel meanwhile)."""

    code = "hold-cooling-off"
    kind = "refused"


def open_hold(home: Home, wallet: str, hold_id: str) -> dict[str, Any]:
    """The hold if it can be approved now: held, not expired (an expired one is marked and
    audited), past its `release-after`."""
    held = store.get(home, wallet, hold_id)
    if held.get("status") == "held" and store.is_expired(held):
        holds.expire(home, wallet)
        held = store.get(home, wallet, hold_id)
    if held.get("status") == "expired":
        raise store.HoldNotOpen(
            f"hold {hold_id} expired at {held.get('expires')}: nothing was signed; send again"
        )
    if held.get("status") != "held":
        raise store.HoldNotOpen(f"hold {hold_id} is {held.get('status')} already")
    ready = store.parse_stamp(held.get("release_after", held.get("created")))
    if store.now() < ready:
        raise HoldCoolingOff(
            f"hold {hold_id} can be approved from {store.stamp(ready)} (release-after): "
            "nothing was signed"
        )
    return held


def approve(
    wallet: Wallet,
    network: Network,
    config: Config,
    hold_id: str,
    *,
    unlock: Callable[[], None],
    check: Callable[[Preview, Report], None],
    wait: bool = True,
    timeout: float = 120.0,
) -> SendResult:
    """Plan, screen and send a held transfer again. `check` shows the new preview and
    raises unless the owner confirms it (the last 4 characters); `unlock` asks the
    passphrase and the second factor. Screening warnings are not asked about separately:
    `check` shows them with the preview."""
    from wallet_cli.transfer import send

    home, name = wallet.home, wallet.name
    held = open_hold(home, name, hold_id)
    if held.get("network") != network.name:
        raise BadInput(
            f"hold {hold_id} is on network {held.get('network')!r}: run it with "
            f"--network {held.get('network')}"
        )
    request = holds.request_of(held, wait=wait, timeout=timeout)

    def show(preview: Preview, report: Report) -> None:
        _same_transfer(held, preview)
        check(preview, report)

    def release() -> None:
        unlock()
        store.close(home, name, hold_id, "approved")
        record(home, name, "hold-approved", hold=hold_id)

    result = send(
        wallet, network, config, request,
        unlock=release, confirm=_shown_with_preview, show=show, released=held,
    )  # fmt: skip
    store.update(home, name, hold_id, tx_hash=result.tx_hash, tx_status=result.status)
    return result


def approve_document(
    wallet: Wallet,
    hold_id: str,
    *,
    unlock: Callable[[], None],
    check: Callable[[Mapping[str, Any]], None],
) -> dict[str, Any]:
    """Approve a held PSBT or SafeTx (signing_holds.py): `check` shows what it pays and
    raises unless the owner confirms; `unlock` asks the passphrase and the second factor.
    Nothing is signed here: the next signing of that document uses the approval once."""
    home, name = wallet.home, wallet.name
    held = open_hold(home, name, hold_id)
    check(held)
    unlock()
    closed = store.close(home, name, hold_id, "approved")
    record(home, name, "hold-approved", hold=hold_id, kind=held.get("kind"))
    return closed


def _shown_with_preview(report: Report, preview: Preview) -> bool:
    return True  # the warnings are shown with the preview the owner confirms


def _same_transfer(held: Mapping[str, Any], preview: Preview) -> None:
    """The new plan pays what was held, to whom it was held for: never anything else."""
    outputs = preview.outputs
    if (
        len(outputs) != 1
        or outputs[0].recipient != held.get("to")
        or str(outputs[0].amount) != str(held.get("amount_base"))
    ):
        raise BadInput(f"hold {held.get('id')}: the new plan does not match the held transfer")


def cancel(home: Home, wallet: str, hold_id: str) -> dict[str, Any]:
    """Cancel an open hold (no passphrase: cancelling only makes the wallet safer)."""
    held = store.close(home, wallet, hold_id, "cancelled")
    record(home, wallet, "hold-cancelled", hold=hold_id)
    return held


def listing(home: Home, wallet: str, *, every: bool) -> list[dict[str, Any]]:
    """The wallet's held requests (expired ones marked first); `every`: closed ones too."""
    holds.expire(home, wallet)
    found = store.load(home, wallet)
    return [holds.summary(h) for h in found if every or h.get("status") == "held"]
