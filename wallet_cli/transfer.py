"""The one send pipeline: parse -> connect -> build -> screen -> sign -> broadcast -> wait,
with history written before broadcast and after. Batch reuses its steps; there is no other
path from a destination to a signature (tests/integration/test_send.py checks each path).

Callbacks keep people out of the library: `unlock` asks for the passphrase only once the
transfer has been built and screened, and `confirm` decides on `warn` findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chains.amounts import format_amount, parse_amount
from chains.base import Asset, Network, Preview
from chains.errors import InvalidAmount, RpcError, UnknownToken, UnsupportedChain
from chains.evm.fees import FeePolicy
from chains.evm.rpc import RpcClient, quantity
from chains.evm.transfer import TransferPlan, failure_reason, plan_transfer, token_asset
from chains.evm.tx import SignedTx, Signer
from chains.registry import adapter_for
from wallet_cli import screening
from wallet_cli.errors import BadInput, ScreeningBlocked, ScreeningNotConfirmed, TransferFailed
from wallet_cli.store.config import Config
from wallet_cli.store.history import History
from wallet_cli.wallet import Wallet

Confirm = Callable[[screening.Report, Preview], bool]
Unlock = Callable[[], object]
Show = Callable[[Preview, screening.Report], None]


def _show_nothing(preview: Preview, report: screening.Report) -> None:
    return None


CHECK_AMOUNT_DECIMALS = 77  # syntax check before the token's real decimals are known


@dataclass(frozen=True)
class SendRequest:
    to: str
    amount: str
    token: str | None = None
    index: int = 0
    legacy: bool = False
    dry_run: bool = False
    wait: bool = True
    gas_limit: int | None = None
    allow: frozenset[str] = field(default_factory=frozenset)
    timeout: float = 120.0
    max_fee_per_gas: str | None = None  # explicit fees skip the node's quote
    priority_fee: str | None = None


@dataclass
class SendResult:
    network: str
    chain: str
    sender: str
    to: str
    amount: str
    unit: str
    report: screening.Report
    status: str = "not-broadcast"
    tx_hash: str | None = None
    block: int | None = None
    raw: str | None = None
    fee_cap: str = "0"
    nonce: int | None = None
    token: str | None = None
    reason: str | None = None
    base_units: int = 0
    fee_unit: str = "ETH"

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "network": self.network,
            "chain": self.chain,
            "from": self.sender,
            "to": self.to,
            "amount": self.amount,
            "unit": self.unit,
            "tx_hash": self.tx_hash,
            "status": self.status,
            "block": self.block,
            "screening": self.report.to_json(),
            "token": self.token,
            "nonce": self.nonce,
            "fee_cap": self.fee_cap,
            "fee_unit": self.fee_unit,
        }
        if self.raw is not None:
            document["raw_transaction"] = self.raw
        if self.reason is not None:
            document["reason"] = self.reason
        return document


def connect(network: Network, timeout: float | None = None) -> tuple[RpcClient, int]:
    """A client whose node has been checked to be on the configured chain. Each call has
    the network's `rpc-timeout` as its deadline, or `timeout` when that is shorter."""
    if network.family != "evm":
        raise UnsupportedChain(f"sending on {network.family} networks is not supported yet")
    if not network.rpc_url:
        raise UnsupportedChain(f"network {network.name!r} has no RPC URL in config")
    limit = network.limits.rpc_timeout
    client = RpcClient(network.rpc_url, min(limit, timeout) if timeout else limit)
    try:
        return client, client.check_chain_id(network.chain_id, network.name)
    except BaseException:
        client.close()
        raise


def fee_policy(
    network: Network,
    max_fee_per_gas: str | None = None,
    priority_fee: str | None = None,
    *,
    legacy: bool = False,
) -> FeePolicy:
    """The network's fee ceilings, and the fees given on the command line (checked here,
    before any node is asked)."""
    from wallet_cli.store.network_settings import SettingError, gas_price

    try:
        cap = gas_price(max_fee_per_gas, "--max-fee-per-gas") if max_fee_per_gas else None
        tip = gas_price(priority_fee, "--priority-fee") if priority_fee else None
    except SettingError as exc:
        raise BadInput(str(exc)) from None
    if tip is not None and legacy:
        raise BadInput(
            "--priority-fee is for EIP-1559 transactions; with --legacy, give "
            "the gas price as --max-fee-per-gas"
        )
    if cap is not None and tip is not None and tip > cap:
        raise BadInput("--priority-fee cannot be more than --max-fee-per-gas")
    return FeePolicy(network.name, network.native, network.limits, cap, tip)


def resolve_asset(client: RpcClient, config: Config, network: Network, token: str | None) -> Asset:
    native = network.native
    if token is None or token.upper() == native.symbol.upper():
        return native
    if native.symbol == "ETH" and token.upper() == "ETHER":
        return native
    text = token.strip()
    if not text.lower().startswith("0x"):
        known = config.tokens(network.name)
        if text.upper() not in known:
            names = ", ".join(sorted(known)) or "none"
            raise UnknownToken(
                f"unknown token {text!r} on {network.name} (token list: {names}); "
                "give the contract address or add it under [tokens."
                f"{network.name}] in config.toml"
            )
        text = known[text.upper()]
    contract = adapter_for("evm").parse_address(text, network)
    return token_asset(client, contract)


def parse_positive_amount(text: str, asset: Asset) -> int:
    amount = parse_amount(text, asset.decimals, allow_units=asset.contract is None)
    if amount == 0:
        raise InvalidAmount("the amount must be more than zero")
    return amount


def screening_context(
    wallet: Wallet, network: Network, config: Config, client: RpcClient | None
) -> screening.Context:
    from wallet_cli.screening.gather import gather

    return gather(wallet.home, config, network, wallet, client)


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


def send(
    wallet: Wallet,
    network: Network,
    config: Config,
    request: SendRequest,
    *,
    unlock: Unlock,
    confirm: Confirm,
    show: Show = _show_nothing,
) -> SendResult:
    """`show` gets the preview (every output, the fee cap) after screening, before signing."""
    adapter = adapter_for(network.family)
    to = adapter.parse_address(request.to, network)
    parse_amount(request.amount, CHECK_AMOUNT_DECIMALS, allow_units=request.token is None)
    fees = fee_policy(network, request.max_fee_per_gas, request.priority_fee, legacy=request.legacy)
    sender = wallet.addresses(adapter.account_key(network, None), [request.index])[0].address
    client, chain_id = connect(network, request.timeout)
    try:
        asset = resolve_asset(client, config, network, request.token)
        amount = parse_positive_amount(request.amount, asset)
        history = History(wallet.home, wallet.name)
        with wallet.home.account_lock(f"evm-{chain_id}-{sender}"):
            plan = plan_transfer(
                client,
                network=network.name,
                chain_id=chain_id,
                sender=sender,
                recipient=to,
                asset=asset,
                amount=amount,
                typed_as=request.to,
                legacy=request.legacy,
                gas_limit=request.gas_limit,
                fees=fees,
            )
            report = screening.check(
                plan.preview, screening_context(wallet, network, config, client)
            )
            enforce(report, request.allow, confirm, plan.preview)
            show(plan.preview, report)
            unlock()
            signed = Signer(wallet.private_key("evm", request.index)).sign(plan.tx)
            result = new_result(network, sender, to, asset, amount, plan, report, signed)
            history.append(
                signed_entry(result, chain_id, signed, allow=request.allow, dry_run=request.dry_run)
            )
            if request.dry_run:
                result.raw = signed.raw_hex
                return result
            _broadcast(client, signed, history, result)
        if not request.wait:
            result.status = "pending"
            return result
        return _await(client, plan, signed, history, result, request.timeout)
    finally:
        client.close()


def new_result(
    network: Network,
    sender: str,
    to: str,
    asset: Asset,
    amount: int,
    plan: TransferPlan,
    report: screening.Report,
    signed: SignedTx,
) -> SendResult:
    return SendResult(
        network=network.name,
        chain=network.family,
        sender=sender,
        to=to,
        amount=format_amount(amount, asset.decimals),
        unit=asset.symbol,
        report=report,
        tx_hash=signed.hash_hex,
        fee_cap=format_amount(plan.preview.fee_cap, plan.preview.fee_asset.decimals),
        fee_unit=plan.preview.fee_asset.symbol,
        nonce=plan.tx.nonce,
        token=asset.contract,
        base_units=amount,
    )


def signed_entry(
    result: SendResult,
    chain_id: int,
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
        "tx_hash": signed.hash_hex,
        "raw": signed.raw_hex,
        "dry_run": dry_run,
        "screening": report.verdict,
    }
    if allowed:
        entry["allowed_blocks"] = allowed
    if key:
        entry["key"] = key
    return entry


def _broadcast(client: RpcClient, signed: SignedTx, history: History, result: SendResult) -> None:
    try:
        client.call("eth_sendRawTransaction", [signed.raw_hex])
    except RpcError as exc:
        history.append({"event": "rejected", "tx_hash": signed.hash_hex, "reason": exc.message})
        raise TransferFailed(f"the node refused the transaction: {exc.message}") from None
    history.append({"event": "broadcast", "tx_hash": signed.hash_hex})
    result.status = "pending"


def _await(
    client: RpcClient,
    plan: TransferPlan,
    signed: SignedTx,
    history: History,
    result: SendResult,
    timeout: float,
) -> SendResult:
    receipt = client.wait_for_receipts([signed.hash_hex], timeout).get(signed.hash_hex)
    if receipt is None:
        result.status = "pending"
        return result
    method = "eth_getTransactionReceipt"
    result.block = quantity(receipt["blockNumber"], method, "blockNumber")
    if quantity(receipt.get("status", "0x1"), method, "status") == 1:
        result.status = "success"
        history.append({"event": "confirmed", "tx_hash": signed.hash_hex, "block": result.block})
    else:
        result.status = "failed"
        result.reason = failure_reason(client, receipt, plan.tx, result.sender)
        history.append(
            {
                "event": "failed",
                "tx_hash": signed.hash_hex,
                "block": result.block,
                "reason": result.reason,
            }
        )
    return result
