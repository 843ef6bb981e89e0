"""The one transfer pipeline, for every chain: parse -> connect -> plan -> screen -> enforce
-> hold -> unlock -> sign -> record -> broadcast -> await, under the sending account's lock,
with the history entry written before broadcast and after. The chain's part comes from its adapter's
session (chains/session.py); nothing here knows a chain family.

`send` is a batch of one: it runs `plan_and_screen`, `enforce`, `sign_and_record` and
`broadcast` as `wallet batch` does for many rows (batch.py adds rows, run ids, resumes and
pipelined sends around the same steps). Message, typed-data and PSBT signing use the same
`enforce`.

Callbacks keep people out of the library: `unlock` asks for the passphrase only once the
transfer has been planned and screened, and `confirm` decides on `warn` findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.amounts import format_amount
from chains.base import Network, Output, Preview
from chains.registry import adapter_for
from chains.session import (
    ChainSession,
    Expired,
    FeeChoice,
    ItemError,
    Receipt,
    SignedTx,
    UnsignedTx,
)
from wallet_cli import screening
from wallet_cli.errors import (
    ScreeningBlocked,
    ScreeningNotConfirmed,
    TransferExpired,
    TransferFailed,
)
from wallet_cli.signing_keys import UnlockedKeys
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.transfer_inputs import (
    check_amount_syntax,
    fee_choice,
    parse_positive_amount,
    resolve_asset,
)
from wallet_cli.transfer_types import SendRequest as SendRequest
from wallet_cli.transfer_types import SendResult as SendResult

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet

NEVER_LANDED = "not run by the network before its validity window passed; it never will be"
Confirm = Callable[[screening.Report, Preview], bool]
Unlock = Callable[[], object]
Show = Callable[[Preview, screening.Report], None]


def _show_nothing(preview: Preview, report: screening.Report) -> None:
    return None


def connect(
    network: Network,
    timeout: float | None = None,
    wallet: Wallet | None = None,
    index: int = 0,
    script: str | None = None,
) -> ChainSession:
    """A session on the network's node, checked to be on the configured chain. With a
    wallet, it can send from that wallet's address `index` (Bitcoin: the `script` account);
    without, it only reads (balances, statuses, contract code)."""
    adapter = adapter_for(network.family)
    if wallet is None:
        return adapter.connect(network, None, index, "", timeout)
    key = adapter.account_key(network, script)
    public = wallet.chain(key).account
    sender = wallet.addresses(key, [index])[0].address
    return adapter.connect(network, public, index, sender, timeout, chain_state(wallet))


def chain_state(wallet: Wallet) -> Path:
    """The wallet's own folder for what its accounts learn of their chains (bdk's stores)."""
    return wallet.home.wallet_dir(wallet.name) / "chains"


def screening_context(
    wallet: Wallet, network: Network, config: Config, session: ChainSession | None
) -> screening.Context:
    from wallet_cli.screening.gather import gather

    return gather(wallet.home, config, network, wallet, session)


def enforce(
    report: screening.Report, allow: Iterable[str], confirm: Confirm, preview: Preview
) -> None:
    """Stop on a block (unless its rule is explicitly allowed), ask about warnings."""
    allowed = set(allow)
    blocked = [f for f in report.blocking() if f.rule not in allowed]
    if blocked:
        raise ScreeningBlocked(f"refused by screening: {blocked[0].message}", report)
    if report.warnings() and not confirm(report, preview):
        raise ScreeningNotConfirmed(
            "a screening warning was not confirmed: nothing was signed "
            "(on a terminal, type the last 4 characters; in a script, --yes)",
            report,
        )


def plan_and_screen(
    session: ChainSession,
    outputs: Sequence[Output],
    fees: FeeChoice,
    context: screening.Context,
) -> tuple[list[UnsignedTx], list[screening.Report]]:
    """Plans paying `outputs`, each screened. `ItemError` names the output that cannot be
    paid."""
    plans = session.build(outputs, fees)
    if context.code is not None:
        context.code.prefetch([o.recipient for o in outputs])
    return plans, [screening.check(plan.preview, context) for plan in plans]


def send(
    wallet: Wallet,
    network: Network,
    config: Config,
    request: SendRequest,
    *,
    unlock: Unlock,
    confirm: Confirm,
    show: Show = _show_nothing,
    released: Mapping[str, Any] | None = None,
) -> SendResult:
    """`show` gets the preview (every output, the fee cap) after screening, before signing.
    A transfer that trips a hold rule stops after screening (`HeldForOwner`, holds.py);
    `released` is the hold `wallet holds approve` releases: its hold step is skipped and its
    history entry names the hold (and a batch row's key, so a rerun does not pay it again)."""
    from wallet_cli import freeze, holds
    from wallet_cli.approvals import call_amount, parse_call_data

    if not request.dry_run:
        freeze.check(wallet.home, wallet.name)  # before any prompt; the keys check it again
    to = adapter_for(network.family).parse_address(request.to, network)
    data = parse_call_data(request.data, network, request.token)
    check_amount_syntax(request.amount, network, request.token)
    fees = fee_choice(network, request)
    session = connect(network, request.timeout, wallet, request.index, request.script)
    try:
        asset = resolve_asset(session, config, network, request.token)
        if data:  # a contract call: its value may be zero
            amount = call_amount(request.amount, asset, network)
        else:
            amount = parse_positive_amount(request.amount, asset, network)
        output = Output(to, asset, amount, request.to, data)
        history = History(wallet.home, wallet.name)
        with wallet.home.account_lock(session.lock_name):
            context = screening_context(wallet, network, config, session)
            try:
                plans, reports = plan_and_screen(session, [output], fees, context)
            except ItemError as exc:
                raise exc.error from None
            plan, report = plans[0], reports[0]
            enforce(report, request.allow, confirm, plan.preview)
            if released is None:
                holds.check_transfer(
                    wallet.home, wallet.name, network, config, context, session.sender, output,
                    request,
                )  # fmt: skip
            show(plan.preview, report)
            unlock()
            signed_all, results = sign_and_record(
                session, wallet, [plan], [report], [output], history,
                allow=request.allow, dry_run=request.dry_run,
                extra=holds.released_fields(released),
            )  # fmt: skip
            signed, result = signed_all[0], results[0][1]
            if request.dry_run:
                result.raw = signed.raw
                return result
            return deliver(session, wallet, plan, signed, history, result, request)
    finally:
        session.close()


def sign_and_record(
    session: ChainSession,
    wallet: Wallet,
    unsigned: Sequence[UnsignedTx],
    reports: Sequence[screening.Report],
    outputs: Sequence[Output],
    history: History,
    *,
    allow: frozenset[str],
    dry_run: bool,
    extra: Callable[[int], dict[str, Any]] | None = None,
) -> tuple[list[SignedTx], list[tuple[int, SendResult]]]:
    """Sign every transaction, then journal a `signed` entry for every output it pays (one
    write), before anything is sent: a crash after this can re-broadcast, never re-sign.
    Returns the signed transactions and, per output position, its result; `extra` adds
    fields to an output's entry (a batch row's key, run id and line)."""
    network = session.network
    signed = session.sign(unsigned, UnlockedKeys(wallet, network.family))
    results: list[tuple[int, SendResult]] = []
    entries = []
    for tx, report, one in zip(unsigned, reports, signed, strict=True):
        for position in tx.outputs:
            result = new_result(network, session.sender, outputs[position], tx, report, one)
            results.append((position, result))
            entry = signed_entry(result, session.chain_id, one, allow=allow, dry_run=dry_run)
            entries.append({**entry, **(extra(position) if extra else {})})
    history.append_many(entries)
    return signed, results


def new_result(
    network: Network,
    sender: str,
    output: Output,
    plan: UnsignedTx,
    report: screening.Report,
    signed: SignedTx,
) -> SendResult:
    asset = output.asset
    return SendResult(
        network=network.name,
        chain=network.family,
        sender=sender,
        to=output.recipient,
        amount=format_amount(output.amount, asset.decimals),
        unit=asset.symbol,
        report=report,
        tx_hash=signed.tx_hash,
        fee_cap=format_amount(plan.preview.fee_cap, plan.preview.fee_asset.decimals),
        fee_unit=plan.preview.fee_asset.symbol,
        nonce=signed.nonce,
        token=asset.contract,
        base_units=output.amount,
        selector="0x" + output.data[:4].hex() if output.data else None,
    )


def signed_entry(
    result: SendResult,
    chain_id: int | None,
    signed: SignedTx,
    *,
    allow: frozenset[str],
    dry_run: bool,
    key: str | None = None,
) -> dict[str, Any]:
    """The history entry written before broadcast: enough to re-broadcast after a crash."""
    report = result.report
    allowed = sorted(f.rule for f in report.blocking() if f.rule in allow)
    entry: dict[str, Any] = {
        "event": "signed",
        "network": result.network,
        "chain_id": chain_id,
        "from": result.sender,
        "to": result.to,
        "amount": result.amount,
        "amount_base": str(result.base_units),
        "unit": result.unit,
        "token": result.token,
        "nonce": result.nonce,
        "tx_hash": signed.tx_hash,
        "raw": signed.raw,
        "dry_run": dry_run,
        "screening": report.verdict,
    }
    if result.selector is not None:
        entry["selector"] = result.selector  # what a call did; the whole data is in `raw`
    if allowed:
        entry["allowed_blocks"] = allowed
    if key:
        entry["key"] = key
    return entry


def broadcast(
    session: ChainSession, signed: SignedTx, history: History, result: SendResult
) -> str | None:
    """Send one signed transaction; `rejected` or `broadcast` is journalled either way.
    Returns an `Expired` refusal (the transaction can never land as signed) to the caller,
    who may sign it again; any other refusal is `TransferFailed`."""
    refusal = session.broadcast([signed])[0]
    if isinstance(refusal, Expired):
        history.append(expired_entry(signed.tx_hash, refusal))
        return refusal
    if refusal is not None:
        history.append({"event": "rejected", "tx_hash": signed.tx_hash, "reason": refusal})
        raise TransferFailed(f"the node refused the transaction: {refusal}")
    history.append({"event": "broadcast", "tx_hash": signed.tx_hash})
    result.status = "pending"
    return None


def deliver(
    session: ChainSession,
    wallet: Wallet,
    plan: UnsignedTx,
    signed: SignedTx,
    history: History,
    result: SendResult,
    request: SendRequest,
) -> SendResult:
    """Broadcast and await one transaction. One that expires before it lands (Solana: its
    blockhash passed, whether refused at the door or never seen in time) can never land as
    signed, so the same plan is signed once more with fresh chain data, journalled as its own
    transaction with `renews`; a second expiry is `TransferExpired`."""
    for attempt in (1, 2):
        if attempt == 2:
            old = signed.tx_hash
            signed = session.sign([plan], UnlockedKeys(wallet, session.network.family))[0]
            if signed.tx_hash != old:  # else the node gave the same chain data: same bytes
                result.tx_hash, result.nonce = signed.tx_hash, signed.nonce
                entry = signed_entry(result, session.chain_id, signed, allow=request.allow,
                                     dry_run=False)  # fmt: skip
                history.append({**entry, "renews": old})
        expired = broadcast(session, signed, history, result)
        if expired is None:
            if not request.wait:
                return result
            await_one(session, signed, history, result, request.timeout)
            if result.status != "expired":
                return result
    raise TransferExpired(
        "the transaction expired twice before the network ran it (its blockhash passed): "
        "nothing was paid; check the node and send again"
    )


def expired_entry(tx_hash: str, reason: str) -> dict[str, Any]:
    return {"event": "expired", "tx_hash": tx_hash, "reason": reason}


def final_entry(outcome: Receipt) -> dict[str, Any]:
    """The history entry for a settled transaction: `confirmed`, `failed` with its reason, or
    `expired`."""
    if outcome.status == "expired":
        return expired_entry(outcome.tx_hash, outcome.reason or NEVER_LANDED)
    entry: dict[str, Any] = {
        "event": "confirmed" if outcome.status == "success" else "failed",
        "tx_hash": outcome.tx_hash,
        "block": outcome.block,
    }
    if outcome.status != "success" and outcome.reason:
        entry["reason"] = outcome.reason
    return entry


def await_one(
    session: ChainSession,
    signed: SignedTx,
    history: History,
    result: SendResult,
    timeout: float,
) -> SendResult:
    outcome = session.wait([signed.tx_hash], timeout).get(signed.tx_hash)
    if outcome is None or outcome.status not in ("success", "failed", "expired"):
        result.status = "pending"
        return result
    result.block = outcome.block
    result.status = outcome.status
    result.reason = outcome.reason if outcome.status == "failed" else None
    history.append(final_entry(outcome))
    return result
