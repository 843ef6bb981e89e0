"""A Safe v1.4.1 on an EVM chain, through our own JSON-RPC client: the singleton and proxy
factory (deployed on a devnet when missing), a new proxy via `createProxyWithNonce`, the
Safe's owners, threshold and nonce, and contract calls planned as the pipeline's
`UnsignedTx` (nonce, fees under the network's ceilings, gas estimated by the node) for the
session to sign, broadcast and await."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chains.base import Network, Output, Preview
from chains.errors import ChainError, RpcError, UnsupportedChain
from chains.evm import abi, safe_abi
from chains.evm.fees import FeePolicy, check_gas, check_transfer_fee, gas_price, quote_calls
from chains.evm.rpc import RpcClient, hex_data, quantity
from chains.evm.transfer import as_revert
from chains.evm.tx import Eip1559Tx, LegacyTx, Transaction
from chains.session import FeeChoice, UnsignedTx

SINGLETON = "Safe_V1_4_1"
FACTORY = "ProxyFactory_V1_4_1"
SALT = bytes(32)
# Safe's own deployments of v1.4.1 (safe-deployments; safe-eth-py lists the same).
OFFICIAL = (
    "0x41675C099F32341bf84BFc5382aF534df5C7461a",
    "0x4e1DCf7AD4e460CfD30791CCC4F9c8a4f820ec67",
)
GAS_HEADROOM = 5  # percent over the node's estimate: the Safe's 63/64 gas checks


@dataclass(frozen=True)
class Deployment:
    singleton: str
    factory: str
    missing: tuple[tuple[str, bytes], ...]  # (what, CREATE2 deployer call data) to send first


@dataclass(frozen=True)
class SafeState:
    owners: list[str]  # lower-case hex, the contract's order
    threshold: int
    nonce: int
    version: str


def deployment(client: RpcClient, network: Network) -> Deployment:
    """Where the singleton and factory are: Safe's official addresses when both hold code
    there (every public chain Safe supports), else our CREATE2 addresses (Arachnid's
    deployer, salt 0: the same on every devnet) with what must be deployed there first.
    Off a devnet, missing contracts are an error: the wallet deploys them only on a devnet."""
    parts = [(SINGLETON, safe_abi.init_code(SINGLETON)), (FACTORY, safe_abi.init_code(FACTORY))]
    ours = [safe_abi.create2_address(safe_abi.CREATE2_DEPLOYER, SALT, c) for _, c in parts]
    candidates = [*OFFICIAL, *ours, safe_abi.CREATE2_DEPLOYER]
    codes = client.batch([("eth_getCode", [a, "latest"]) for a in candidates])
    for code in codes:
        if isinstance(code, RpcError):
            raise code
    present = [code not in ("0x", "", None) for code in codes]
    if present[0] and present[1]:
        return Deployment(OFFICIAL[0], OFFICIAL[1], ())
    missing = tuple((n, SALT + c) for (n, c), p in zip(parts, present[2:4], strict=True) if not p)
    if missing and not network.is_devnet:
        raise UnsupportedChain(
            f"the Safe {safe_abi.VERSION} contracts are not on network {network.name!r}; "
            "the wallet deploys them only on a devnet"
        )
    if missing and not present[4]:
        raise UnsupportedChain("this devnet has no CREATE2 deployer to put the Safe contracts at")
    return Deployment(ours[0], ours[1], missing)


def predict_proxy(client: RpcClient, sender: str, factory: str, data: bytes) -> str:
    """The proxy address `createProxyWithNonce` would return now (a simulated call)."""
    answer = _eth_call(client, factory, data, sender)
    return "0x" + answer[12:32].hex()


def read_state(client: RpcClient, safe: str) -> SafeState:
    """Owners, threshold, nonce and VERSION(); an address that is not a Safe is refused."""
    names = ["getOwners()", "getThreshold()", "nonce()", "VERSION()"]
    calls: list[tuple[str, list[Any]]] = [("eth_getCode", [safe, "latest"])]
    calls += [
        ("eth_call", [{"to": safe, "data": "0x" + safe_abi.selector(n).hex()}, "latest"])
        for n in names
    ]
    code, owners, threshold, nonce, version = client.batch(calls)
    if isinstance(code, RpcError):
        raise code
    if code in ("0x", "", None):
        raise safe_abi.SafeError(f"{safe} has no contract code on this network: not a Safe")
    try:
        raw = [
            hex_data(a, "eth_call", n)
            for a, n in zip([owners, threshold, nonce], names, strict=False)
        ]
        state = SafeState(
            safe_abi.decode_addresses(raw[0]),
            abi.decode_uint(raw[1]),
            abi.decode_uint(raw[2]),
            abi.decode_string(hex_data(version, "eth_call", "VERSION()")),
        )
    except (ChainError, ValueError):
        raise safe_abi.SafeError(f"{safe} does not answer as a Safe does") from None
    if not state.owners or not 1 <= state.threshold <= len(state.owners):
        raise safe_abi.SafeError(f"{safe} is not a set-up Safe (no owners or threshold)")
    return state


def contract_hash(client: RpcClient, safe: str, tx: safe_abi.SafeTx) -> bytes:
    """The Safe's own `getTransactionHash` of `tx`."""
    return _eth_call(client, safe, safe_abi.transaction_hash_call(tx))[:32]


def plan_call(
    client: RpcClient,
    network: Network,
    chain_id: int,
    sender: str,
    call: tuple[str | None, int, bytes],
    shown: Output,
    fees: FeeChoice,
) -> UnsignedTx:
    """One contract call (to, value, data; to None deploys) as the pipeline's plan: the
    node's nonce and fee quote under the network's ceilings, its gas estimate (a call that
    would revert is refused here, before anything is signed). `shown` is what the preview
    names as paid."""
    to, value, data = call
    policy = FeePolicy(
        network.name, network.native, network.limits, fees.max_fee_per_gas, fees.priority_fee
    )
    quote = quote_calls(fees.legacy, policy)
    target = {"from": sender, "value": hex(value), "data": "0x" + data.hex()}
    if to is not None:
        target["to"] = to
    answers = client.batch(
        [("eth_getTransactionCount", [sender, "pending"]), *quote, ("eth_estimateGas", [target])]
    )
    nonce = quantity(_ok(answers[0]), "eth_getTransactionCount", "nonce")
    price = gas_price(fees.legacy, policy, answers[1 : 1 + len(quote)])
    estimate = answers[-1]
    if isinstance(estimate, RpcError):
        raise as_revert(estimate, "the Safe call would fail")
    gas = fees.gas_limit or check_gas(
        quantity(estimate, "eth_estimateGas", "gas") * (100 + GAS_HEADROOM) // 100
    )
    check_transfer_fee(gas, price, policy)
    address = bytes.fromhex(to[2:]) if to else None
    tx: Transaction
    if fees.legacy:
        tx = LegacyTx(chain_id, nonce, price.max_fee_per_gas, gas, address, value, data)
    else:
        tip, cap = price.priority_fee, price.max_fee_per_gas
        tx = Eip1559Tx(chain_id, nonce, tip, cap, gas, address, value, data)
    preview = Preview(
        network=network.name,
        chain_id=chain_id,
        sender=sender,
        outputs=(shown,),
        fee_cap=tx.fee_cap(),
        fee_asset=network.native,
        call_target=to,
    )
    return UnsignedTx(preview, tx, (0,), nonce)


def _eth_call(client: RpcClient, to: str, data: bytes, sender: str | None = None) -> bytes:
    request = {"to": to, "data": "0x" + data.hex()}
    if sender:
        request["from"] = sender
    try:
        answer = client.call("eth_call", [request, "latest"])
    except RpcError as exc:
        raise as_revert(exc, "the Safe refused the call") from None
    return hex_data(answer, "eth_call", "Safe call")


def _ok(answer: Any) -> Any:
    if isinstance(answer, RpcError):
        raise answer
    return answer
