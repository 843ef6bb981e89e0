"""The Bitcoin side of the one pipeline (chains/session.py): every requested output goes in
one transaction (as Core's `sendmany`), built as a PSBT from this account's coins, signed
with the account's private descriptors, broadcast through the network's backend.

The backend is not trusted for fees: a rate it quotes above the network's `max-fee-rate`
(config.toml, default 500 sat/vB) is refused, exit 6. Bitcoin confirms in about ten minutes,
so awaiting looks once (is it in a block already?) and leaves the rest to `wallet tx status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from chains.base import Asset, Network, Output, Preview, PublicAccount
from chains.btc import psbt as psbts
from chains.btc.networks import BitcoinNetwork, bitcoin_network
from chains.errors import (
    ChainError,
    FeeAboveCeiling,
    InsufficientFunds,
    RpcError,
    UnknownToken,
    UnsupportedChain,
)
from chains.session import (
    FeeChoice,
    KeySource,
    Outcome,
    Plan,
    Progress,
    ReplaceKind,
    Replacing,
    SentTransfer,
    Signed,
)

SCAN_ADDRESSES = 20  # receive and change addresses asked of the backend for coins


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


def scan_addresses(public: PublicAccount) -> list[str]:
    """The first receive and change addresses, where this account's coins are looked for."""
    import bdkpython

    assert public.descriptors is not None
    assert public.network is not None
    watch = psbts.watch_wallet(public.descriptors, bitcoin_network(public.network))
    return [
        str(watch.peek_address(keychain, i).address)
        for keychain in (bdkpython.KeychainKind.EXTERNAL, bdkpython.KeychainKind.INTERNAL)
        for i in range(SCAN_ADDRESSES)
    ]


def coins(public: PublicAccount, node: Any) -> list[psbts.Coin]:
    found = node.utxos(scan_addresses(public))
    return [psbts.Coin(u.txid, u.vout, u.sats, u.address) for u in found]


def connect(network: Network, public: PublicAccount | None, sender: str) -> BtcSession:
    if public is not None and (public.descriptors is None or public.network is None):
        raise ChainError("this Bitcoin account has no descriptors in public data")
    return BtcSession(network, public, sender, backend(network))


def transaction_id(raw_hex: str) -> str:
    import bdkpython

    return str(bdkpython.Transaction(bytes.fromhex(raw_hex)).compute_txid())


class BtcSession:
    chain_id: int | None = None
    max_batch = 1  # a backend takes one transaction a request
    account_wide = f"first {SCAN_ADDRESSES} receive and change addresses"

    def __init__(
        self, network: Network, public: PublicAccount | None, sender: str, node: Any
    ) -> None:
        self.network = network
        self._public = public
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

    def replacement(
        self, original: SentTransfer, kind: ReplaceKind, multiplier: Decimal, fees: FeeChoice
    ) -> Replacing:
        if kind == "cancel":
            raise UnsupportedChain(
                "a Bitcoin payment cannot be cancelled by a 0-value transfer; bump its fee "
                "with 'wallet tx speed-up' (or 'wallet tx bump') instead"
            )
        raise UnsupportedChain("bumping a Bitcoin fee is not supported yet")

    def balance(self, address: str | None, asset: Asset) -> int:
        if address is not None:
            return sum(u.sats for u in self.node.utxos([address]))
        return sum(coin.sats for coin in coins(self.public, self.node))

    def asset(self, contract: str | None) -> Asset:
        if contract is not None:
            raise UnknownToken("Bitcoin has no tokens: leave out --token")
        return self.network.native

    def plan(self, outputs: Sequence[Output], fees: FeeChoice) -> list[Plan]:
        if fees.max_fee_per_gas or fees.priority_fee or fees.legacy or fees.gas_limit:
            raise UnsupportedChain("gas settings are for EVM networks; on Bitcoin give --fee-rate")
        if len(outputs) != 1:
            raise UnsupportedChain("a Bitcoin transfer pays one output for now")
        output = outputs[0]
        available = (
            [psbts.parse_coin(spec) for spec in fees.coins]
            if fees.coins
            else coins(self.public, self.node)
        )
        if not available:
            raise InsufficientFunds("the backend reports no coins at this wallet's addresses")
        rate = fees.fee_rate or quoted_fee_rate(self.network, self.node)
        text = psbts.create(self.public, available, output.recipient, output.amount, rate)
        psbt = psbts.load(text)
        assert self.public.descriptors is not None
        watch = psbts.watch_wallet(self.public.descriptors, self.bitcoin)
        summary = psbts.summarize(psbt, watch, self.bitcoin)
        preview = Preview(
            self.network.name, None, self.sender, tuple(outputs), summary.fee or 0,
            self.network.native,
        )  # fmt: skip
        return [Plan(preview, psbt, tuple(range(len(outputs))))]

    def sign(self, plans: Sequence[Plan], keys: KeySource) -> list[Signed]:
        from chains.btc.keys import private_descriptors

        script = "tr" if self.public.account_key.endswith(":tr") else "wpkh"
        private = private_descriptors(keys.seed(), self.bitcoin, script, 0)
        signed = []
        for plan in plans:
            psbts.sign(plan.body, private, self.bitcoin)
            raw = psbts.finalize(plan.body)
            signed.append(Signed(transaction_id(raw), raw))
        return signed

    def broadcast(self, signed: Sequence[Signed]) -> list[str | None]:
        refusals: list[str | None] = []
        for one in signed:
            try:
                self.node.broadcast(one.raw)
            except RpcError as exc:
                refusals.append(exc.message)
            else:
                refusals.append(None)
        return refusals

    def await_outcomes(
        self, hashes: Sequence[str], timeout: float, progress: Progress | None = None
    ) -> dict[str, Outcome]:
        """One look, no waiting for a block: those already mined. A failed look after a
        broadcast is not an error (the payment is out): the transfer stays pending."""
        try:
            found = self.look_up(hashes)
        except ChainError:
            return {}
        return {o.tx_hash: o for o in found if o.status in ("success", "failed")}

    def look_up(self, hashes: Sequence[str]) -> list[Outcome]:
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
