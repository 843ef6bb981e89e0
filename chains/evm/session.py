"""The EVM side of the one pipeline (chains/session.py): a JSON-RPC node checked to be on
the configured chain, planning each output as its own transaction (consecutive nonces),
signing with the sender's key, broadcasting and awaiting receipts in bounded batches."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from chains.base import Asset, Network, Output
from chains.errors import ChainError, RpcError, UnsupportedChain
from chains.evm import abi, receipts
from chains.evm.fees import FeePolicy
from chains.evm.rpc import MAX_BATCH, RpcClient, hex_data, quantity
from chains.evm.transfer import TransferItem, TransferPlan, failure_reason, plan_batch, token_asset
from chains.evm.tx import Signer, Transaction
from chains.session import (
    FeeChoice,
    KeyProvider,
    Progress,
    Receipt,
    ReplaceKind,
    Replacing,
    SentTransfer,
    SignedTx,
    UnsignedTx,
)


def connect(network: Network, sender: str, index: int, timeout: float | None) -> EvmSession:
    """A session whose node reported the network's chain id. Each call has the network's
    `rpc-timeout` as its deadline, or `timeout` when that is shorter."""
    if not network.rpc_url:
        raise UnsupportedChain(f"network {network.name!r} has no RPC URL in config")
    limit = network.limits.rpc_timeout
    client = RpcClient(network.rpc_url, min(limit, timeout) if timeout else limit)
    try:
        chain_id = client.check_chain_id(network.chain_id, network.name)
    except BaseException:
        client.close()
        raise
    return EvmSession(network, client, chain_id, sender, index)


class EvmSession:
    max_batch = MAX_BATCH
    account_wide = ""

    def __init__(
        self, network: Network, client: RpcClient, chain_id: int, sender: str, index: int
    ) -> None:
        self.network = network
        self.client = client
        self.chain_id: int | None = chain_id
        self._chain_id = chain_id
        self.sender = sender
        self.index = index
        self.lock_name = f"evm-{chain_id}-{sender}"
        self._sent: dict[str, Transaction] = {}  # what failure reasons are replayed from

    def asset(self, contract: str | None) -> Asset:
        return self.network.native if contract is None else token_asset(self.client, contract)

    def build(self, outputs: Sequence[Output], fees: FeeChoice) -> list[UnsignedTx]:
        if fees.fee_rate is not None or fees.coins:
            raise UnsupportedChain("--fee-rate and coin control are for Bitcoin networks")
        policy = FeePolicy(
            self.network.name,
            self.network.native,
            self.network.limits,
            fees.max_fee_per_gas,
            fees.priority_fee,
        )
        items = [TransferItem(o.recipient, o.asset, o.amount, o.typed_as) for o in outputs]
        plans = plan_batch(
            self.client,
            network=self.network.name,
            chain_id=self._chain_id,
            sender=self.sender,
            items=items,
            legacy=fees.legacy,
            gas_limit=fees.gas_limit,
            fees=policy,
        )
        return [UnsignedTx(p.preview, p.tx, (i,), p.tx.nonce) for i, p in enumerate(plans)]

    def sign(self, plans: Sequence[UnsignedTx], keys: KeyProvider) -> list[SignedTx]:
        signer = Signer(keys.private_key(self.index))
        signed = []
        for plan in plans:
            tx = transaction_of(plan)
            one = signer.sign(tx)
            self._sent[one.hash_hex] = tx
            signed.append(SignedTx(one.hash_hex, one.raw_hex, tx.nonce))
        return signed

    def broadcast(self, signed: Sequence[SignedTx]) -> list[str | None]:
        answers = self.client.batch([("eth_sendRawTransaction", [s.raw]) for s in signed])
        return [
            answer.message if isinstance(answer, RpcError) and not already_known(answer) else None
            for answer in answers
        ]

    def wait(
        self, hashes: Sequence[str], timeout: float, progress: Progress | None = None
    ) -> dict[str, Receipt]:
        found = self.client.wait_for_receipts(hashes, timeout, progress)
        outcomes = {}
        for tx_hash, receipt in found.items():
            outcome = receipts.from_receipt(tx_hash, receipt)
            tx = self._sent.get(tx_hash)
            if outcome.status == "failed" and tx is not None and len(found) == 1:
                reason = failure_reason(self.client, receipt, tx, self.sender)
                outcome = Receipt(tx_hash, "failed", outcome.block, reason)
            outcomes[tx_hash] = outcome
        return outcomes

    def look_up(self, hashes: Sequence[str]) -> list[Receipt]:
        return receipts.look_up(self.client, hashes)

    def nudge(self) -> None:
        """anvil's automine can miss transactions that became ready while it mined a block:
        they sit in its pool until another arrives. On a devnet in automine, mine one block
        (never on a devnet whose mining was paused, never on another network)."""
        if not self.network.is_devnet:
            return
        try:
            if self.client.call("anvil_getAutomine") is True:
                self.client.call("evm_mine")
        except ChainError:
            pass  # not anvil, or it would not: the wait goes on as on any node

    def replacement(
        self, original: SentTransfer, kind: ReplaceKind, multiplier: Decimal, fees: FeeChoice
    ) -> Replacing:
        from chains.evm.replacing import replace

        return replace(self.client, self.network, self._chain_id, original, kind, multiplier, fees)

    def balance(self, address: str | None, asset: Asset) -> int:
        holder = address or self.sender
        if asset.contract is None:
            answer = self.client.call("eth_getBalance", [holder, "latest"])
            return quantity(answer, "eth_getBalance", "balance")
        call = {"to": asset.contract, "data": "0x" + abi.balance_of_call(holder).hex()}
        answer = self.client.call("eth_call", [call, "latest"])
        return abi.decode_uint(hex_data(answer, "eth_call", "balanceOf()"))

    def contract_flags(self, addresses: Sequence[str]) -> list[bool | None]:
        try:
            answers = self.client.batch([("eth_getCode", [a, "latest"]) for a in addresses])
        except ChainError:
            return [None] * len(addresses)
        return [(a not in ("0x", "")) if isinstance(a, str) else None for a in answers]

    def close(self) -> None:
        self.client.close()


def transaction_of(plan: UnsignedTx) -> Transaction:
    body = plan.body
    if not isinstance(body, Transaction):
        raise TypeError("not an EVM plan")
    return body


def evm_plan(plan: TransferPlan, position: int = 0) -> UnsignedTx:
    return UnsignedTx(plan.preview, plan.tx, (position,), plan.tx.nonce)


def already_known(error: RpcError) -> bool:
    """The node's answer to a transaction it already has: sent again after a lost reply or
    a crash, the same signed bytes are the same payment, not a new one."""
    text = error.message.lower()
    return any(marker in text for marker in _ALREADY_KNOWN)


# geth/bor "already known"; erigon "ALREADY_EXISTS"; nethermind "AlreadyKnown"; anvil
# "transaction already imported".
_ALREADY_KNOWN = ("already known", "already_exists", "alreadyknown", "already imported")
