"""`wallet tx speed-up` and `wallet tx cancel`: replace a pending transaction of this wallet,
through the pipeline's own steps (connect, plan, screen, enforce, unlock, sign, history
before broadcast, broadcast, await). The chain's session builds the replacement: on EVM the
same nonce re-signed with higher fees (or a 0-value transfer to the sender, a cancel); on
Bitcoin a fee bump of the same payment (RBF).

The original is found in this wallet's history (its `signed` entry holds the raw bytes),
so a hash from another wallet, another network or a dry run is refused before any node is
asked. The replacement's `signed` entry carries `replaces` and `kind`; once it is in a
block, a `replaced` event for the original makes `wallet history` show it as replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from chains.base import Network, Preview
from chains.registry import adapter_for
from chains.session import SentTransfer
from wallet_cli import screening
from wallet_cli.errors import BadInput, HistoryDamaged, TxAlreadyMined, TxNotOurs
from wallet_cli.receipts import look_up, parse_hash, record
from wallet_cli.signing_keys import UnlockedKeys
from wallet_cli.store.config import Config
from wallet_cli.store.history import FINAL_EVENTS, History
from wallet_cli.transfer import (
    Confirm,
    SendRequest,
    SendResult,
    Unlock,
    await_one,
    broadcast,
    connect,
    enforce,
    new_result,
    screening_context,
    signed_entry,
)
from wallet_cli.transfer_inputs import fee_choice
from wallet_cli.wallet import Wallet

Kind = Literal["speed-up", "cancel"]
DEFAULT_MULTIPLIER = "1.25"
MIN_BUMP = Decimal("1.1")  # nodes take a replacement only at +10% (BIP-125, geth's pool)
MAX_MULTIPLIER = Decimal(10)
SEARCH_INDEXES = 20  # addresses derived to find the sender when public data lacks it


@dataclass(frozen=True)
class ReplaceRequest:
    tx_hash: str
    kind: Kind
    fee_multiplier: str = DEFAULT_MULTIPLIER
    max_fee_per_gas: str | None = None  # explicit fees skip the max-fee-per-gas ceiling
    priority_fee: str | None = None
    allow: frozenset[str] = field(default_factory=frozenset)
    wait: bool = True
    timeout: float = 120.0
    fee_rate: int | None = None  # Bitcoin: the bump's rate, sat/vB


@dataclass(frozen=True)
class Replacement:
    """What a person sees before the passphrase: which transaction, and the fees."""

    kind: Kind
    replaces: str
    nonce: int | None
    fee_change: str  # one line: the original's fees -> the replacement's


@dataclass
class ReplaceResult(SendResult):
    replaces: str = ""
    kind: str = ""
    fee_fields: dict[str, str | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        document = super().to_json()
        document.update({"replaces": self.replaces, "kind": self.kind, **self.fee_fields})
        return document


Show = Callable[[Replacement, Preview, screening.Report], None]


def _show_nothing(replacing: Replacement, preview: Preview, report: screening.Report) -> None:
    return None


def parse_multiplier(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not MIN_BUMP <= value <= MAX_MULTIPLIER:
        raise BadInput(
            f"--fee-multiplier must be a number from {MIN_BUMP} (nodes take a "
            f"replacement only at +10%) to {MAX_MULTIPLIER}: {text[:40]!r}"
        )
    return value


def find_original(history: History, tx_hash: str, network: Network, wallet: str) -> dict[str, Any]:
    """The `signed` entry of `tx_hash` with the newest event's name as `status`; refused when
    it is not this wallet's sent transaction on this network, or history knows it is done."""
    found: dict[str, Any] | None = None
    for entry in history.entries():
        if str(entry.get("tx_hash", "")).lower() != tx_hash.lower():
            continue
        if entry.get("event") == "signed":
            found = dict(entry)
        if found is not None:
            found.setdefault("events", []).append(entry)
    if found is None:
        raise TxNotOurs(
            f"{tx_hash} is not a transaction of wallet '{wallet}' (not in its history): "
            "only this wallet's own sends can be replaced"
        )
    if found.get("network") != network.name:
        other = found.get("network")
        raise TxNotOurs(
            f"{tx_hash} was sent on network {other!r}, not {network.name!r}; give --network {other}"
        )
    if found.get("dry_run"):
        raise TxNotOurs(f"{tx_hash} was a --dry-run, never broadcast: nothing to replace")
    for event in found["events"]:
        name = event.get("event")
        if name == "expired":
            raise TxAlreadyMined(f"{tx_hash} expired unsent: it can never land, send again")
        if name in FINAL_EVENTS:
            status = "success" if name == "confirmed" else "failed"
            raise TxAlreadyMined(
                f"{tx_hash} is already mined in block {event.get('block')} ({status}): "
                "nothing to replace"
            )
        if name == "replaced":
            raise TxAlreadyMined(f"{tx_hash} was already replaced by {event.get('by')}")
    return found


def replace(
    wallet: Wallet,
    network: Network,
    config: Config,
    request: ReplaceRequest,
    *,
    unlock: Unlock,
    confirm: Confirm,
    show: Show = _show_nothing,
    confirmed: bool = False,
) -> ReplaceResult:
    """Speed up or cancel one pending transaction; `show` gets the preview after screening,
    before the passphrase. `confirmed` (--yes) lets a given fee rate above max-fee-rate."""
    multiplier = parse_multiplier(request.fee_multiplier)
    tx_hash = parse_hash(request.tx_hash, network)
    fees = fee_choice(
        network,
        SendRequest(
            "", "", max_fee_per_gas=request.max_fee_per_gas, priority_fee=request.priority_fee,
            fee_rate=request.fee_rate, fee_rate_confirmed=confirmed,
        ),
    )  # fmt: skip
    history = History(wallet.home, wallet.name)
    original = find_original(history, tx_hash, network, wallet.name)
    sent = _sent(original, tx_hash)
    index = _index_of(wallet, network, sent.sender)
    session = connect(network, request.timeout, wallet, index)
    try:
        with wallet.home.account_lock(session.lock_name):
            mined = look_up(session, [tx_hash])[0]
            if mined.status in ("success", "failed"):
                record(history, [mined])
                raise TxAlreadyMined(
                    f"{tx_hash} is already mined in block {mined.block} ({mined.status}): "
                    "nothing to replace"
                )
            replacing = session.replacement(sent, request.kind, multiplier, fees)
            plan = replacing.plan
            report = screening.check(
                plan.preview, screening_context(wallet, network, config, session)
            )
            enforce(report, request.allow, confirm, plan.preview)
            shown = Replacement(request.kind, tx_hash, replacing.nonce, replacing.fee_change)
            show(shown, plan.preview, report)
            unlock()
            signed = session.sign([plan], UnlockedKeys(wallet, network.family))[0]
            output = plan.preview.outputs[0]
            base = new_result(network, session.sender, output, plan, report, signed)
            result = ReplaceResult(
                **vars(base), replaces=tx_hash, kind=request.kind,
                fee_fields=replacing.fee_fields,
            )  # fmt: skip
            entry = signed_entry(
                result, session.chain_id, signed, allow=request.allow, dry_run=False
            )
            history.append({**entry, "replaces": tx_hash, "kind": request.kind})
            broadcast(session, signed, history, result)
        if not request.wait:
            return result
        await_one(session, signed, history, result, request.timeout)
    finally:
        session.close()
    note_replaced(history, [signed.tx_hash])
    return result


def note_replaced(history: History, settled: list[str]) -> list[str]:
    """For each replacement in `settled` now in a block (confirmed or failed: either way its
    nonce is spent), record `replaced` for what it replaced, and for what that replaced in
    turn (a speed-up of a speed-up), once each; returns those originals."""
    if not settled:
        return []
    with history.home.lock():
        entries = history.entries()
        done = {str(e.get("tx_hash", "")).lower() for e in entries if e.get("event") == "replaced"}
        final = {
            str(e.get("tx_hash", "")).lower(): e for e in entries if e.get("event") in FINAL_EVENTS
        }
        replaces = {
            str(e.get("tx_hash", "")).lower(): str(e["replaces"]).lower()
            for e in entries
            if e.get("event") == "signed" and isinstance(e.get("replaces"), str)
        }
        new: list[dict[str, Any]] = []
        for by in (h.lower() for h in settled):
            block = final[by].get("block") if by in final else None
            original = replaces.get(by) if by in final else None
            while original is not None and original not in done and original not in final:
                done.add(original)
                new.append({"event": "replaced", "tx_hash": original, "by": by, "block": block})
                original = replaces.get(original)
        history.append_many_locked(new)
    return [str(e["tx_hash"]) for e in new]


def _sent(original: dict[str, Any], tx_hash: str) -> SentTransfer:
    """The history entry as the chain session reads it; a malformed one is damage."""
    try:
        nonce = original.get("nonce")
        return SentTransfer(
            tx_hash=tx_hash,
            raw=str(original["raw"]),
            sender=str(original["from"]),
            to=str(original["to"]),
            token=original.get("token") if isinstance(original.get("token"), str) else None,
            amount=int(str(original.get("amount_base", "-1"))),
            nonce=nonce if isinstance(nonce, int) else None,
        )
    except (KeyError, ValueError) as exc:
        raise HistoryDamaged(f"the history entry of {tx_hash} cannot be read back: {exc}") from None


def _index_of(wallet: Wallet, network: Network, sender: str) -> int:
    key = adapter_for(network.family).account_key(network, None)
    known = dict(wallet.chain(key).addresses)
    if sender not in known.values():
        count = 1 if wallet.chain(key).account.xpub is None else SEARCH_INDEXES
        known = {a.index: a.address for a in wallet.addresses(key, range(count))}
    for index, address in known.items():
        if address == sender:
            return index
    raise TxNotOurs(f"{sender} is not among the first {SEARCH_INDEXES} addresses of this wallet")
