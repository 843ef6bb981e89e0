"""The Solana side of the one pipeline (chains/session.py): a validator's JSON-RPC, checked to
be on the configured cluster (its genesis hash), each output its own transaction (a System
transfer of SOL, or an SPL `TransferChecked` to the recipient's associated token account),
signed with the sender's ed25519 key against a blockhash fetched just before signing.

A Solana transaction lands only while its blockhash is recent (150 blocks, about a minute).
One that the node never saw by then can never land: `broadcast` says so with an `Expired`
refusal, `wait` with an `expired` receipt, and the pipeline signs the same plan once more.
The node is asked to keep no retries of its own (`maxRetries` 0): while `wait` polls, it
sends the same signed bytes again every few seconds, which can never pay twice (the same
signature runs once).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from chains.base import Asset, Network, Output
from chains.errors import (
    ChainError,
    ChainIdMismatch,
    RpcError,
    UnsupportedChain,
)
from chains.http import NoAnswer
from chains.session import (
    Expired,
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
from chains.sol import transfer
from chains.sol.rpc import MAX_SIGNATURES, SolRpcClient, is_blockhash_error
from chains.sol.transfer import Mint, SolPlan

# Genesis hashes of the public clusters (`solana genesis-hash` on each).
GENESIS = {
    "solana": "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d",  # mainnet-beta
    "solana-devnet": "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG",
    "solana-testnet": "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY",
}
POLL_START = 0.05
POLL_MAX = 1.0
RESEND_EVERY = 2.0  # seconds between sends of the same bytes while a transaction is unseen
SETTLED = ("confirmed", "finalized")


def connect(
    network: Network, sender: str, index: int, timeout: float | None, state: Path | None = None
) -> SolSession:
    """A session whose node has the network's genesis hash (a devnet: any)."""
    if not network.rpc_url:
        raise UnsupportedChain(f"network {network.name!r} has no RPC URL in config")
    limit = network.limits.rpc_timeout
    client = SolRpcClient(network.rpc_url, min(limit, timeout) if timeout else limit)
    expected = GENESIS.get(network.name)
    if expected is None and not network.is_devnet:
        client.close()
        raise UnsupportedChain(
            f"Solana network {network.name!r} names no cluster, so its node cannot be checked: "
            f"use one of {', '.join(GENESIS)} (or solana-localnet for a local node)"
        )
    try:
        genesis = client.genesis_hash()
        if expected is not None and genesis != expected and not network.is_devnet:
            raise ChainIdMismatch(
                f"the node at {client.url} has genesis hash {genesis}, but network "
                f"{network.name!r} is the cluster with {expected}; nothing was signed"
            )
    except BaseException:
        client.close()
        raise
    return SolSession(network, client, sender, index)


class SolSession:
    chain_id: int | None = None
    max_batch = 100
    account_wide = ""

    def __init__(self, network: Network, client: SolRpcClient, sender: str, index: int) -> None:
        self.network = network
        self.client = client
        self.sender = sender
        self.index = index
        self.lock_name = f"sol-{network.name}-{sender}"
        self._sent: dict[str, tuple[bytes, int]] = {}  # signature -> (raw, last valid height)
        self._mints: dict[str, Mint] = {}

    def mint(self, address: str) -> Mint:
        if address not in self._mints:
            account = self.client.accounts([address])[0]
            self._mints[address] = transfer.read_mint(
                address,
                account.owner if account else None,
                account.data if account else None,
            )
        return self._mints[address]

    def asset(self, contract: str | None) -> Asset:
        """SPL mints carry no symbol on chain (that is in a separate metadata program): the
        pipeline names a token by config.toml's name for it, else by its mint."""
        if contract is None:
            return self.network.native
        return Asset("", self.mint(contract).decimals, contract)

    def build(self, outputs: Sequence[Output], fees: FeeChoice) -> list[UnsignedTx]:
        from chains.sol.planning import Payer, build

        payer = Payer(
            self.client, self.network, self.sender, self.mint, lambda a: self.balance(None, a)
        )
        return build(payer, outputs, fees)

    def sign(self, plans: Sequence[UnsignedTx], keys: KeyProvider) -> list[SignedTx]:
        """Signed against a blockhash asked for now, not at planning: the time a person takes
        to confirm and type a passphrase does not eat into its minute."""
        latest = self.client.latest_blockhash()
        key = keys.private_key(self.index)
        signed = []
        for plan in plans:
            body = plan.body
            if not isinstance(body, SolPlan):
                raise TypeError("not a Solana plan")
            tx = transfer.sign(body.instructions, self.sender, latest.blockhash, key.reveal())
            signature, raw = str(tx.signatures[0]), bytes(tx)
            self._sent[signature] = (raw, latest.last_valid_height)
            signed.append(SignedTx(signature, raw.hex()))
        return signed

    def broadcast(self, signed: Sequence[SignedTx]) -> list[str | None]:
        answers: list[str | None] = []
        for one in signed:
            raw = bytes.fromhex(one.raw)
            try:
                self.client.send(raw)
            except NoAnswer:
                try:  # the same bytes again: they can run only once
                    self.client.send(raw)
                except RpcError as exc:
                    answers.append(self._refusal(exc))
                    continue
            except RpcError as exc:
                answers.append(self._refusal(exc))
                continue
            answers.append(None)
        return answers

    def _refusal(self, error: RpcError) -> str | None:
        text = error.message
        if "alreadyprocessed" in f"{text} {error.data!r}".lower().replace(" ", ""):
            return None  # the node has run it already
        if is_blockhash_error(error):
            return Expired(f"the node does not know the transaction's blockhash: {text}")
        return text

    def wait(
        self, hashes: Sequence[str], timeout: float, progress: Progress | None = None
    ) -> dict[str, Receipt]:
        deadline = time.monotonic() + timeout
        pending = list(dict.fromkeys(hashes))
        settled: dict[str, Receipt] = {}
        pause = POLL_START
        last_send = time.monotonic()
        while pending:
            height = self.client.block_height()  # before the statuses: see `_expired`
            found = self.look_up(pending)
            still = []
            for outcome in found:
                if outcome.status in ("success", "failed"):
                    settled[outcome.tx_hash] = outcome
                elif outcome.status == "not-found" and self._expired(outcome.tx_hash, height):
                    settled[outcome.tx_hash] = Receipt(outcome.tx_hash, "expired")
                else:
                    still.append(outcome.tx_hash)
            if len(still) < len(pending) and progress is not None:
                progress(len(settled))
            pending = still
            if not pending or time.monotonic() >= deadline:
                break
            if time.monotonic() - last_send >= RESEND_EVERY:
                self._resend(pending)
                last_send = time.monotonic()
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, POLL_MAX)
        return settled

    def _expired(self, signature: str, height: int) -> bool:
        """Unseen at a block height past its blockhash's last: it can never land. (The
        height is read before the status, so a transaction that lands in between is seen.)"""
        sent = self._sent.get(signature)
        return sent is not None and height > sent[1]

    def _resend(self, signatures: Sequence[str]) -> None:
        for signature in signatures:
            sent = self._sent.get(signature)
            if sent is None:
                continue
            with contextlib.suppress(ChainError):  # the status poll says what became of it
                self.client.send(sent[0])

    def look_up(self, hashes: Sequence[str]) -> list[Receipt]:
        outcomes = []
        for start in range(0, len(hashes), MAX_SIGNATURES):
            chunk = hashes[start : start + MAX_SIGNATURES]
            for signature, status in zip(chunk, self.client.statuses(chunk), strict=True):
                if status is None:
                    outcomes.append(Receipt(signature, "not-found"))
                elif status.confirmation not in SETTLED:
                    outcomes.append(Receipt(signature, "pending"))
                elif status.failed:
                    outcomes.append(Receipt(signature, "failed", status.slot, status.error))
                else:
                    outcomes.append(Receipt(signature, "success", status.slot))
        return outcomes

    def nudge(self) -> None:
        return None

    def replacement(
        self, original: SentTransfer, kind: ReplaceKind, multiplier: Decimal, fees: FeeChoice
    ) -> Replacing:
        raise UnsupportedChain(
            "a Solana transaction cannot be replaced: one the network has not run within "
            "about a minute (its blockhash's life) never will, and 'wallet send' signs a new "
            "one for you when that happens"
        )

    def balance(self, address: str | None, asset: Asset) -> int:
        holder = address or self.sender
        if asset.contract is None:
            return self.client.balance(holder)
        account = transfer.associated_account(holder, self.mint(asset.contract))
        found = self.client.accounts([account])[0]
        if found is None or len(found.data) < transfer.TOKEN_ACCOUNT_SIZE:
            return 0
        return transfer.token_amount(found.data)

    def contract_flags(self, addresses: Sequence[str]) -> list[bool | None]:
        """An account that is not a wallet: a program (executable), or one a program other
        than the System Program owns (a mint, a token account, a stake account, a program's
        data). A wallet is owned by the System Program; one that does not exist yet is too."""
        try:
            found = self.client.accounts(list(addresses))
        except ChainError:
            return [None] * len(addresses)
        return [
            account is not None and (account.executable or account.owner != transfer.SYSTEM_PROGRAM)
            for account in found
        ]

    def close(self) -> None:
        self.client.close()
