"""`wallet tx speed-up` and `wallet tx cancel`: replace a pending EVM transaction of this
wallet at the same nonce, through the send pipeline's own steps (connect, screen, enforce,
unlock, sign, history before broadcast, broadcast, await).

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

from chains.amounts import format_amount
from chains.base import Asset, Network, Output, Preview
from chains.errors import InsufficientFunds, UnsupportedChain
from chains.evm import replacement
from chains.evm.fees import GasPrice
from chains.evm.rpc import RpcClient, quantity
from chains.evm.transfer import TransferPlan, token_asset
from chains.evm.tx import LegacyTx, Signer, Transaction
from chains.registry import adapter_for
from wallet_cli import screening
from wallet_cli.errors import BadInput, HistoryDamaged, TxAlreadyMined, TxNotOurs
from wallet_cli.receipts import look_up, parse_hash, record
from wallet_cli.store.config import Config
from wallet_cli.store.history import FINAL_EVENTS, History
from wallet_cli.transfer import (
    Confirm,
    SendResult,
    Unlock,
    _await,
    _broadcast,
    connect,
    enforce,
    fee_policy,
    screening_context,
    signed_entry,
)
from wallet_cli.wallet import Wallet

Kind = Literal["speed-up", "cancel"]
DEFAULT_MULTIPLIER = "1.25"
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


@dataclass(frozen=True)
class Replacement:
    """What a person sees before the passphrase: which transaction, and the fees."""

    kind: Kind
    replaces: str
    nonce: int
    legacy: bool
    before: GasPrice
    after: GasPrice


@dataclass
class ReplaceResult(SendResult):
    replaces: str = ""
    kind: str = ""
    fees: GasPrice = field(default_factory=lambda: GasPrice(0, 0))
    previous_fees: GasPrice = field(default_factory=lambda: GasPrice(0, 0))
    legacy: bool = False

    def to_json(self) -> dict[str, Any]:
        document = super().to_json()
        tip = None if self.legacy else str(self.fees.priority_fee)
        was_tip = None if self.legacy else str(self.previous_fees.priority_fee)
        document.update(
            {
                "replaces": self.replaces,
                "kind": self.kind,
                "max_fee_per_gas": str(self.fees.max_fee_per_gas),
                "priority_fee": tip,
                "previous_max_fee_per_gas": str(self.previous_fees.max_fee_per_gas),
                "previous_priority_fee": was_tip,
            }
        )
        return document


Show = Callable[[Replacement, Preview, screening.Report], None]


def _show_nothing(replacing: Replacement, preview: Preview, report: screening.Report) -> None:
    return None


def parse_multiplier(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not replacement.MIN_BUMP <= value <= replacement.MAX_MULTIPLIER:
        raise BadInput(
            f"--fee-multiplier must be a number from {replacement.MIN_BUMP} (nodes take a "
            f"replacement only at +10%) to {replacement.MAX_MULTIPLIER}: {text[:40]!r}"
        )
    return value


def find_original(history: History, tx_hash: str, network: Network, wallet: str) -> dict[str, Any]:
    """The `signed` entry of `tx_hash` with the newest event's name as `status`; refused when
    it is not this wallet's sent transaction on this network, or history knows it is done."""
    found: dict[str, Any] | None = None
    for entry in history.entries():
        if str(entry.get("tx_hash", "")).lower() != tx_hash:
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
) -> ReplaceResult:
    """Speed up or cancel one pending transaction; `show` gets the preview after screening,
    before the passphrase."""
    multiplier = parse_multiplier(request.fee_multiplier)
    tx_hash = parse_hash(request.tx_hash)
    if network.family != "evm":
        raise UnsupportedChain(
            f"tx {request.kind} replaces EVM transactions; {network.name!r} is a "
            f"{network.family} network, and bumping a Bitcoin fee is not supported yet"
        )
    history = History(wallet.home, wallet.name)
    original = find_original(history, tx_hash, network, wallet.name)
    old = _decode(original, tx_hash)
    legacy = isinstance(old, LegacyTx)
    policy = fee_policy(network, request.max_fee_per_gas, request.priority_fee, legacy=legacy)
    wanted = replacement.Raise(multiplier, policy.max_fee_per_gas, policy.priority_fee)
    try:
        price = replacement.new_fees(old, wanted, policy)
    except replacement.RaiseTooSmall as exc:
        raise BadInput(str(exc)) from None
    sender = str(original["from"])
    index = _index_of(wallet, network, sender)
    client, chain_id = connect(network, request.timeout)
    try:
        if chain_id != old.chain_id:
            raise TxNotOurs(f"{tx_hash} was signed for chain id {old.chain_id}, not {chain_id}")
        with wallet.home.account_lock(f"evm-{chain_id}-{sender}"):
            _check_pending(client, history, tx_hash, old, sender)
            if request.kind == "cancel":
                new = replacement.cancel(old, sender, price, policy)
            else:
                new = replacement.speed_up(old, price, policy)
            _check_funds(client, sender, new, policy.native)
            preview = _preview(client, network, chain_id, sender, original, request.kind, new)
            report = screening.check(preview, screening_context(wallet, network, config, client))
            enforce(report, request.allow, confirm, preview)
            replacing = Replacement(
                request.kind, tx_hash, old.nonce, legacy, replacement.fees_of(old), price
            )
            show(replacing, preview, report)
            unlock()
            key = wallet.private_key("evm", index)
            if adapter_for("evm").address_of_key(key) != sender:
                raise HistoryDamaged(f"the history entry of {tx_hash} names a sender not ours")
            signed = Signer(key).sign(new)
            output = preview.outputs[0]
            result = ReplaceResult(
                network=network.name,
                chain=network.family,
                sender=sender,
                to=output.recipient,
                amount=format_amount(output.amount, output.asset.decimals),
                unit=output.asset.symbol,
                report=report,
                tx_hash=signed.hash_hex,
                fee_cap=format_amount(preview.fee_cap, preview.fee_asset.decimals),
                fee_unit=preview.fee_asset.symbol,
                nonce=new.nonce,
                token=output.asset.contract,
                base_units=output.amount,
                replaces=tx_hash,
                kind=request.kind,
                fees=price,
                previous_fees=replacing.before,
                legacy=legacy,
            )
            entry = signed_entry(result, chain_id, signed, allow=request.allow, dry_run=False)
            history.append({**entry, "replaces": tx_hash, "kind": request.kind})
            _broadcast(client, signed, history, result)
        if not request.wait:
            return result
        _await(client, TransferPlan(new, preview), signed, history, result, request.timeout)
    finally:
        client.close()
    note_replaced(history, [signed.hash_hex])
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


def _decode(original: dict[str, Any], tx_hash: str) -> Transaction:
    raw = original.get("raw")
    try:
        data = bytes.fromhex(raw[2:]) if isinstance(raw, str) and raw.startswith("0x") else b""
        if replacement.hash_of(data) != tx_hash:
            raise replacement.NotOurTransaction("the raw bytes do not hash to it")
        tx = replacement.decode(data)
    except (ValueError, replacement.NotOurTransaction) as exc:
        raise HistoryDamaged(f"the history entry of {tx_hash} cannot be read back: {exc}") from None
    token, to = original.get("token"), str(original.get("to", "")).lower()
    value = 0 if token else int(str(original.get("amount_base", "-1")))
    target = "0x" + tx.to.hex() if tx.to else ""
    if (tx.nonce, target, tx.value) != (original.get("nonce"), str(token or to).lower(), value):
        raise HistoryDamaged(f"the history entry of {tx_hash} does not match its raw bytes")
    return tx


def _index_of(wallet: Wallet, network: Network, sender: str) -> int:
    key = adapter_for("evm").account_key(network, None)
    known = dict(wallet.chain(key).addresses)
    if sender not in known.values():
        count = 1 if wallet.chain(key).account.xpub is None else SEARCH_INDEXES
        known = {a.index: a.address for a in wallet.addresses(key, range(count))}
    for index, address in known.items():
        if address == sender:
            return index
    raise TxNotOurs(f"{sender} is not among the first {SEARCH_INDEXES} addresses of this wallet")


def _check_pending(
    client: RpcClient, history: History, tx_hash: str, old: Transaction, sender: str
) -> None:
    """Refuse when the original, or any transaction at its nonce, is already in a block."""
    status = look_up(client, [tx_hash])[0]
    if status.status in ("success", "failed"):
        record(history, [status])
        raise TxAlreadyMined(
            f"{tx_hash} is already mined in block {status.block} ({status.status}): "
            "nothing to replace"
        )
    mined = quantity(
        client.call("eth_getTransactionCount", [sender, "latest"]),
        "eth_getTransactionCount",
        "nonce",
    )
    if mined > old.nonce:
        raise TxAlreadyMined(
            f"nonce {old.nonce} of {sender} is already used by a mined transaction "
            "(another replacement?): nothing to replace"
        )


def _check_funds(client: RpcClient, sender: str, tx: Transaction, native: Asset) -> None:
    answer = client.call("eth_getBalance", [sender, "latest"])
    balance = quantity(answer, "eth_getBalance", "balance")
    needed = tx.value + tx.fee_cap()
    if balance < needed:
        raise InsufficientFunds(
            f"{sender} holds {format_amount(balance, native.decimals)} {native.symbol}; the "
            f"replacement needs up to {format_amount(needed, native.decimals)} (value plus "
            "the fee cap)"
        )


def _preview(
    client: RpcClient,
    network: Network,
    chain_id: int,
    sender: str,
    original: dict[str, Any],
    kind: Kind,
    tx: Transaction,
) -> Preview:
    """What screening checks and a person sees: the original's output again (a speed-up),
    or 0 to the sender (a cancel)."""
    native = network.native
    if kind == "cancel":
        output = Output(sender, native, 0, sender)
        target = None
    else:
        token = original.get("token")
        asset = token_asset(client, token) if isinstance(token, str) else native
        amount = int(str(original.get("amount_base", "0")))
        to = str(original.get("to"))
        output = Output(to, asset, amount, to)
        target = asset.contract
    return Preview(
        network=network.name,
        chain_id=chain_id,
        sender=sender,
        outputs=(output,),
        fee_cap=tx.fee_cap(),
        fee_asset=native,
        call_target=target,
    )
