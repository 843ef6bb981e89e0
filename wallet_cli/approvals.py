"""Contract calls and the allowances they leave behind: `send --data` input checks, `wallet
approvals` (what this wallet's addresses have allowed others to take, screened like
destinations) and `wallet revoke` (an allowance set to zero through the one pipeline).

Chain-neutral: the chain's session finds and confirms allowances (`allowances`) and makes
the call that takes one back (`revocation`); a chain whose session has neither has no
approvals (`unsupported-chain`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from chains.amounts import format_amount, parse_amount, units_for
from chains.base import Asset, Grant, Network, Output, Preview
from chains.errors import UnsupportedChain
from wallet_cli.errors import BadInput

if TYPE_CHECKING:
    from chains.session import ChainSession
    from wallet_cli import screening
    from wallet_cli.store.config import Config
    from wallet_cli.transfer import SendRequest, SendResult
    from wallet_cli.wallet import Wallet

MAX_CALL_DATA = 128 * 1024  # bytes: far above any real call, far below a node's limits
_HEX = re.compile(r"[0-9a-fA-F]*", re.ASCII)


def parse_call_data(text: str | None, network: Network, token: str | None) -> bytes:
    """`send --data`: 0x and an even number of hex digits, at most 128 KiB, on an EVM network,
    with the native coin as the value. None: no call (b"")."""
    if text is None:
        return b""
    contract_calls_only(network, "--data is a contract call")
    if token is not None:
        raise BadInput("--data calls the contract --to with the native coin as value; no --token")
    raw = text.strip()
    if not raw.lower().startswith("0x"):
        raise BadInput("--data must be hex starting with 0x")
    digits = raw[2:]
    if len(digits) > 2 * MAX_CALL_DATA:
        raise BadInput(f"--data is {len(digits) // 2} bytes long; at most {MAX_CALL_DATA}")
    if not _HEX.fullmatch(digits) or len(digits) % 2:
        raise BadInput("--data must be whole bytes of hex digits (an even count after 0x)")
    if len(digits) < 8:
        raise BadInput("--data must hold at least a 4-byte function selector")
    return bytes.fromhex(digits)


def contract_calls_only(network: Network, what: str) -> None:
    """Refused before any node is asked: only EVM chains have contract calls and ERC-20
    allowances (Solana's delegates are another shape, not decoded here)."""
    if network.family != "evm":
        raise UnsupportedChain(f"{what}: EVM networks only, not {network.name!r}")


def call_amount(text: str, asset: Asset, network: Network) -> int:
    """The native value a call carries: may be zero (most calls carry none)."""
    return parse_amount(text, asset.decimals, units=units_for(network.family))


@dataclass(frozen=True)
class Approval:
    """One allowance standing now: `owner` lets `spender` take `amount` base units of
    `token`; `label` says who the spender is to this wallet; `flags` are the rules that
    warned or blocked on it (the grant rules: unlimited, a spender with no code; the trust
    rules: listed, look-alike, poisoner), what `--risky` keeps."""

    owner: str
    token: str
    symbol: str
    decimals: int
    spender: str
    amount: int
    unlimited: bool
    is_contract: bool | None
    block: int
    label: str
    flags: tuple[str, ...]
    report: screening.Report

    @property
    def risky(self) -> bool:
        return bool(self.flags)

    @property
    def shown(self) -> str:
        if self.unlimited:
            return "unlimited"
        return format_amount(self.amount, self.decimals)

    def to_json(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "token": self.token,
            "symbol": self.symbol,
            "spender": self.spender,
            "label": self.label,
            "amount": format_amount(self.amount, self.decimals),
            "base_units": str(self.amount),
            "unlimited": self.unlimited,
            "contract": self.is_contract,
            "last_block": self.block,
            "flags": list(self.flags),
            "screening": self.report.to_json(),
        }


@dataclass(frozen=True)
class Approvals:
    network: str
    chain: str
    owners: tuple[str, ...]
    first_block: int
    last_block: int
    approvals: tuple[Approval, ...]
    head: int = 0  # the chain's latest block: to_block below it means run again

    def to_json(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "chain": self.chain,
            "owners": list(self.owners),
            "from_block": self.first_block,
            "to_block": self.last_block,
            "head": self.head,
            "approvals": [a.to_json() for a in self.approvals],
        }


class _Found(Protocol):
    """An allowance as a chain's session reports it (chains/evm/approvals.py)."""

    @property
    def owner(self) -> str: ...
    @property
    def grant(self) -> Grant: ...
    @property
    def asset(self) -> Asset: ...
    @property
    def block(self) -> int: ...


class _Scan(Protocol):
    @property
    def first_block(self) -> int: ...
    @property
    def last_block(self) -> int: ...
    @property
    def allowances(self) -> Sequence[_Found]: ...
    @property
    def head(self) -> int: ...


@runtime_checkable
class _HasApprovals(Protocol):
    def allowances(
        self,
        owners: Sequence[str],
        token: str | None,
        first_block: int | None,
        known: Sequence[tuple[str, str, str, int]] = (),
    ) -> _Scan: ...

    def revocation(self, token: str, spender: str) -> Output: ...


def _approvals_session(session: ChainSession) -> _HasApprovals:
    if not isinstance(session, _HasApprovals):
        session.close()
        raise UnsupportedChain(f"{session.network.name} has no token allowances to list")
    return session


def list_approvals(
    wallet: Wallet,
    network: Network,
    config: Config,
    *,
    token: str | None = None,
    from_block: int | None = None,
    risky: bool = False,
    timeout: float | None = None,
) -> Approvals:
    """The allowances this wallet's addresses (the cached ones, at least address 0) granted,
    found from the node's logs and confirmed with `allowance()` now; each screened as the
    grant it is, the spender as a destination would be. `risky`: only those with a warn or
    block finding (`Approval.flags`). Logs are read from `from_block`, else from where the
    last run stopped (wallet_cli/store/approval_scans.py), else over the last 100,000 blocks;
    at most 100,000 blocks a run, and the allowances earlier runs found are confirmed too."""
    from wallet_cli import screening
    from wallet_cli.store import approval_scans
    from wallet_cli.transfer import chain_state, connect, screening_context
    from wallet_cli.transfer_inputs import resolve_asset

    contract_calls_only(network, "allowances are ERC-20's")
    if from_block is not None and from_block < 0:
        raise BadInput("--from-block must be 0 or more")
    session = connect(network, timeout)  # reads only: no key, no lock
    try:
        reader = _approvals_session(session)
        contract = resolve_asset(session, config, network, token).contract if token else None
        owners = _owners(wallet, network)
        path = approval_scans.state_path(chain_state(wallet), network.name)
        state = approval_scans.load(path)
        if state is not None and not state.covers(owners):
            state = None  # scanned for fewer addresses: start over
        start = from_block
        if start is None and state is not None:
            start = state.last_block + 1
        known = state.pairs if state is not None else ()
        scan = reader.allowances(owners, contract, start, known)
        if contract is None:  # a scan of one token's logs does not cover the others
            pairs = [
                (f.owner, f.grant.token or "", f.grant.spender, f.block) for f in scan.allowances
            ]
            now = approval_scans.ScanState(
                tuple(owners), scan.first_block, scan.last_block, tuple(pairs)
            )
            if state is not None and from_block is None:  # carries on from the last run
                now = state.extended(owners, scan.first_block, scan.last_block, pairs)
            approval_scans.save(wallet.home, path, now)
        context = screening_context(wallet, network, config, session)
        if context.code is not None:
            context.code.prefetch([found.grant.spender for found in scan.allowances])
        found_all = []
        for found in scan.allowances:
            report = screening.check(_preview(network, found), context)
            approval = _approval(found, report, context)
            if approval.risky or not risky:
                found_all.append(approval)
    finally:
        session.close()
    return Approvals(
        network.name, network.family, tuple(owners), scan.first_block, scan.last_block,
        tuple(found_all), scan.head,
    )  # fmt: skip


def _owners(wallet: Wallet, network: Network) -> list[str]:
    from chains.registry import adapter_for

    key = adapter_for(network.family).account_key(network, None)
    first = wallet.addresses(key, [0])[0].address
    return sorted({first, *wallet.chain(key).addresses.values()})


def _preview(network: Network, found: _Found) -> Preview:
    """The allowance as screening sees a grant: the spender as the destination of a
    zero-value transfer of the token, the grant itself beside it."""
    grant = found.grant
    output = Output(grant.spender, found.asset, 0, grant.spender)
    return Preview(
        network.name, network.chain_id, found.owner, (output,), 0, network.native,
        call_target=grant.token, grants=(grant,),
    )  # fmt: skip


def _approval(found: _Found, report: screening.Report, context: screening.Context) -> Approval:
    grant = found.grant
    spender = grant.spender
    is_contract = context.code.is_contract(spender) if context.code is not None else None
    flags = [f.rule for f in report.findings if f.severity in ("warn", "block")]
    return Approval(
        owner=found.owner,
        token=grant.token or "",
        symbol=found.asset.symbol,
        decimals=found.asset.decimals,
        spender=spender,
        amount=grant.amount or 0,
        unlimited=grant.unlimited,
        is_contract=is_contract,
        block=found.block,
        label=_label(spender, context),
        flags=tuple(dict.fromkeys(flags)),
        report=report,
    )


def _label(address: str, context: screening.Context) -> str:
    if address in context.contacts:
        return f"contact {context.contacts[address]!r}"
    if address in context.own_addresses:
        return "one of yours"
    if address in context.sent_to:
        return "past recipient"
    if context.lists is not None:
        hits = context.lists.hits(context.network.family, address)
        if hits:
            return f"listed: {hits[0].info.name} ({hits[0].label})"
    return ""


def revoke_request(
    network: Network, token: str, spender: str, base: SendRequest, timeout: float | None = None
) -> SendRequest:
    """`base` (fees, index, allow, wait...) turned into the call that sets `spender`'s
    allowance of `token` to zero, as the chain spells it."""
    from dataclasses import replace

    from chains.registry import adapter_for
    from wallet_cli.transfer import connect

    contract_calls_only(network, "a revocation is a contract call")
    adapter = adapter_for(network.family)
    contract = adapter.parse_address(token, network)
    who = adapter.parse_address(spender, network)
    session = connect(network, timeout)
    try:
        call = _approvals_session(session).revocation(contract, who)
    finally:
        session.close()
    return replace(base, to=call.recipient, amount="0", token=None, data="0x" + call.data.hex())


def revoke(
    wallet: Wallet,
    network: Network,
    config: Config,
    token: str,
    spender: str,
    base: SendRequest,
    *,
    unlock: Callable[[], object],
    confirm: Callable[[screening.Report, Preview], bool],
    show: Callable[[Preview, screening.Report], None] | None = None,
) -> SendResult:
    """Set `spender`'s allowance of `token` (a contract, or a symbol from config) to zero:
    screened, previewed, journalled and sent like any `send` (`base` gives its options)."""
    from wallet_cli.transfer import send

    named = config.tokens(network.name).get(token.strip().upper(), token)  # a symbol, or not
    request = revoke_request(network, named, spender, base, base.timeout)
    if show is None:
        return send(wallet, network, config, request, unlock=unlock, confirm=confirm)
    return send(wallet, network, config, request, unlock=unlock, confirm=confirm, show=show)
