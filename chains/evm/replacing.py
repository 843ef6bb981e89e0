"""EVM replacements for the pipeline (`ChainSession.replacement`): the original's raw bytes
read back and checked against what history says they pay, then re-signed at the same nonce
with higher fees (a speed-up) or as a 0-value transfer to the sender (a cancel)."""

from __future__ import annotations

from decimal import Decimal

from chains.amounts import format_amount
from chains.base import Asset, Network, Output, Preview
from chains.errors import BadFee, InsufficientFunds, RecordMismatch, TxAlreadyMined, TxNotOurs
from chains.evm import receipts, replacement
from chains.evm.call_intents import CallIntents, decode_call
from chains.evm.fees import FeePolicy, GasPrice
from chains.evm.rpc import RpcClient, quantity
from chains.evm.transfer import token_asset
from chains.evm.tx import LegacyTx, Transaction
from chains.session import FeeChoice, ReplaceKind, Replacing, SentTransfer, UnsignedTx


def replace(
    client: RpcClient,
    network: Network,
    chain_id: int,
    original: SentTransfer,
    kind: ReplaceKind,
    multiplier: Decimal,
    fees: FeeChoice,
) -> Replacing:
    old = decode(original)
    if old.chain_id != chain_id:
        raise TxNotOurs(
            f"{original.tx_hash} was signed for chain id {old.chain_id}, not {chain_id}"
        )
    legacy = isinstance(old, LegacyTx)
    if fees.priority_fee is not None and legacy:
        raise BadFee(
            "--priority-fee is for EIP-1559 transactions; this one is legacy: give the gas "
            "price as --max-fee-per-gas"
        )
    policy = FeePolicy(
        network.name, network.native, network.limits, fees.max_fee_per_gas, fees.priority_fee
    )
    wanted = replacement.Raise(multiplier, fees.max_fee_per_gas, fees.priority_fee)
    try:
        price = replacement.new_fees(old, wanted, policy)
    except replacement.RaiseTooSmall as exc:
        raise BadFee(str(exc)) from None
    check_pending(client, original, old)
    if kind == "cancel":
        new = replacement.cancel(old, original.sender, price, policy)
    else:
        new = replacement.speed_up(old, price, policy)
    check_funds(client, original.sender, new, network.native)
    preview = _preview(client, network, chain_id, original, kind, new)
    before = replacement.fees_of(old)
    return Replacing(
        UnsignedTx(preview, new, (0,), new.nonce),
        new.nonce,
        _fee_change(legacy, before, price),
        {
            "max_fee_per_gas": str(price.max_fee_per_gas),
            "priority_fee": None if legacy else str(price.priority_fee),
            "previous_max_fee_per_gas": str(before.max_fee_per_gas),
            "previous_priority_fee": None if legacy else str(before.priority_fee),
        },
    )


def decode(original: SentTransfer) -> Transaction:
    """The original's transaction from its raw bytes, refused unless they hash to it and pay
    what history says (nonce, recipient, value)."""
    raw, tx_hash = original.raw, original.tx_hash
    try:
        data = bytes.fromhex(raw[2:]) if raw.startswith("0x") else b""
        if replacement.hash_of(data) != tx_hash:
            raise replacement.NotOurTransaction("the raw bytes do not hash to it")
        tx = replacement.decode(data)
    except (ValueError, replacement.NotOurTransaction) as exc:
        raise RecordMismatch(f"the history entry of {tx_hash} cannot be read back: {exc}") from None
    value = 0 if original.token else original.amount
    target = "0x" + tx.to.hex() if tx.to else ""
    expected = (original.nonce, str(original.token or original.to).lower(), value)
    if (tx.nonce, target, tx.value) != expected:
        raise RecordMismatch(f"the history entry of {tx_hash} does not match its raw bytes")
    return tx


def check_pending(client: RpcClient, original: SentTransfer, old: Transaction) -> None:
    """Refuse when the original, or any transaction at its nonce, is already in a block."""
    outcome = receipts.look_up(client, [original.tx_hash])[0]
    if outcome.status in ("success", "failed"):
        raise TxAlreadyMined(
            f"{original.tx_hash} is already mined in block {outcome.block} "
            f"({outcome.status}): nothing to replace"
        )
    mined = quantity(
        client.call("eth_getTransactionCount", [original.sender, "latest"]),
        "eth_getTransactionCount",
        "nonce",
    )
    if mined > old.nonce:
        raise TxAlreadyMined(
            f"nonce {old.nonce} of {original.sender} is already used by a mined transaction "
            "(another replacement?): nothing to replace"
        )


def check_funds(client: RpcClient, sender: str, tx: Transaction, native: Asset) -> None:
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
    original: SentTransfer,
    kind: ReplaceKind,
    tx: Transaction,
) -> Preview:
    """What screening checks and a person sees: the original's output again (a speed-up;
    a contract call with its data, and what the data grants), or 0 to the sender (a cancel)."""
    native = network.native
    intents = CallIntents("")
    if kind == "cancel":
        output = Output(original.sender, native, 0, original.sender)
        target = None
    elif original.token is None and tx.data:
        output = Output(original.to, native, original.amount, original.to, data=tx.data)
        intents = decode_call(original.to, tx.data)
        target = original.to
    else:
        asset = token_asset(client, original.token) if original.token else native
        output = Output(original.to, asset, original.amount, original.to)
        target = asset.contract
    return Preview(
        network=network.name,
        chain_id=chain_id,
        sender=original.sender,
        outputs=(output,),
        fee_cap=tx.fee_cap(),
        fee_asset=native,
        call_target=target,
        grants=intents.grants,
        mentions=intents.mentions,
    )


def _gwei(wei: int) -> str:
    return f"{format_amount(wei, 9)} gwei"


def _fee_change(legacy: bool, before: GasPrice, after: GasPrice) -> str:
    if legacy:
        return f"gas price {_gwei(before.max_fee_per_gas)} -> {_gwei(after.max_fee_per_gas)}"
    return (
        f"max fee per gas {_gwei(before.max_fee_per_gas)} -> {_gwei(after.max_fee_per_gas)}, "
        f"priority fee {_gwei(before.priority_fee)} -> {_gwei(after.priority_fee)}"
    )
