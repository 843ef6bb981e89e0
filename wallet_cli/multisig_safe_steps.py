"""A Safe's cosigning steps on a SafeTx file another home wrote: `sign` and `exec`. The
file is hostile until checked: a bounded read, its hash recomputed from its fields, every
signature recovered to its owner, its chain id, Safe and nonce compared with this home's
record and the chain; a refused file is left byte-identical and nothing is sent."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.base import Asset, Network, Output
from chains.evm import safe, safe_abi, safe_file
from chains.evm.safe_abi import SafeError
from chains.evm.session import EvmSession
from chains.session import FeeChoice
from wallet_cli.errors import BadInput
from wallet_cli.inputs import JsonRejected, load_json, read_limited
from wallet_cli.multisig import network_of
from wallet_cli.multisig_safe import (
    FILE_LIMIT,
    _entry,
    _proposal_view,
    _screen,
    _send,
    _session,
    _view,
    chain_id_of,
    report_preview,
    serialized,
)
from wallet_cli.signing_holds import check_document
from wallet_cli.signing_keys import UnlockedKeys
from wallet_cli.store import multisigs
from wallet_cli.store.history import History
from wallet_cli.transfer import enforce

Show = Callable[[list[str]], None]


def _show_nothing(lines: list[str]) -> None:
    return None


if TYPE_CHECKING:
    from wallet_cli.multisig import MultisigView
    from wallet_cli.store.config import Config
    from wallet_cli.transfer import Confirm
    from wallet_cli.wallet import Wallet


def sign(
    wallet: Wallet,
    config: Config,
    *,
    file: Path,
    index: int,
    allow: frozenset[str],
    confirm: Confirm,
    unlock: Callable[[], object],
    show: Show = _show_nothing,
    network: Network | None = None,
) -> MultisigView:
    """Check the file against the chain, screen it, `show` what it does, then (passphrase
    asked only now) add this owner's signature. `network`: the command's, used when the
    Safe is on it."""
    before = read_limited(file, FILE_LIMIT, "SafeTx file")
    proposal, record, network = _load(wallet, config, before, network)
    session = _session(wallet, network, index)
    try:
        state, transfer, asset = _check_live(session, config, network, proposal, exact=False)
        owner = session.sender.lower()
        if owner not in state.owners:
            raise SafeError(f"{session.sender} is not an owner of Safe {record['name']}")
        if owner in proposal.signatures:
            raise SafeError(f"{session.sender} has signed this SafeTx already")
        report = _screen(
            wallet, network, config, session, proposal, transfer.recipient, asset, transfer.amount
        )
        preview = report_preview(proposal, transfer.recipient, asset, transfer.amount)
        enforce(report, allow, confirm, preview)
        check_document(
            wallet, network, config, preview.outputs, kind="safe", digest=proposal.hash.hex(),
            sender=proposal.safe,
        )  # fmt: skip
        show(_proposal_view(proposal, network, asset, transfer.amount, report, "").lines)
        unlock()
        signer = UnlockedKeys(wallet, "evm").private_key(index)
        from chains.evm.tx import Signer

        proposal.signatures[owner] = safe_abi.sign(proposal.hash, Signer(signer).sign_digest)
    finally:
        session.close()
    if read_limited(file, FILE_LIMIT, "SafeTx file") != before:
        raise BadInput(f"{file} changed while it was being signed; it was left as it is")
    _rewrite(file, proposal)
    entry = _entry("multisig-sign", proposal, asset, transfer.amount)
    allowed = sorted(f.rule for f in report.blocking() if f.rule in allow)
    History(wallet.home, wallet.name).append(
        {**entry, "allowed_blocks": allowed} if allowed else entry
    )
    note = f"signed as {session.sender} ({len(proposal.signatures)} of {state.threshold})"
    return _proposal_view(proposal, network, asset, transfer.amount, report, note)


def execute(
    wallet: Wallet,
    config: Config,
    *,
    file: Path,
    index: int,
    allow: frozenset[str],
    confirm: Confirm,
    unlock: Callable[[], object],
    fees: FeeChoice | None = None,
    show: Show = _show_nothing,
    network: Network | None = None,
) -> MultisigView:
    """Execute a SafeTx holding enough valid owner signatures, from this wallet's address."""
    raw = read_limited(file, FILE_LIMIT, "SafeTx file")
    proposal, _record_of, network = _load(wallet, config, raw, network)
    session = _session(wallet, network, index)
    try:
        state, transfer, asset = _check_live(session, config, network, proposal, exact=True)
        strangers = sorted(set(proposal.signatures) - set(state.owners))
        if strangers:
            raise SafeError(f"{strangers[0]} signed but is not an owner of this Safe")
        if len(proposal.signatures) < state.threshold:
            raise SafeError(
                f"{len(proposal.signatures)} owner signature(s); the Safe needs {state.threshold}"
            )
        report = _screen(
            wallet, network, config, session, proposal, transfer.recipient, asset, transfer.amount
        )
        enforce(
            report,
            allow,
            confirm,
            report_preview(proposal, transfer.recipient, asset, transfer.amount),
        )
        show(_proposal_view(proposal, network, asset, transfer.amount, report, "").lines)
        data = safe_abi.exec_call(proposal.tx, safe_abi.ordered(proposal.signatures))
        shown = Output(transfer.recipient, asset, transfer.amount)
        extra = {
            "action": "multisig-exec",
            "safe": proposal.safe,
            "safe_tx_hash": "0x" + proposal.hash.hex(),
        }
        with wallet.home.account_lock(session.lock_name):
            call = (proposal.safe, 0, data)
            tx_hash = _send(session, wallet, call, shown, extra, fees, before_sign=unlock)
        after = safe.read_state(session.client, proposal.safe)
    finally:
        session.close()
    document = {**_proposal_view(proposal, network, asset, transfer.amount, report, "").document}
    document.update({"tx_hash": tx_hash, "status": "success", "safe_nonce": after.nonce})
    lines = [
        f"executed SafeTx 0x{proposal.hash.hex()} in {tx_hash}",
        f"Safe nonce now {after.nonce}",
    ]
    return _view(document, lines)


def _load(
    wallet: Wallet, config: Config, raw: bytes, given: Network | None
) -> tuple[safe_file.Proposal, dict[str, Any], Network]:
    """A proposal for a Safe this home knows, on the chain that Safe is on."""
    try:
        proposal = safe_file.parse(load_json(raw, 8))
    except JsonRejected as exc:
        raise SafeError(f"the SafeTx file is not valid JSON: {exc}") from None
    known = [
        r
        for r in multisigs.load_all(wallet.home)
        if r.get("chain") == "evm" and str(r.get("safe", "")).lower() == proposal.safe
    ]
    if not known:
        raise SafeError(f"the file is for Safe {proposal.safe}, which this home does not know")
    same_chain = [r for r in known if r.get("chain_id") == proposal.chain_id]
    if not same_chain:
        raise SafeError(
            f"the file is for chain id {proposal.chain_id}; Safe {proposal.safe} is on chain "
            f"id {known[0].get('chain_id')}"
        )
    record = same_chain[0]
    return proposal, record, network_of(record, given, config)


def _check_live(
    session: EvmSession,
    config: Config,
    network: Network,
    proposal: safe_file.Proposal,
    *,
    exact: bool,
) -> tuple[safe.SafeState, safe_file.Transfer, Asset]:
    if chain_id_of(session) != proposal.chain_id:
        raise SafeError(
            f"the file is for chain id {proposal.chain_id}, the node is on {chain_id_of(session)}"
        )
    state = safe.read_state(session.client, proposal.safe)
    if proposal.tx.nonce < state.nonce:
        raise SafeError(
            f"the SafeTx nonce {proposal.tx.nonce} is used already (the Safe is at {state.nonce})"
        )
    if exact and proposal.tx.nonce != state.nonce:
        raise SafeError(
            f"the SafeTx nonce {proposal.tx.nonce} is not the Safe's next ({state.nonce})"
        )
    transfer = safe_file.decode(proposal.tx)
    asset = session.asset(transfer.token)
    return state, transfer, asset


def _rewrite(file: Path, proposal: safe_file.Proposal) -> None:
    """Replace the file whole (a new file renamed over it, 0600)."""
    data = serialized(proposal)
    temporary = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, file)
