"""EVM fees: what to ask the node, and its quote held under the network's ceilings.

The node is not trusted for fees. Its quote (base fee and priority fee, or `gasPrice` for
legacy transactions) must each fit under `max-fee-per-gas`, and so must base + priority; the
max fee per gas signed is 2 x base + priority, lowered to the ceiling when above it. Fees
given explicitly (`--max-fee-per-gas`, `--priority-fee`) are the user's decision and skip the
quote's ceiling. Every transfer, quoted or explicit, is then held under `max-fee`: gas limit
x max fee per gas, which also catches an inflated `eth_estimateGas`. Above a ceiling is
`FeeAboveCeiling` (exit 6): nothing is signed, and `--yes` does not pass it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chains.amounts import format_amount
from chains.base import GWEI, MAX_GAS_LIMIT, Asset, NetworkLimits, default_limits
from chains.errors import FeeAboveCeiling, MalformedReply, RpcError
from chains.evm.rpc import quantity


@dataclass(frozen=True)
class FeePolicy:
    """The network's ceilings and native asset, and fees the user gave explicitly (wei)."""

    network: str = "devnet"
    native: Asset = field(default_factory=lambda: Asset("ETH", 18))
    limits: NetworkLimits = field(default_factory=lambda: default_limits("evm"))
    max_fee_per_gas: int | None = None
    priority_fee: int | None = None


@dataclass(frozen=True)
class GasPrice:
    max_fee_per_gas: int  # gasPrice for a legacy transaction
    priority_fee: int  # 0 for a legacy transaction


def quote_calls(legacy: bool, policy: FeePolicy) -> list[tuple[str, list[Any]]]:
    """The node calls the fees still need (none when the user gave them all)."""
    if legacy:
        return [] if policy.max_fee_per_gas is not None else [("eth_gasPrice", [])]
    calls: list[tuple[str, list[Any]]] = []
    if policy.max_fee_per_gas is None:
        calls.append(("eth_getBlockByNumber", ["latest", False]))
    if policy.priority_fee is None:
        calls.append(("eth_maxPriorityFeePerGas", []))
    return calls


def gas_price(legacy: bool, policy: FeePolicy, answers: list[Any]) -> GasPrice:
    """The fees to sign from the node's answers to `quote_calls`, in the same order."""
    quoted = iter(answers)
    if legacy:
        if policy.max_fee_per_gas is not None:
            return GasPrice(policy.max_fee_per_gas, 0)
        price = quantity(_ok(next(quoted)), "eth_gasPrice", "gas price")
        _ceiling(policy, f"a gas price of {_gwei(price)}", price)
        return GasPrice(price, 0)
    base = None if policy.max_fee_per_gas is not None else _base_fee(_ok(next(quoted)))
    if policy.priority_fee is not None:
        tip = policy.priority_fee
    else:
        tip = quantity(_ok(next(quoted)), "eth_maxPriorityFeePerGas", "priority fee")
    if base is None:  # the user's max fee per gas: the node's tip may not exceed it
        assert policy.max_fee_per_gas is not None
        return GasPrice(policy.max_fee_per_gas, min(tip, policy.max_fee_per_gas))
    _ceiling(policy, f"a base fee of {_gwei(base)}", base)
    if policy.priority_fee is not None:  # the user's tip, on the node's (bounded) base fee
        return GasPrice(2 * base + tip, tip)
    _ceiling(policy, f"a priority fee of {_gwei(tip)}", tip)
    _ceiling(policy, f"a base fee of {_gwei(base)} plus a priority fee of {_gwei(tip)}", base + tip)
    return GasPrice(min(2 * base + tip, policy.limits.max_fee_per_gas), tip)


def check_gas(gas: int, method: str = "eth_estimateGas") -> int:
    if gas > MAX_GAS_LIMIT:
        raise FeeAboveCeiling(
            f"the node's {method} answered {gas:,} gas, more than a block holds "
            f"({MAX_GAS_LIMIT:,}); nothing was signed"
        )
    return gas


def check_transfer_fee(gas: int, price: GasPrice, policy: FeePolicy) -> None:
    """gas limit x max fee per gas, the most the transfer can cost, under `max-fee`."""
    cap = gas * price.max_fee_per_gas
    limit = policy.limits.max_fee
    if cap <= limit:
        return
    symbol, decimals = policy.native.symbol, policy.native.decimals
    raise FeeAboveCeiling(
        f"the fee cap would be {format_amount(cap, decimals)} {symbol} ({gas:,} gas x "
        f"{_gwei(price.max_fee_per_gas)}), above max-fee {format_amount(limit, decimals)} "
        f"{symbol} for network {policy.network!r}: nothing was signed; if the fee is real, "
        f"raise max-fee in config.toml [networks.{policy.network}]"
    )


def _ceiling(policy: FeePolicy, what: str, value: int) -> None:
    ceiling = policy.limits.max_fee_per_gas
    if value > ceiling:
        raise FeeAboveCeiling(
            f"the node quotes {what}, above max-fee-per-gas {_gwei(ceiling)} for network "
            f"{policy.network!r}: nothing was signed; if the fee is real, give "
            "--max-fee-per-gas and --priority-fee, or raise max-fee-per-gas in config.toml "
            f"[networks.{policy.network}]"
        )


def _base_fee(block: Any) -> int:
    method = "eth_getBlockByNumber"
    if not isinstance(block, dict):
        raise MalformedReply(f"the node's {method} reply is not a block")
    raw = block.get("baseFeePerGas")
    return 0 if raw is None else quantity(raw, method, "baseFeePerGas")


def _ok(answer: Any) -> Any:
    if isinstance(answer, RpcError):
        raise answer
    return answer


def _gwei(wei: int) -> str:
    return f"{format_amount(wei, 9)} gwei" if wei >= GWEI // 1000 or wei == 0 else f"{wei} wei"
