"""Building EVM transfers: nonce, fees and gas from the node in one batch round trip,
balance checks before anything is signed, and revert reasons made readable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chains.base import Asset, Output, Preview
from chains.errors import InsufficientFunds, RpcError, UnknownToken, WouldRevert
from chains.evm import abi
from chains.evm.rpc import RpcClient
from chains.evm.tx import Eip1559Tx, LegacyTx, Transaction
from chains.evm.units import ETHER_DECIMALS, format_amount

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
    decimals = abi.decode_uint(bytes.fromhex(decimals_raw[2:]))
    if decimals > 77:
        raise UnknownToken(f"{contract} reports {decimals} decimals; refusing such a token")
    symbol = "?"
    if isinstance(symbol_raw, str) and len(symbol_raw) > 2:
        try:
            symbol = abi.decode_string(bytes.fromhex(symbol_raw[2:])) or "?"
        except RpcError:
            symbol = "?"
    return Asset(symbol, decimals, contract)


def plan_transfer(
    client: RpcClient,
    *,
    network: str,
    chain_id: int,
    sender: str,
    recipient: str,
    asset: Asset,
    amount: int,
    typed_as: str,
    legacy: bool = False,
    gas_limit: int | None = None,
) -> TransferPlan:
    if asset.contract is None:
        to, value, data = recipient, amount, b""
    else:
        to, value, data = asset.contract, 0, abi.transfer_call(recipient, amount)
    call = {"from": sender, "to": to, "value": hex(value), "data": "0x" + data.hex()}
    calls: list[tuple[str, list[Any]]] = [
        ("eth_getTransactionCount", [sender, "pending"]),
        ("eth_getBalance", [sender, "latest"]),
        ("eth_gasPrice", []) if legacy else ("eth_getBlockByNumber", ["latest", False]),
        ("eth_gasPrice", []) if legacy else ("eth_maxPriorityFeePerGas", []),
    ]
    if gas_limit is None:
        calls.append(("eth_estimateGas", [call]))
    if asset.contract is not None:
        calls.append(
            (
                "eth_call",
                [
                    {"to": asset.contract, "data": "0x" + abi.balance_of_call(sender).hex()},
                    "latest",
                ],
            )
        )
    answers = client.batch(calls)
    nonce_hex, balance_hex, fee_a, fee_b = (_ok(a) for a in answers[:4])
    nonce, balance = int(nonce_hex, 16), int(balance_hex, 16)
    estimate = answers[4] if gas_limit is None else None
    if asset.contract is not None:
        held = abi.decode_uint(bytes.fromhex(_ok(answers[-1])[2:]))
        if held < amount:
            raise InsufficientFunds(
                f"{sender} holds {format_amount(held, asset.decimals)} {asset.symbol}; "
                f"the transfer needs {format_amount(amount, asset.decimals)}"
            )
    if balance < value:
        raise InsufficientFunds(
            f"{sender} holds {format_amount(balance, ETHER_DECIMALS)} ETH, less than the "
            f"{format_amount(value, ETHER_DECIMALS)} ETH to send"
        )
    if estimate is not None:
        if isinstance(estimate, RpcError):
            raise _as_revert(estimate, "the transfer would fail")
        gas_limit = int(estimate, 16)
    assert gas_limit is not None
    tx: Transaction
    if legacy:
        gas_price = int(fee_a, 16)
        tx = LegacyTx(chain_id, nonce, gas_price, gas_limit, bytes.fromhex(to[2:]), value, data)
    else:
        base_fee = int(fee_a.get("baseFeePerGas") or "0x0", 16)
        tip = int(fee_b, 16)
        tx = Eip1559Tx(
            chain_id, nonce, tip, 2 * base_fee + tip, gas_limit, bytes.fromhex(to[2:]), value, data
        )
    needed = value + tx.fee_cap()
    if balance < needed:
        raise InsufficientFunds(
            f"{sender} holds {format_amount(balance, ETHER_DECIMALS)} ETH; this transfer needs "
            f"up to {format_amount(needed, ETHER_DECIMALS)} ETH (value plus the fee cap)"
        )
    preview = Preview(
        network=network,
        chain_id=chain_id,
        sender=sender,
        outputs=(Output(recipient, asset, amount, typed_as),),
        fee_cap=tx.fee_cap(),
        fee_asset=ETH,
        call_target=asset.contract,
    )
    return TransferPlan(tx, preview)


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
                return _as_revert(exc, "reverted").message
            continue
        break
    gas_used = int(receipt.get("gasUsed", "0x0"), 16)
    if gas_used >= tx.gas:
        return f"reverted: out of gas (used all {tx.gas})"
    return "reverted (no reason given)"


def _ok(answer: Any) -> Any:
    if isinstance(answer, RpcError):
        raise answer
    return answer


def _as_revert(error: RpcError, prefix: str) -> WouldRevert:
    reason = None
    if isinstance(error.data, str) and error.data.startswith("0x"):
        try:
            reason = abi.revert_reason(bytes.fromhex(error.data[2:]))
        except ValueError:
            reason = None
    detail = reason or error.message.split(": ", 1)[-1]
    return WouldRevert(f"{prefix}: {detail}")
