"""Bitcoin PSBT steps as the wallet runs them: pick the account, screen every foreign
output through the same screening as EVM transfers, then build or sign.

The backend is not trusted for fees: a fee rate it quotes above the network's
`max-fee-rate` (config.toml, default 500 sat/vB) is refused, exit 6. A rate given with
`--fee-rate` is the user's: above the ceiling it needs `--yes` (almost surely a typo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chains.base import Network, Output, Preview, PublicAccount
from chains.btc import psbt as psbts
from chains.btc.networks import BitcoinNetwork, bitcoin_network
from chains.errors import FeeAboveCeiling
from chains.registry import adapter_for
from wallet_cli import screening
from wallet_cli.errors import BadInput
from wallet_cli.screening.gather import gather
from wallet_cli.store.config import Config
from wallet_cli.transfer import Confirm, enforce
from wallet_cli.wallet import Wallet


def account(wallet: Wallet, network: Network) -> tuple[PublicAccount, BitcoinNetwork]:
    if network.family != "btc":
        raise BadInput("PSBTs are for Bitcoin networks: add --network bitcoin (or a test net)")
    key = adapter_for("btc").account_key(network, "wpkh")
    return wallet.chain(key).account, bitcoin_network(network.name)


def screen(
    wallet: Wallet,
    network: Network,
    config: Config,
    summary: psbts.PsbtSummary,
    *,
    allow: frozenset[str],
    confirm: Confirm,
) -> screening.Report:
    """Every output that is not this wallet's goes through screening before any signature."""
    native = network.native
    foreign = tuple(
        Output(o.address, native, o.sats, o.address) for o in summary.outputs if not o.mine
    )
    sender = wallet.addresses(adapter_for("btc").account_key(network, "wpkh"), [0])[0].address
    preview = Preview(network.name, None, sender, foreign, summary.fee or 0, native)
    report = screening.check(preview, gather(wallet.home, config, network, wallet, None))
    enforce(report, allow, confirm, preview)
    return report


@dataclass(frozen=True)
class Inspected:
    psbt: Any  # bdk Psbt
    summary: psbts.PsbtSummary
    watch: Any  # our watch wallet, which also finds our inputs by script when signing


def inspect(wallet: Wallet, network: Network, data: str | bytes) -> Inspected:
    """A PSBT (base64 text or binary) read and explained against this wallet's scripts."""
    public, bitcoin = account(wallet, network)
    assert public.descriptors is not None
    psbt = psbts.load(data)
    watch = psbts.watch_wallet(public.descriptors, bitcoin)
    return Inspected(psbt, psbts.summarize(psbt, watch, bitcoin), watch)


def summary_of(
    wallet: Wallet, network: Network, data: str | bytes
) -> tuple[Any, psbts.PsbtSummary]:
    found = inspect(wallet, network, data)
    return found.psbt, found.summary


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


def check_fee_rate(network: Network, rate: int, confirmed: bool) -> None:
    """A `--fee-rate` the user gave: at least 1, and above `max-fee-rate` only with --yes."""
    ceiling = network.limits.max_fee_rate
    if rate < 1:
        raise BadInput("--fee-rate must be at least 1 sat/vB")
    if rate > ceiling and not confirmed:
        raise BadInput(
            f"--fee-rate {rate} sat/vB is above max-fee-rate {ceiling}: almost surely a typo; "
            "pass --yes if you mean it"
        )


def scan_addresses(wallet: Wallet, network: Network) -> list[str]:
    """The first receive and change addresses, where this wallet's coins are looked for."""
    import bdkpython

    public, bitcoin_net = account(wallet, network)
    assert public.descriptors is not None
    receive = [a.address for a in wallet.addresses(public.account_key, range(SCAN_ADDRESSES))]
    watch = psbts.watch_wallet(public.descriptors, bitcoin_net)
    change = [
        str(watch.peek_address(bdkpython.KeychainKind.INTERNAL, i).address)
        for i in range(SCAN_ADDRESSES)
    ]
    return receive + change


def coins(wallet: Wallet, network: Network) -> list[psbts.Coin]:
    found = backend(network).utxos(scan_addresses(wallet, network))
    return [psbts.Coin(u.txid, u.vout, u.sats, u.address) for u in found]


@dataclass
class BitcoinSend:
    network: str
    sender: str
    to: str
    sats: int
    report: screening.Report
    txid: str | None
    raw: str
    fee: int | None
    status: str
    unit: str = "BTC"

    def to_json(self) -> dict[str, Any]:
        from chains.amounts import format_amount

        document: dict[str, Any] = {
            "network": self.network,
            "chain": "btc",
            "from": self.sender,
            "to": self.to,
            "amount": format_amount(self.sats, 8),
            "unit": self.unit,
            "tx_hash": self.txid,
            "status": self.status,
            "block": None,
            "screening": self.report.to_json(),
            "fee_sats": self.fee,
        }
        if self.status == "not-broadcast":
            document["raw_transaction"] = self.raw
        return document


def send(
    wallet: Wallet,
    network: Network,
    config: Config,
    *,
    to: str,
    sats: int,
    fee_rate: int | None,
    dry_run: bool,
    allow: frozenset[str],
    confirm: Confirm,
    unlock: Callable[[], object],
) -> BitcoinSend:
    """create, show (screen), sign, finalize and broadcast, in one."""
    from chains.btc.keys import private_descriptors
    from keystore.mnemonic import to_seed
    from keystore.secret import Mnemonic
    from wallet_cli.store.history import History

    public, bitcoin_net = account(wallet, network)
    recipient = adapter_for("btc").parse_address(to, network)
    node = backend(network)
    available = coins(wallet, network)
    if not available:
        from chains.errors import InsufficientFunds

        raise InsufficientFunds("the backend reports no coins at this wallet's addresses")
    rate = fee_rate or quoted_fee_rate(network, node)
    text = psbts.create(public, available, recipient, sats, rate)
    psbt, summary = summary_of(wallet, network, text)
    report = screen(wallet, network, config, summary, allow=allow, confirm=confirm)
    secret = unlock()
    if not isinstance(secret, Mnemonic):
        raise BadInput("a single imported key has no Bitcoin account")
    psbts.sign(psbt, private_descriptors(to_seed(secret), bitcoin_net, "wpkh", 0), bitcoin_net)
    raw = psbts.finalize(psbt)
    sender = wallet.addresses(public.account_key, [0])[0].address
    result = BitcoinSend(
        network.name,
        sender,
        recipient,
        sats,
        report,
        None,
        raw,
        summary.fee,
        "not-broadcast",
        network.native.symbol,
    )
    history = History(wallet.home, wallet.name)
    entry = {
        "event": "signed",
        "network": network.name,
        "from": sender,
        "to": recipient,
        "amount": result.to_json()["amount"],
        "amount_base": str(sats),
        "unit": result.unit,
        "token": None,
        "raw": raw,
        "dry_run": dry_run,
        "screening": report.verdict,
    }
    txid = _txid(raw)
    result.txid = txid
    history.append({**entry, "tx_hash": txid})
    if dry_run:
        return result
    result.txid = node.broadcast(raw) or txid
    history.append({"event": "broadcast", "tx_hash": txid})
    result.status = "pending"
    return result


def _txid(raw_hex: str) -> str:
    import bdkpython

    return str(bdkpython.Transaction(bytes.fromhex(raw_hex)).compute_txid())


def balance(wallet: Wallet, network: Network) -> int:
    return sum(coin.sats for coin in coins(wallet, network))
