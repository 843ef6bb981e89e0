"""The Bitcoin side of the one pipeline (chains/session.py): every requested output goes in
one transaction (as Core's `sendmany`), built as a PSBT by bdk from this account's coins
(its persisted store, chains/btc/store.py: synced before each plan, coin selection, change
to the internal keychain), signed with the account's private descriptors (wpkh or tr),
broadcast through the network's backend and noted in the store. A speed-up is a fee bump
(RBF) of the same payment.

The backend is not trusted for fees: a rate it quotes above the network's `max-fee-rate`
(config.toml, default 500 sat/vB) is refused, exit 6. Bitcoin confirms in about ten minutes,
so awaiting looks once (is it in a block already?) and leaves the rest to `wallet tx status`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.base import Asset, Network, Output, Preview, PublicAccount
from chains.btc import psbt as psbts
from chains.btc.networks import BitcoinNetwork, bitcoin_network
from chains.errors import (
    ChainError,
    FeeAboveCeiling,
    RpcError,
    UnknownToken,
    UnsupportedChain,
)

if TYPE_CHECKING:
    from chains.btc.store import BitcoinStore

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


def backend(network: Network) -> Any:
    from chains.btc.backends import backend_for

    return backend_for(network.backend, network.rpc_url, network.limits.rpc_timeout)


def quoted_fee_rate(network: Network, node: Any, blocks: int = 2) -> int:
    """The backend's fee rate for `blocks`, refused above the network's `max-fee-rate`."""
    rate: int = node.fee_rate(blocks)
    ceiling = network.limits.max_fee_rate
    if rate > ceiling:
        raise FeeAboveCeiling(
            f"the backend quotes {rate} sat/vB, above max-fee-rate {ceiling} sat/vB for "
            f"network {network.name!r}: nothing was signed; if the fee is real, give "
            f"--fee-rate (with --yes above the ceiling) or raise max-fee-rate in config.toml "
            f"[networks.{network.name}]"
        )
    return rate


def sync_deadline(network: Network) -> float:
    """How long a whole sync may take: ten of the network's per-call `rpc-timeout`, at least
    30 s (a full scan asks about 40 addresses; bitcoind's scantxoutset has its own, longer
    bound because it reads the whole UTXO set)."""
    return max(30.0, network.limits.rpc_timeout * 10)


def open_store(public: PublicAccount, state: Path | None) -> BitcoinStore:
    """The account's store in `state` (bdk's SQLite file), or a fresh one in a temporary
    folder when there is none (a script's read, a test)."""
    import tempfile

    from chains.btc.store import BitcoinStore

    assert public.descriptors is not None
    assert public.network is not None
    folder = state or Path(tempfile.mkdtemp(prefix="wallet-btc-"))
    name = public.account_key.replace(":", "-") + ".sqlite"
    return BitcoinStore.open(folder / name, public.descriptors, bitcoin_network(public.network))


def connect(
    network: Network, public: PublicAccount | None, sender: str, state: Path | None = None
) -> BtcSession:
    if public is not None and (public.descriptors is None or public.network is None):
        raise ChainError("this Bitcoin account has no descriptors in public data")
    return BtcSession(network, public, sender, backend(network), state)


def transaction_id(raw_hex: str) -> str:
    import bdkpython

    return str(bdkpython.Transaction(bytes.fromhex(raw_hex)).compute_txid())


class BtcSession:
    chain_id: int | None = None
    max_batch = 1  # a backend takes one transaction a request
    account_wide = "its receive and change addresses, synced with a stop gap of 20"

    def __init__(
        self,
        network: Network,
        public: PublicAccount | None,
        sender: str,
        node: Any,
        state: Path | None = None,
    ) -> None:
        self.network = network
        self._public = public
        self._state = state
        self._store: BitcoinStore | None = None
        self.sender = sender
        self.node = node
        self.bitcoin: BitcoinNetwork = bitcoin_network(network.name)
        account = public.account_key if public is not None else "none"
        self.lock_name = f"btc-{network.name}-{account.replace(':', '-')}"

    @property
    def public(self) -> PublicAccount:
        if self._public is None:
            raise UnsupportedChain("this session reads only: open it with a wallet to send")
        return self._public

    def store(self) -> BitcoinStore:
        """The account's store, synced with the backend once per session."""
        if self._store is None:
            self._store = open_store(self.public, self._state)
            self._store.sync(self.node, deadline=sync_deadline(self.network))
        return self._store

    def replacement(
        self, original: SentTransfer, kind: ReplaceKind, multiplier: Decimal, fees: FeeChoice
    ) -> Replacing:
        """A fee bump (BIP-125 RBF, bdk's fee-bump builder) of our unconfirmed `original`:
        the same recipients, the fee taken from change. A cancel has no Bitcoin form."""
        if kind == "cancel":
            raise UnsupportedChain(
                "a Bitcoin payment cannot be cancelled by a 0-value transfer; bump its fee "
                "with 'wallet tx bump TXID --fee-rate N' instead"
            )
        if fees.max_fee_per_gas or fees.priority_fee:
            raise UnsupportedChain("gas settings are for EVM networks; on Bitcoin give --fee-rate")
        store = self.store()
        before = store.transaction(original.tx_hash)
        paid = before.fee_rate
        rate = fees.fee_rate
        if rate is None:
            if paid is None:
                raise UnsupportedChain(
                    f"the fee of {original.tx_hash} is not known: give --fee-rate"
                )
            # BIP-125 asks the replacement to pay more than the original by at least the
            # relay fee for its own size: about +1 sat/vB.
            rate = max(math.ceil(paid * multiplier), math.ceil(paid) + 1)
            ceiling = self.network.limits.max_fee_rate
            if rate > ceiling:
                raise FeeAboveCeiling(
                    f"the bumped fee rate would be {rate} sat/vB, above max-fee-rate {ceiling} "
                    f"for network {self.network.name!r}: nothing was signed; give --fee-rate "
                    "(with --yes above the ceiling)"
                )
        psbt = store.build_bump(original.tx_hash, rate)
        after = psbts.summarize(psbt, store.wallet, self.bitcoin)
        outputs = tuple(
            Output(o.address, self.network.native, o.sats, o.address)
            for o in after.outputs
            if not o.mine
        )
        was = f"{paid:.1f}" if paid is not None else "?"
        return Replacing(
            UnsignedTx(self._preview(psbt, outputs), psbt, tuple(range(len(outputs)))),
            None,
            f"fee rate {was} sat/vB -> {rate} sat/vB (fee {before.fee} -> {after.fee} sat)",
            {
                "fee_rate": str(rate),
                "previous_fee_rate": was,
                "fee_sats": str(after.fee),
                "previous_fee_sats": str(before.fee),
            },
        )

    def balance(self, address: str | None, asset: Asset) -> int:
        if address is not None:
            return sum(u.sats for u in self.node.utxos([address]))
        return self.store().balance()

    def asset(self, contract: str | None) -> Asset:
        if contract is not None:
            raise UnknownToken("Bitcoin has no tokens: leave out --token")
        return self.network.native

    def build(self, outputs: Sequence[Output], fees: FeeChoice) -> list[UnsignedTx]:
        if fees.max_fee_per_gas or fees.priority_fee or fees.legacy or fees.gas_limit:
            raise UnsupportedChain("gas settings are for EVM networks; on Bitcoin give --fee-rate")
        if any(o.asset.contract is not None for o in outputs):
            raise UnknownToken("Bitcoin has no tokens: leave out --token")
        store = self.store()
        chosen = self._chosen(store, fees.coins) if fees.coins else None
        rate = fees.fee_rate or quoted_fee_rate(self.network, self.node)
        wanted = [(o.recipient, o.amount) for o in outputs]
        psbt = store.build(wanted, rate, chosen)
        return [UnsignedTx(self._preview(psbt, tuple(outputs)), psbt, tuple(range(len(outputs))))]

    def _chosen(self, store: BitcoinStore, specs: Sequence[str]) -> list[psbts.Coin]:
        """Coin control: `txid:vout` of coins in the store (an amount, if given, must match)."""
        held = {coin.outpoint: coin for coin in store.coins()}
        chosen = []
        for spec in specs:
            parts = spec.strip().split(":")
            outpoint = ":".join(parts[:2]).lower()
            coin = held.get(outpoint)
            if coin is None or (len(parts) > 2 and parts[2] != str(coin.sats)):
                raise psbts.InvalidCoin(f"coin {spec[:80]!r} is not an unspent coin of this wallet")
            chosen.append(coin)
        return chosen

    def _preview(self, psbt: Any, outputs: tuple[Output, ...]) -> Preview:
        summary = psbts.summarize(psbt, self.store().wallet, self.bitcoin)
        return Preview(
            self.network.name, None, self.sender, outputs, summary.fee or 0, self.network.native
        )

    def sign(self, plans: Sequence[UnsignedTx], keys: KeyProvider) -> list[SignedTx]:
        from chains.btc.keys import private_descriptors

        script = "tr" if self.public.account_key.endswith(":tr") else "wpkh"
        private = private_descriptors(keys.seed(), self.bitcoin, script, 0)
        signed = []
        for plan in plans:
            self.store().sign(plan.body, private)
            raw = psbts.finalize(plan.body)
            signed.append(SignedTx(transaction_id(raw), raw))
        return signed

    def broadcast(self, signed: Sequence[SignedTx]) -> list[str | None]:
        refusals: list[str | None] = []
        for one in signed:
            try:
                self.node.broadcast(one.raw)
            except RpcError as exc:
                refusals.append(exc.message)
            else:
                refusals.append(None)
                if self._store is not None:
                    self._store.note_sent(one.raw)
        return refusals

    def wait(
        self, hashes: Sequence[str], timeout: float, progress: Progress | None = None
    ) -> dict[str, Receipt]:
        """One look, no waiting for a block: those already mined. A failed look after a
        broadcast is not an error (the payment is out): the transfer stays pending."""
        try:
            found = self.look_up(hashes)
        except ChainError:
            return {}
        return {o.tx_hash: o for o in found if o.status in ("success", "failed")}

    def look_up(self, hashes: Sequence[str]) -> list[Receipt]:
        from chains.btc.tx_status import status

        return [status(self.node, tx_hash) for tx_hash in hashes]

    def nudge(self) -> None:
        return None

    def contract_flags(self, addresses: Sequence[str]) -> list[bool | None]:
        return [False] * len(addresses)  # Bitcoin addresses are never contracts

    def close(self) -> None:
        close = getattr(self.node, "close", None)
        if callable(close):
            close()
