"""The EVM side of the one pipeline (chains/session.py): a JSON-RPC node checked to be on
the configured chain, planning each output as its own transaction (consecutive nonces),
signing with the sender's key, broadcasting and awaiting receipts in bounded batches."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.base import Asset, Network, Output
from chains.errors import ChainError, RpcError, UnsupportedChain
from chains.evm import abi, devnet_mining, receipts
from chains.evm.fees import FeePolicy
from chains.evm.rpc import MAX_BATCH, RpcClient, already_known, hex_data, quantity
from chains.evm.transfer import TransferItem, failure_reason, plan_batch, token_asset
from chains.evm.tx import Signer, Transaction
from chains.http import NoAnswer
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

if TYPE_CHECKING:
    from chains.evm.approvals import AllowanceScan


def connect(
    network: Network, sender: str, index: int, timeout: float | None, state: Path | None = None
) -> EvmSession:
    """A session whose node reported the network's chain id. Each call has the network's
    `rpc-timeout` as its deadline, or `timeout` when that is shorter. `state`: the wallet's
    folder for what it learns of chains (a devnet's paused-automine marker)."""
    if not network.rpc_url:
        raise UnsupportedChain(f"network {network.name!r} has no RPC URL in config")
    limit = network.limits.rpc_timeout
    client = RpcClient(network.rpc_url, min(limit, timeout) if timeout else limit)
    try:
        chain_id = client.check_chain_id(network.chain_id, network.name)
    except BaseException:
        client.close()
        raise
    session = EvmSession(network, client, chain_id, sender, index)
    if network.is_devnet:
        session.paused = devnet_mining.marker(state, chain_id)
        devnet_mining.heal(client, session.paused)
    return session


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
        self.paused: Path | None = None  # devnet: the marker while automine is paused

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
        for o in outputs:
            if o.data and o.asset.contract is not None:
                raise UnsupportedChain("call data goes with the native coin, not a token")
        items = [TransferItem(o.recipient, o.asset, o.amount, o.typed_as, o.data) for o in outputs]
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
        """Send a chunk; on a devnet that automines, with automine paused and one block mined
        for it (chains/evm/devnet_mining.py). A chunk that gets no answer may have reached the
        node in whole or in part: what it knows counts as sent, the rest is sent once more."""

        def send() -> list[Any]:
            return self._send(signed)

        if len(signed) > 1 and self.network.is_devnet and devnet_mining.automines(self.client):
            answers = devnet_mining.send_in_one_block(self.client, self.paused, send)
        else:
            answers = send()
        return [
            answer.message if isinstance(answer, RpcError) and not already_known(answer) else None
            for answer in answers
        ]

    def _send(self, signed: Sequence[SignedTx]) -> list[Any]:
        calls = [("eth_sendRawTransaction", [s.raw]) for s in signed]
        try:
            return self.client.batch(calls)
        except NoAnswer:
            known = receipts.look_up(self.client, [s.tx_hash for s in signed])  # reads: retried
            lost = [i for i, o in enumerate(known) if o.status == "not-found"]
            again = self.client.batch([calls[i] for i in lost]) if lost else []
            answers: list[Any] = [None] * len(signed)
            for i, answer in zip(lost, again, strict=True):
                answers[i] = answer
            return answers

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

    def allowances(
        self,
        owners: Sequence[str],
        token: str | None,
        first_block: int | None,
        known: Sequence[tuple[str, str, str, int]] = (),
    ) -> AllowanceScan:
        """The ERC-20 allowances `owners` granted (chains/evm/approvals.py), confirmed now;
        `known`: (owner, token, spender, block) pairs earlier scans found."""
        from chains.evm.approvals import scan

        return scan(self.client, owners, token=token, first_block=first_block, known=known)

    def revocation(self, token: str, spender: str) -> Output:
        """The call that takes back `spender`'s allowance of `token`: approve(spender, 0)."""
        from chains.evm.call_intents import approve_call

        return Output(token, self.network.native, 0, token, approve_call(spender, 0))

    def close(self) -> None:
        self.client.close()


def transaction_of(plan: UnsignedTx) -> Transaction:
    body = plan.body
    if not isinstance(body, Transaction):
        raise TypeError("not an EVM plan")
    return body
