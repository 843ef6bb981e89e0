"""Multisig on EVM: a Safe v1.4.1 (chains/evm/safe*.py), its steps as cosigners pass one
SafeTx file between homes. Each step is the pipeline's: the destination is screened and
enforced like a send's (propose, sign and exec alike), keys come unlocked only after that,
and transactions this wallet sends (deploys, execTransaction) are journalled before and
after broadcast. A refused step writes nothing and sends nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.amounts import format_amount
from chains.base import Asset, Network, Output, Preview
from chains.evm import safe, safe_abi, safe_file
from chains.evm.address import to_checksum
from chains.evm.safe_abi import SafeError
from chains.evm.session import EvmSession
from chains.registry import adapter_for
from chains.session import FeeChoice, UnsignedTx
from wallet_cli import screening
from wallet_cli.errors import BadInput, OutputExists, TransferFailed
from wallet_cli.multisig import network_of
from wallet_cli.signing_keys import UnlockedKeys
from wallet_cli.store import multisigs
from wallet_cli.store.history import History
from wallet_cli.transfer import connect, enforce, final_entry, screening_context
from wallet_cli.transfer_inputs import check_amount_syntax, parse_positive_amount, resolve_asset

if TYPE_CHECKING:
    from wallet_cli.multisig import MultisigView
    from wallet_cli.store.config import Config
    from wallet_cli.transfer import Confirm
    from wallet_cli.wallet import Wallet

FILE_LIMIT = 64 * 1024
TIMEOUT = 120.0


def _view(document: dict[str, Any], lines: list[str]) -> MultisigView:
    from wallet_cli.multisig import MultisigView

    return MultisigView(document, lines)


def _session(wallet: Wallet | None, network: Network, index: int = 0) -> EvmSession:
    """A session on the Safe's EVM node: sending from `wallet`'s address `index`, or (with
    no wallet) only reading."""
    session = connect(network, TIMEOUT, wallet, index)
    if not isinstance(session, EvmSession):
        session.close()
        raise BadInput(f"a Safe lives on an EVM network, not {network.name!r}")
    return session


def create(
    wallet: Wallet,
    network: Network,
    config: Config,
    *,
    name: str,
    threshold: int,
    members: list[str],
    unlock: Callable[[], object],
    confirm: Confirm,
    index: int = 0,
) -> MultisigView:
    """Deploy a Safe proxy of `members` through the factory (on a devnet, the singleton and
    factory first when missing), paid by this wallet's address `index`."""
    parse = adapter_for("evm").parse_address
    owners = [parse(m, network).lower() for m in members]
    if len(set(owners)) != len(owners):
        raise BadInput("an owner is listed twice")
    if not 1 <= threshold <= len(owners):
        raise BadInput(f"--threshold must be 1 to {len(owners)} (the number of owners)")
    _check_name_free(wallet, name)
    session = _session(wallet, network, index)
    try:
        client, chain_id = session.client, chain_id_of(session)
        where = safe.deployment(client, network)
        initializer = safe_abi.setup_call(owners, threshold)
        salt_nonce = int.from_bytes(os.urandom(8), "big")
        data = safe_abi.create_proxy_call(where.singleton, initializer, salt_nonce)
        sent: list[str] = []
        with wallet.home.account_lock(session.lock_name):
            unlock()
            for what, deploy in where.missing:
                shown = Output(safe_abi.CREATE2_DEPLOYER, network.native, 0, what)
                call = (safe_abi.CREATE2_DEPLOYER, 0, deploy)
                sent.append(_send(session, wallet, call, shown, {"action": f"deploy {what}"}))
            address = safe.predict_proxy(client, session.sender, where.factory, data)
            shown = Output(where.factory, network.native, 0, "createProxyWithNonce")
            extra = {"action": "multisig-create", "safe": address}
            sent.append(_send(session, wallet, (where.factory, 0, data), shown, extra))
        state = safe.read_state(client, address)
        if sorted(state.owners) != sorted(owners) or state.threshold != threshold:
            raise TransferFailed(f"the Safe at {address} is not set up as asked")
        record = _record(name, network, chain_id, address, state)
        multisigs.add(wallet.home, record)
    finally:
        session.close()
    lines = [f"Safe {name}: {address} on {network.name}", *_state_lines(state)]
    return _view({**record, "transactions": sent}, lines)


def add(wallet: Wallet, network: Network, name: str, address: str) -> MultisigView:
    """Remember an existing Safe, its owners and threshold read from the chain."""
    target = adapter_for("evm").parse_address(address, network).lower()
    _check_name_free(wallet, name)
    session = _session(None, network)
    try:
        state = safe.read_state(session.client, target)
        chain_id = chain_id_of(session)
    finally:
        session.close()
    if state.version not in ("1.3.0", "1.4.1"):
        raise SafeError(f"{target} is a Safe {state.version}; this wallet knows 1.3.0 and 1.4.1")
    record = _record(name, network, chain_id, target, state)
    multisigs.add(wallet.home, record)
    return _view(record, [f"Safe {name}: {target} on {network.name}", *_state_lines(state)])


def info(wallet: Wallet, network: Network, config: Config, record: dict[str, Any]) -> MultisigView:
    network = network_of(record, network, config)
    session = _session(None, network)
    try:
        state = safe.read_state(session.client, record["safe"])
        balance = session.balance(record["safe"], network.native)
    finally:
        session.close()
    amount = format_amount(balance, network.native.decimals)
    document = {
        **record,
        "owners": [to_checksum(o[2:]) for o in state.owners],
        "threshold": state.threshold,
        "nonce": state.nonce,
        "balance": amount,
        "unit": network.native.symbol,
    }
    lines = [
        f"Safe {record['name']}: {record['safe']} on {network.name}",
        *_state_lines(state),
        f"nonce: {state.nonce}",
        f"balance: {amount} {network.native.symbol}",
    ]
    return _view(document, lines)


def propose(
    wallet: Wallet,
    network: Network,
    config: Config,
    *,
    name: str,
    to: str,
    amount: str,
    token: str | None,
    out: Path,
    allow: frozenset[str],
    confirm: Confirm,
) -> MultisigView:
    """Write a SafeTx paying `amount` to `to` from the Safe, with no signature, after the
    destination is screened as any send's would be."""
    if out.exists():
        raise OutputExists(f"{out} exists; choose another --out (nothing was written)")
    record = multisigs.load(wallet.home, name)
    if record.get("chain") != "evm":
        raise BadInput(f"multisig {name!r} is not a Safe")
    network = network_of(record, network, config)
    recipient = adapter_for("evm").parse_address(to, network)
    check_amount_syntax(amount, network, token)
    session = _session(wallet, network)
    try:
        asset = resolve_asset(session, config, network, token)
        value = parse_positive_amount(amount, asset, network)
        state = safe.read_state(session.client, record["safe"])
        held = session.balance(record["safe"], asset)
        if held < value:
            raise BadInput(
                f"the Safe holds {format_amount(held, asset.decimals)} {asset.symbol}, "
                f"less than {amount}"
            )
        tx = safe_file.transfer_tx(recipient, value, asset.contract, state.nonce)
        proposal = safe_file.new(chain_id_of(session), record["safe"], tx)
        if safe.contract_hash(session.client, record["safe"], tx) != proposal.hash:
            raise SafeError("the Safe's getTransactionHash disagrees with the SafeTx hash")
        report = _screen(wallet, network, config, session, proposal, recipient, asset, value)
        enforce(report, allow, confirm, report_preview(proposal, recipient, asset, value))
    finally:
        session.close()
    _write_new(out, proposal)
    History(wallet.home, wallet.name).append(_entry("multisig-propose", proposal, asset, value))
    return _proposal_view(proposal, network, asset, value, report, f"wrote {out}")


def report_preview(
    proposal: safe_file.Proposal, recipient: str, asset: Asset, amount: int
) -> Preview:
    """What the Safe pays, as screening and a person see it (sender: the Safe)."""
    return Preview(
        network="",
        chain_id=proposal.chain_id,
        sender=proposal.safe,
        outputs=(Output(recipient, asset, amount),),
        fee_cap=0,
        fee_asset=Asset("ETH", 18),
        call_target=asset.contract,
    )


def _screen(
    wallet: Wallet,
    network: Network,
    config: Config,
    session: EvmSession,
    proposal: safe_file.Proposal,
    recipient: str,
    asset: Asset,
    amount: int,
) -> screening.Report:
    preview = report_preview(proposal, recipient, asset, amount)
    preview = Preview(
        network.name, preview.chain_id, preview.sender, preview.outputs, 0, network.native,
        preview.call_target,
    )  # fmt: skip
    return screening.check(preview, screening_context(wallet, network, config, session))


def _send(
    session: EvmSession,
    wallet: Wallet,
    call: tuple[str | None, int, bytes],
    shown: Output,
    extra: dict[str, Any],
    fees: FeeChoice | None = None,
    before_sign: Callable[[], object] = lambda: None,
) -> str:
    """Plan, sign, journal, broadcast and await one contract call; a failure raises.
    `before_sign` (the passphrase) runs once the plan is within the fee ceilings."""
    network = session.network
    plan: UnsignedTx = safe.plan_call(
        session.client,
        network,
        chain_id_of(session),
        session.sender,
        call,
        shown,
        fees or FeeChoice(),
    )
    before_sign()
    history = History(wallet.home, wallet.name)
    signed = session.sign([plan], UnlockedKeys(wallet, "evm"))[0]
    history.append(
        {
            "event": "signed",
            "network": network.name,
            "chain_id": chain_id_of(session),
            "from": session.sender,
            "to": shown.recipient,
            "amount": format_amount(shown.amount, shown.asset.decimals),
            "amount_base": str(shown.amount),
            "unit": shown.asset.symbol,
            "token": shown.asset.contract,
            "nonce": signed.nonce,
            "tx_hash": signed.tx_hash,
            "raw": signed.raw,
            "dry_run": False,
            **extra,
        }
    )
    refusal = session.broadcast([signed])[0]
    if refusal is not None:
        history.append({"event": "rejected", "tx_hash": signed.tx_hash, "reason": refusal})
        raise TransferFailed(f"the node refused the transaction: {refusal}")
    history.append({"event": "broadcast", "tx_hash": signed.tx_hash})
    outcome = session.wait([signed.tx_hash], TIMEOUT).get(signed.tx_hash)
    if outcome is None or outcome.status not in ("success", "failed"):
        raise TransferFailed(f"{signed.tx_hash} was sent but not mined within {TIMEOUT:.0f} s")
    history.append(final_entry(outcome))
    if outcome.status != "success":
        raise TransferFailed(f"{signed.tx_hash} failed: {outcome.reason}")
    return signed.tx_hash


def _record(
    name: str, network: Network, chain_id: int, address: str, state: safe.SafeState
) -> dict[str, Any]:
    return {
        "name": name,
        "chain": "evm",
        "network": network.name,
        "chain_id": chain_id,
        "safe": to_checksum(address.lower()[2:]),
        "owners": [to_checksum(o[2:]) for o in state.owners],
        "threshold": state.threshold,
        "version": state.version,
    }


def _check_name_free(wallet: Wallet, name: str) -> None:
    if any(r["name"] == name for r in multisigs.load_all(wallet.home)):
        raise BadInput(f"a multisig named {name!r} exists in this home")


def _state_lines(state: safe.SafeState) -> list[str]:
    return [f"threshold: {state.threshold} of {len(state.owners)}"] + [
        f"owner: {to_checksum(o[2:])}" for o in state.owners
    ]


def _entry(event: str, proposal: safe_file.Proposal, asset: Asset, amount: int) -> dict[str, Any]:
    transfer = safe_file.decode(proposal.tx)
    return {
        "event": event,
        "chain_id": proposal.chain_id,
        "safe": proposal.safe,
        "safe_tx_hash": "0x" + proposal.hash.hex(),
        "safe_nonce": proposal.tx.nonce,
        "to": transfer.recipient,
        "amount": format_amount(amount, asset.decimals),
        "unit": asset.symbol,
        "token": asset.contract,
        "signatures": len(proposal.signatures),
    }


def _proposal_view(
    proposal: safe_file.Proposal,
    network: Network,
    asset: Asset,
    amount: int,
    report: screening.Report,
    note: str,
) -> MultisigView:
    transfer = safe_file.decode(proposal.tx)
    shown = format_amount(amount, asset.decimals)
    document = {
        **proposal.to_json(),
        "network": network.name,
        "to": transfer.recipient,
        "amount": shown,
        "unit": asset.symbol,
        "token": asset.contract,
        "screening": report.to_json(),
    }
    lines = [
        f"Safe:     {proposal.safe} (chain id {proposal.chain_id}, {network.name})",
        f"pays:     {shown} {asset.symbol}"
        + (f" (token {asset.contract})" if asset.contract else ""),
        f"to:       {transfer.recipient}",
        f"nonce:    {proposal.tx.nonce}",
        f"SafeTx:   0x{proposal.hash.hex()} (recomputed from these fields)",
        f"signed:   {', '.join(sorted(proposal.signatures)) or 'nobody yet'}",
        f"screening: {report.verdict}",
    ]
    return _view(document, [*lines, note] if note else lines)


def serialized(proposal: safe_file.Proposal) -> bytes:
    return (json.dumps(proposal.to_json(), indent=2) + "\n").encode()


def chain_id_of(session: EvmSession) -> int:
    """The chain id the node reported when the session connected (checked then)."""
    if session.chain_id is None:
        raise BadInput("the node did not report a chain id")
    return session.chain_id


def _write_new(out: Path, proposal: safe_file.Proposal) -> None:
    data = serialized(proposal)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise OutputExists(f"{out} exists; choose another --out (nothing was written)") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
