"""Building EVM transfers: nonce, fees and gas from the node in one batch round trip,
balance checks before anything is signed, and revert reasons made readable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chains.amounts import ETHER_DECIMALS, format_amount
from chains.base import Asset, Output, Preview
from chains.errors import ChainError, InsufficientFunds, RpcError, UnknownToken, WouldRevert
from chains.evm import abi
from chains.evm.call_intents import CallIntents, decode_call
from chains.evm.fees import FeePolicy, GasPrice, check_gas, check_transfer_fee, gas_price
from chains.evm.fees import quote_calls as fee_calls
from chains.evm.rpc import RpcClient, hex_data, quantity
from chains.evm.tx import Eip1559Tx, LegacyTx, Transaction
from chains.session import ItemError

ETH = Asset("ETH", ETHER_DECIMALS)
REVERT_CODE = 3  # what geth and anvil answer for "execution reverted"


@dataclass(frozen=True)
class TransferPlan:
    """An unsigned transfer and what it shows a person before signing."""

    tx: Transaction
    preview: Preview


def token_asset(client: RpcClient, contract: str) -> Asset:
    """Symbol and decimals read from the contract itself; a non-token fails clearly."""
    answers = client.batch(
        [
            ("eth_getCode", [contract, "latest"]),
            ("eth_call", [{"to": contract, "data": "0x" + abi.SELECTOR_DECIMALS.hex()}, "latest"]),
            ("eth_call", [{"to": contract, "data": "0x" + abi.SELECTOR_SYMBOL.hex()}, "latest"]),
        ]
    )
    code, decimals_raw, symbol_raw = answers
    if isinstance(code, RpcError):
        raise code
    if not code or code == "0x":
        raise UnknownToken(f"{contract} has no contract code on this network: not a token")
    if isinstance(decimals_raw, RpcError) or not decimals_raw or decimals_raw == "0x":
        raise UnknownToken(f"{contract} does not answer decimals(): not an ERC-20 token")
    decimals = abi.decode_uint(hex_data(decimals_raw, "eth_call", "decimals()"))
    if decimals > 77:
        raise UnknownToken(f"{contract} reports {decimals} decimals; refusing such a token")
    symbol = "?"
    if isinstance(symbol_raw, str) and len(symbol_raw) > 2:
        try:
            symbol = abi.decode_string(hex_data(symbol_raw, "eth_call", "symbol()")) or "?"
        except ChainError:
            symbol = "?"
    return Asset(symbol, decimals, contract)


@dataclass(frozen=True)
class TransferItem:
    """One output to plan: a transfer, or with `data` a call to the contract `recipient`
    carrying `amount` of the native coin as its value."""

    recipient: str
    asset: Asset
    amount: int
    typed_as: str = ""
    data: bytes = b""


def plan_batch(
    client: RpcClient,
    *,
    network: str,
    chain_id: int,
    sender: str,
    items: Sequence[TransferItem],
    legacy: bool = False,
    gas_limit: int | None = None,
    fees: FeePolicy | None = None,
) -> list[TransferPlan]:
    """Plans with consecutive nonces from the node's pending count, fetched in one round trip;
    fees held under the network's ceilings (chains/evm/fees.py); funds are checked for the
    whole batch (values plus fee caps, and each token's total)."""
    policy = fees or FeePolicy(network=network)
    native = policy.native
    quote = fee_calls(legacy, policy)
    calls: list[tuple[str, list[Any]]] = [
        ("eth_getTransactionCount", [sender, "pending"]),
        ("eth_getBalance", [sender, "latest"]),
        *quote,
    ]
    tokens = sorted({i.asset.contract for i in items if i.asset.contract is not None})
    calls += [
        ("eth_call", [{"to": t, "data": "0x" + abi.balance_of_call(sender).hex()}, "latest"])
        for t in tokens
    ]
    shapes = [_call_shape(item) for item in items]
    if gas_limit is None:
        calls += [
            (
                "eth_estimateGas",
                [{"from": sender, "to": to, "value": hex(value), "data": "0x" + data.hex()}],
            )
            for to, value, data in shapes
        ]
    answers = client.batch(calls)
    nonce = quantity(_ok(answers[0]), "eth_getTransactionCount", "nonce")
    balance = quantity(_ok(answers[1]), "eth_getBalance", "balance")
    price = gas_price(legacy, policy, answers[2 : 2 + len(quote)])
    first_token = 2 + len(quote)
    held = {
        t: abi.decode_uint(hex_data(_ok(a), "eth_call", "balanceOf()"))
        for t, a in zip(tokens, answers[first_token : first_token + len(tokens)], strict=True)
    }
    _check_token_funds(items, held, sender)
    total_value = sum(value for _, value, _ in shapes)
    if balance < total_value:
        raise InsufficientFunds(
            f"{sender} holds {_native(balance, native)}, less than the "
            f"{_native(total_value, native)} to send"
        )
    estimates = answers[first_token + len(tokens) :]
    plans = []
    for position, (item, (to, value, data)) in enumerate(zip(items, shapes, strict=True)):
        if gas_limit is None:
            estimate = estimates[position]
            if isinstance(estimate, RpcError):
                raise ItemError(position, as_revert(estimate, "the transfer would fail"))
            gas = check_gas(quantity(estimate, "eth_estimateGas", "gas"))
        else:
            gas = gas_limit
        check_transfer_fee(gas, price, policy)
        tx = _build(legacy, chain_id, nonce + position, price, gas, to, value, data)
        plans.append(TransferPlan(tx, _preview(item, network, chain_id, sender, tx, native)))
    needed = total_value + sum(p.tx.fee_cap() for p in plans)
    if balance < needed:
        raise InsufficientFunds(
            f"{sender} holds {_native(balance, native)}; "
            f"{'these transfers need' if len(plans) > 1 else 'this transfer needs'} up to "
            f"{_native(needed, native)} (value plus the fee cap)"
        )
    return plans


def _preview(
    item: TransferItem, network: str, chain_id: int, sender: str, tx: Transaction, native: Asset
) -> Preview:
    """What is shown and screened; a call's grants and mentions decoded from its data."""
    output = Output(item.recipient, item.asset, item.amount, item.typed_as, item.data)
    intents = decode_call(item.recipient, item.data) if item.data else CallIntents("")
    return Preview(
        network=network,
        chain_id=chain_id,
        sender=sender,
        outputs=(output,),
        fee_cap=tx.fee_cap(),
        fee_asset=native,
        call_target=item.recipient if item.data else item.asset.contract,
        grants=intents.grants,
        mentions=intents.mentions,
    )


def _native(amount: int, native: Asset) -> str:
    return f"{format_amount(amount, native.decimals)} {native.symbol}"


def _call_shape(item: TransferItem) -> tuple[str, int, bytes]:
    if item.asset.contract is None:
        return item.recipient, item.amount, item.data
    return item.asset.contract, 0, abi.transfer_call(item.recipient, item.amount)


def _check_token_funds(items: Sequence[TransferItem], held: dict[str, int], sender: str) -> None:
    for contract, balance in held.items():
        matching = [i for i in items if i.asset.contract == contract]
        needed = sum(i.amount for i in matching)
        if balance < needed:
            asset = matching[0].asset
            raise InsufficientFunds(
                f"{sender} holds {format_amount(balance, asset.decimals)} {asset.symbol}; "
                f"{'these transfers need' if len(matching) > 1 else 'the transfer needs'} "
                f"{format_amount(needed, asset.decimals)}"
            )


def _build(
    legacy: bool,
    chain_id: int,
    nonce: int,
    price: GasPrice,
    gas: int,
    to: str,
    value: int,
    data: bytes,
) -> Transaction:
    target = bytes.fromhex(to[2:])
    if legacy:
        return LegacyTx(chain_id, nonce, price.max_fee_per_gas, gas, target, value, data)
    tip, cap = price.priority_fee, price.max_fee_per_gas
    return Eip1559Tx(chain_id, nonce, tip, cap, gas, target, value, data)


def failure_reason(client: RpcClient, receipt: dict[str, Any], tx: Transaction, sender: str) -> str:
    """Replay a failed transaction as a call at its block to learn the revert reason."""
    call = {
        "from": sender,
        "to": "0x" + tx.to.hex() if tx.to else None,
        "value": hex(tx.value),
        "data": "0x" + tx.data.hex(),
        "gas": hex(tx.gas),
    }
    # Replayed on the state at the transaction's block (its parent is pruned on anvil with
    # --prune-history); for most reverts the same reason comes back.
    for block in (receipt.get("blockNumber", "latest"), "latest"):
        try:
            client.call("eth_call", [call, block])
        except RpcError as exc:
            if exc.rpc_code == REVERT_CODE or isinstance(exc.data, str):
                return as_revert(exc, "reverted").message
            continue
        break
    gas_used = quantity(receipt.get("gasUsed", "0x0"), "eth_getTransactionReceipt", "gasUsed")
    if gas_used >= tx.gas:
        return f"reverted: out of gas (used all {tx.gas})"
    return "reverted (no reason given)"


def _ok(answer: Any) -> Any:
    if isinstance(answer, RpcError):
        raise answer
    return answer


def as_revert(error: RpcError, prefix: str) -> WouldRevert:
    """The node's revert answer as a readable reason (the revert string when it sent one)."""
    reason = None
    if isinstance(error.data, str) and error.data.startswith("0x"):
        try:
            reason = abi.revert_reason(bytes.fromhex(error.data[2:]))
        except ValueError:
            reason = None
    detail = reason or error.message.split(": ", 1)[-1]
    return WouldRevert(f"{prefix}: {detail}")
