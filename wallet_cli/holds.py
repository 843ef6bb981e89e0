"""Holds: a large or unusual transfer waits for its owner instead of being signed.

Policy per wallet and asset, in config.toml `[wallets.NAME.policy.SYMBOL]` (the table the
spending limits use): `hold-above` (an amount), `hold-new-recipient-above` (an amount to an
address this wallet never sent to, that is no contact and none of its own),
`hold-daily-above` (today's accepted sends plus this one), `hold-unusual = true` (more than
ten times the largest this wallet sent before, the figures shown), `hold-expires` (default
24h) and `release-after` (a cooling-off period before even the owner can approve).

The pipeline asks `held_reasons` after screening and before the passphrase: a transfer with
reasons is stored (store/holds.py), audited, and refused with `HeldForOwner` (exit 7).
`--yes` and `--allow` never release a hold: only `wallet holds approve ID` does, which
plans the transfer again through the same pipeline with `released` set to the hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from chains.amounts import format_amount
from chains.base import Output
from wallet_cli.errors import HeldForOwner, HomeUnusable
from wallet_cli.screening.amount_checks import UNUSUAL_FACTOR
from wallet_cli.screening.context import Context, asset_key
from wallet_cli.store import holds as store
from wallet_cli.store.audit import record

if TYPE_CHECKING:
    from chains.base import Network
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import Home
    from wallet_cli.transfer_types import SendRequest

DEFAULT_EXPIRY = timedelta(hours=24)
# The hold rules, each a reason a transfer waits; `all-or-nothing`: a batch row held with
# another. Their advice and links are screening's (wallet_cli/screening/advice.py).
HOLD_RULES = ("hold-above", "hold-new-recipient-above", "hold-daily-above", "hold-unusual")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class HoldPolicy:
    above: Decimal | None = None
    new_recipient_above: Decimal | None = None
    daily_above: Decimal | None = None
    unusual: bool = False
    expires: timedelta = DEFAULT_EXPIRY
    release_after: timedelta = timedelta(0)


def advice_for_hold(reason: str) -> tuple[str, str]:
    """The sentence a held transfer shows for `reason`, and its link into the screening
    docs (one table for every refusal's advice: screening/advice.py)."""
    from wallet_cli.screening.advice import advice_for_hold as advice

    return advice(reason)


def parse_duration(value: object, where: str) -> timedelta:
    """`90s`, `30m`, `1h`, `2d` (a bare number is hours)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timedelta(hours=value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise HomeUnusable(f"config.toml {where}: {value!r} is not a duration (30m, 1h, 2d)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def policy_for(config: Config, wallet: str, symbol: str) -> HoldPolicy:
    policy = config.spending_policy(wallet)
    table = next((t for s, t in policy.items() if s.upper() == symbol.upper()), None)
    if table is None:
        return HoldPolicy()
    where = f"[wallets.{wallet}.policy.{symbol}]"
    if not isinstance(table, dict):
        raise HomeUnusable(f"config.toml {where} must be a table")
    unusual = table.get("hold-unusual", False)
    if not isinstance(unusual, bool):
        raise HomeUnusable(f"config.toml {where} hold-unusual must be true or false")
    return HoldPolicy(
        above=_limit(table.get("hold-above"), where),
        new_recipient_above=_limit(table.get("hold-new-recipient-above"), where),
        daily_above=_limit(table.get("hold-daily-above"), where),
        unusual=unusual,
        expires=parse_duration(table.get("hold-expires", "24h"), f"{where} hold-expires"),
        release_after=parse_duration(table.get("release-after", "0s"), f"{where} release-after"),
    )


def _limit(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        raise HomeUnusable(f"config.toml {where}: {value!r} is not an amount")
    return number


def held_reasons(
    output: Output, context: Context, policy: HoldPolicy, sent_before: int = 0
) -> list[dict[str, str]]:
    """Why `output` waits for its owner (empty: it does not). `sent_before`: base units of
    the same asset earlier rows of this batch send today."""
    asset = output.asset
    scale = Decimal(10) ** asset.decimals
    amount = Decimal(output.amount) / scale
    symbol = asset.symbol
    reasons: list[tuple[str, str]] = []
    if policy.above is not None and amount > policy.above:
        reasons.append(
            ("hold-above", f"{amount.normalize():f} {symbol} is above hold-above "
                           f"{policy.above:f} {symbol}")
        )  # fmt: skip
    known = (
        output.recipient in context.sent_to
        or output.recipient in context.contacts
        or output.recipient in context.own_addresses
    )
    limit = policy.new_recipient_above
    if limit is not None and not known and amount > limit:
        reasons.append(
            ("hold-new-recipient-above", f"{amount.normalize():f} {symbol} to an address this "
             f"wallet never sent to is above hold-new-recipient-above {limit:f} {symbol}")
        )  # fmt: skip
    if policy.daily_above is not None:
        today = context.spent_today.get(asset_key(asset.contract), 0) + sent_before
        total = (Decimal(today) + output.amount) / scale
        if total > policy.daily_above:
            reasons.append(
                ("hold-daily-above", f"{Decimal(today) / scale:f} {symbol} sent today plus "
                 f"{amount.normalize():f} is above hold-daily-above {policy.daily_above:f} "
                 f"{symbol}")
            )  # fmt: skip
    largest = context.largest_sent.get(asset_key(asset.contract))
    if policy.unusual and largest and output.amount > UNUSUAL_FACTOR * largest:
        reasons.append(
            ("hold-unusual", f"{amount.normalize():f} {symbol} is more than {UNUSUAL_FACTOR} "
             f"times the largest this wallet sent before "
             f"({format_amount(largest, asset.decimals)} {symbol})")
        )  # fmt: skip
    out = []
    for rule, message in reasons:
        advice, link = advice_for_hold(rule)
        out.append({"rule": rule, "message": message, "advice": advice, "link": link})
    return out


def request_record(
    network: Network,
    sender: str,
    output: Output,
    policy: HoldPolicy,
    reasons: list[dict[str, str]],
    replan: Mapping[str, Any],
) -> dict[str, Any]:
    """What is stored for one held output: what to plan again (`replan`: the request as
    typed, never fees or a nonce), what it pays, why, and when it may be approved."""
    moment = store.now()
    return {
        "created": store.stamp(moment),
        "release_after": store.stamp(moment + policy.release_after),
        "expires": store.stamp(moment + policy.expires),
        "network": network.name,
        "from": sender,
        "to": output.recipient,
        "amount": format_amount(output.amount, output.asset.decimals),
        "amount_base": str(output.amount),
        "unit": output.asset.symbol,
        "token": output.asset.contract,
        "reasons": reasons,
        "request": dict(replan),
    }


def hold(
    home: Home, wallet: str, records: list[dict[str, Any]], *, dry_run: bool
) -> list[dict[str, Any]]:
    """Store held requests (a dry run stores none) and audit each; returns them, with ids."""
    if dry_run:
        return [{**r, "id": None, "status": "would-hold"} for r in records]
    stored = store.add(home, wallet, records)
    for held in stored:
        record(
            home, wallet, "hold", hold=held["id"], network=held["network"], to=held["to"],
            amount=held["amount"], unit=held["unit"], reasons=[r["rule"] for r in held["reasons"]],
        )  # fmt: skip
    return stored


def summary(held: Mapping[str, Any]) -> dict[str, Any]:
    """A hold as the JSON error and `wallet holds --json` show it."""
    keys = ("id", "status", "network", "from", "to", "amount", "unit", "token", "created",
            "release_after", "expires", "reasons", "row", "group", "kind", "outputs",
            "used")  # fmt: skip
    return {k: held[k] for k in keys if k in held}


def held_error(held: Sequence[Mapping[str, Any]], what: str = "the transfer") -> HeldForOwner:
    """The one-line refusal: what is held, the first reason with its advice, and what to run."""
    first = held[0]
    reason = first["reasons"][0]
    ids = [h["id"] for h in held if h.get("id")]
    if not ids:
        where = "dry run: no hold was recorded"
    elif len(ids) == 1:
        where = f"hold {ids[0]}; the owner approves it with 'wallet holds approve {ids[0]}'"
        where += ", then signs it again" if first.get("kind") else ""
    else:
        where = f"holds {', '.join(ids)}; approve each with 'wallet holds approve ID'"
    return HeldForOwner(
        f"{what} is held for the owner, nothing was signed: {reason['message']} "
        f"({where}; it expires at {first['expires']}). Advice: {reason['advice']} "
        f"({reason['link']})",
        [summary(h) for h in held],
    )


def expire(home: Home, wallet: str) -> None:
    """Mark held requests past their expiry, each audited as `hold-expired`."""
    for due in store.expire_due(home, wallet):
        record(home, wallet, "hold-expired", hold=due["id"])


def replan_of(request: SendRequest) -> dict[str, Any]:
    """The parts of a send request a hold keeps to plan it again: never fees or a nonce,
    which approval takes fresh."""
    return {
        "to": request.to,
        "amount": request.amount,
        "token": request.token,
        "index": request.index,
        "script": request.script,
        "data": request.data,
        "legacy": request.legacy,
        "gas_limit": request.gas_limit,
        "allow": sorted(request.allow),
        "utxos": list(request.utxos),
    }


def request_of(held: Mapping[str, Any], *, wait: bool, timeout: float) -> SendRequest:
    """The send request an approval plans again, from what the hold kept."""
    from wallet_cli.transfer_types import SendRequest

    kept = held.get("request")
    if not isinstance(kept, dict):
        raise HomeUnusable(f"hold {held.get('id')} has no request to plan again")
    gas_limit = kept.get("gas_limit")
    return SendRequest(
        to=str(kept["to"]),
        amount=str(kept["amount"]),
        token=kept.get("token"),
        index=int(kept.get("index") or 0),
        legacy=bool(kept.get("legacy")),
        wait=wait,
        gas_limit=int(gas_limit) if gas_limit is not None else None,
        allow=frozenset(str(rule) for rule in kept.get("allow") or ()),
        timeout=timeout,
        utxos=tuple(str(u) for u in kept.get("utxos") or ()),
        script=kept.get("script"),
        data=kept.get("data"),
    )


def check_transfer(
    home: Home,
    wallet: str,
    network: Network,
    config: Config,
    context: Context,
    sender: str,
    output: Output,
    request: SendRequest,
) -> None:
    """The pipeline's hold step for one transfer: raises `HeldForOwner` (after storing the
    hold) when a hold rule trips; `--yes` and `--allow` play no part."""
    policy = policy_for(config, wallet, output.asset.symbol)
    reasons = held_reasons(output, context, policy)
    if reasons:
        held = request_record(network, sender, output, policy, reasons, replan_of(request))
        raise held_error(hold(home, wallet, [held], dry_run=request.dry_run))


def released_fields(
    released: Mapping[str, Any] | None,
) -> Callable[[int], dict[str, Any]] | None:
    """What the history entry of a released hold adds: the hold id, and a batch row's key,
    run id and line, so running that batch again skips the row instead of paying it twice."""
    if released is None:
        return None
    fields = {"hold": released["id"]}
    fields.update({k: released[k] for k in ("key", "run_id", "row") if k in released})
    return lambda position: dict(fields)


def hold_rows(
    home: Home,
    wallet: str,
    network: Network,
    config: Config,
    context: Context,
    sender: str,
    outputs: Sequence[Output],
    rows: Sequence[Mapping[str, Any]],
    *,
    index: int,
    allow: frozenset[str],
    all_or_nothing: bool,
    dry_run: bool,
) -> dict[int, dict[str, Any]]:
    """A batch's hold step: the rows (by position) held, stored and audited (none stored
    on a dry run). Rows that proceed count toward today's total for `hold-daily-above`;
    with `all_or_nothing`, one held row holds every row, all in one group."""
    tripped: dict[int, list[dict[str, str]]] = {}
    policies: dict[str, HoldPolicy] = {}
    sending: dict[str, int] = {}
    for position, output in enumerate(outputs):
        symbol = output.asset.symbol
        policy = policies.setdefault(symbol, policy_for(config, wallet, symbol))
        key = asset_key(output.asset.contract)
        reasons = held_reasons(output, context, policy, sending.get(key, 0))
        if reasons:
            tripped[position] = reasons
        else:
            sending[key] = sending.get(key, 0) + output.amount
    if not tripped:
        return {}
    chosen = range(len(outputs)) if all_or_nothing else sorted(tripped)
    group = store.new_id() if all_or_nothing else None
    records = []
    for position in chosen:
        output = outputs[position]
        reasons = tripped.get(position) or [_with_batch(tripped)]
        replan = {
            "to": output.recipient,
            "amount": format_amount(output.amount, output.asset.decimals),
            "token": output.asset.contract,
            "index": index,
            "allow": sorted(allow),
        }
        policy = policies[output.asset.symbol]
        held = request_record(network, sender, output, policy, reasons, replan)
        held.update(rows[position])
        if group is not None:
            held["group"] = group
        records.append(held)
    stored = hold(home, wallet, records, dry_run=dry_run)
    return dict(zip(chosen, stored, strict=True))


def _with_batch(tripped: Mapping[int, list[dict[str, str]]]) -> dict[str, str]:
    """The reason of a row held only because another row of an all-or-nothing batch was."""
    first = next(iter(tripped.values()))[0]
    advice, link = advice_for_hold("all-or-nothing")
    message = f"held with its batch (--all-or-nothing): {first['message']}"
    return {"rule": "all-or-nothing", "message": message, "advice": advice, "link": link}
