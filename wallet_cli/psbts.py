"""The PSBT operations (BIP-174) as the library runs them: create, show, sign, combine,
finalize, broadcast, and the files they read and write.

Here rather than in the CLI so that the seed never passes through the command layer: signing
unlocks the wallet, derives the account's private descriptors and drops them with the call.
Every foreign output is screened before a PSBT is written or signed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.btc.psbt_sign import UnsignedInputs as UnsignedInputs

if TYPE_CHECKING:
    from chains.base import Network, PublicAccount
    from chains.btc.networks import BitcoinNetwork
    from chains.btc.psbt import PsbtSummary
    from wallet_cli.screening import Report
    from wallet_cli.store.config import Config
    from wallet_cli.transfer import Confirm
    from wallet_cli.wallet import Wallet

OFFLINE_FEE_RATE = 2  # sat/vB when coins are given by hand and no backend is asked


@dataclass(frozen=True)
class PsbtResult:
    """A PSBT after an operation, what it spends and pays, and the screening of its outputs."""

    psbt: Any  # bdk Psbt
    summary: PsbtSummary
    report: Report
    signed: int = 0  # inputs signed by this call (sign only)


def read(path: Path) -> bytes:
    """A PSBT file as base64 text or raw bytes (`psbt\\xff…`), refused past
    chains.btc.psbt.MAX_PSBT_TEXT (16 MiB)."""
    from chains.btc.psbt import MAX_PSBT_TEXT
    from keystore.files import read_limited

    return read_limited(path, MAX_PSBT_TEXT, "PSBT file")


def write(path: Path, psbt: Any, *, replace: bool, binary: bool) -> None:
    """Base64 text and a newline, or with `binary` the raw bytes; atomic either way.
    Without `replace` an existing file is never overwritten (`OutputExists`)."""
    from chains.btc.psbt import raw_bytes
    from wallet_cli.store.atomic import write_atomic, write_output

    data = raw_bytes(psbt) if binary else (str(psbt.serialize()) + "\n").encode()
    if replace:
        write_atomic(path, data)
        return
    write_output(path, data)


def account(wallet: Wallet, network: Network) -> tuple[PublicAccount, BitcoinNetwork]:
    """The wallet's native segwit (wpkh) account on `network`, which PSBTs are built for."""
    from chains.btc.networks import bitcoin_network
    from chains.registry import adapter_for
    from wallet_cli.errors import BadInput

    if network.family != "btc":
        raise BadInput("PSBTs are for Bitcoin networks: add --network bitcoin (or a test net)")
    key = adapter_for("btc").account_key(network, "wpkh")
    return wallet.chain(key).account, bitcoin_network(network.name)


def screen(
    wallet: Wallet,
    network: Network,
    config: Config,
    summary: PsbtSummary,
    *,
    allow: frozenset[str],
    confirm: Confirm,
    sender: str | None = None,
) -> Report:
    """Every output that is not this wallet's (or the multisig's) goes through screening
    before any signature, with the pipeline's own `enforce`."""
    from chains.base import Output, Preview
    from wallet_cli import screening
    from wallet_cli.screening.gather import gather
    from wallet_cli.transfer import enforce

    native = network.native
    foreign = tuple(
        Output(o.address, native, o.sats, o.address) for o in summary.outputs if not o.mine
    )
    if sender is None:
        public, _ = account(wallet, network)
        sender = wallet.addresses(public.account_key, [0])[0].address
    preview = Preview(network.name, None, sender, foreign, summary.fee or 0, native)
    report = screening.check(preview, gather(wallet.home, config, network, wallet, None))
    enforce(report, allow, confirm, preview)
    return report


@dataclass(frozen=True)
class Inspected:
    psbt: Any  # bdk Psbt
    summary: PsbtSummary
    watch: Any  # our watch wallet, which also finds our inputs by script when signing
    sender: str | None = None  # a multisig's first address (screening's sender)


def inspect(
    wallet: Wallet, network: Network, data: str | bytes, multisig: str | None = None
) -> Inspected:
    """A PSBT (base64 text or binary) read and explained against this wallet's scripts,
    or with `multisig` against that multisig's (wallet_cli/multisig_btc.py)."""
    from chains.btc import psbt as psbts

    if multisig is not None:
        from wallet_cli.multisig_btc import inspect_psbt

        psbt, summary, watch, sender = inspect_psbt(wallet, network, data, multisig)
        return Inspected(psbt, summary, watch, sender)
    public, bitcoin = account(wallet, network)
    assert public.descriptors is not None
    psbt = psbts.load(data)
    watch = psbts.watch_wallet(public.descriptors, bitcoin)
    return Inspected(psbt, psbts.summarize(psbt, watch, bitcoin), watch)


def create(
    wallet: Wallet,
    network: Network,
    config: Config,
    to: str,
    amount: str | int,
    *,
    utxos: Sequence[str] = (),
    fee_rate: int | None = None,
    allow: frozenset[str] = frozenset(),
    confirm: Confirm,
    fee_rate_confirmed: bool = False,
    out: Path | None = None,
    multisig: str | None = None,
) -> PsbtResult:
    """An unsigned PSBT paying `amount` (sat, or text: "0.001", "1500sat") to `to`, screened
    (RBF signalled, change to the wallet).

    Coins are `utxos` ("TXID:VOUT:SATS[:ADDRESS]", offline, 2 sat/vB by default) or the
    wallet's own from the backend (its fee quote, refused above `max-fee-rate`). Raises
    `BadInput` (no coins, fee rate, `out` already exists), `ScreeningBlocked` and
    `ScreeningNotConfirmed`. Writes nothing: `write` does, once the caller has shown it.
    With `multisig` the coins are that multisig's (its store) and change goes to it."""
    from chains.amounts import BTC_DECIMALS, BTC_UNITS, parse_amount
    from chains.btc import psbt as psbts
    from chains.btc import session as btc
    from chains.registry import adapter_for
    from wallet_cli.errors import BadInput
    from wallet_cli.transfer import chain_state
    from wallet_cli.transfer_inputs import check_fee_rate

    recipient = adapter_for("btc").parse_address(to, network)
    sats = (
        amount if isinstance(amount, int) else parse_amount(amount, BTC_DECIMALS, units=BTC_UNITS)
    )
    if fee_rate is not None:
        check_fee_rate(network, fee_rate, fee_rate_confirmed)
    if out is not None and out.exists():
        raise BadInput(f"{out} already exists; it was not overwritten")
    if multisig is not None:
        from wallet_cli.multisig_btc import build_psbt

        if utxos:
            raise BadInput("--utxo is for single-key PSBTs; a multisig spends from its store")
        rate = fee_rate
        text = build_psbt(wallet, network, multisig, recipient, sats, rate)
    elif utxos:  # offline: exactly the coins given, at 2 sat/vB unless told
        coins = [psbts.parse_coin(spec) for spec in utxos]
        public, _ = account(wallet, network)
        text = psbts.create(public, coins, recipient, sats, fee_rate or OFFLINE_FEE_RATE)
    else:  # the wallet's coins, synced into its store; bdk picks those needed
        public, _ = account(wallet, network)
        node = btc.backend(network)
        store = btc.open_store(public, chain_state(wallet))
        store.sync(node, deadline=btc.sync_deadline(network))
        if not store.coins():
            raise BadInput("no coins: give --utxo TXID:VOUT:SATS[:ADDRESS], or fund the wallet")
        rate = fee_rate or btc.quoted_fee_rate(network, node)
        text = str(store.build([(recipient, sats)], rate).serialize())
    found = inspect(wallet, network, text, multisig)
    report = screen(
        wallet, network, config, found.summary, allow=allow, confirm=confirm, sender=found.sender
    )
    return PsbtResult(found.psbt, found.summary, report)


def show(
    wallet: Wallet,
    network: Network,
    config: Config,
    data: str | bytes,
    multisig: str | None = None,
) -> PsbtResult:
    """Explain a PSBT against this wallet (or a multisig); a blocking finding is reported,
    not raised."""
    from wallet_cli import screening
    from wallet_cli.errors import ScreeningBlocked, ScreeningNotConfirmed

    found = inspect(wallet, network, data, multisig)
    psbt, summary = found.psbt, found.summary
    try:
        report = screen(
            wallet, network, config, summary, allow=frozenset(), confirm=lambda r, p: True,
            sender=found.sender,
        )  # fmt: skip
    except (ScreeningBlocked, ScreeningNotConfirmed) as exc:
        report = exc.report if isinstance(exc.report, screening.Report) else screening.Report()
    return PsbtResult(psbt, summary, report)


def sign(
    wallet: Wallet,
    network: Network,
    config: Config,
    data: str | bytes,
    *,
    unlock: Callable[[], object],
    allow: frozenset[str] = frozenset(),
    confirm: Confirm,
    multisig: str | None = None,
) -> PsbtResult:
    """Screen every foreign output, unlock, then sign the inputs this wallet owns (in memory).
    With `multisig`, every input must spend that multisig's coins (else `NotThisMultisig`)
    and this wallet's cosigner key signs each (wallet_cli/multisig_btc.py).

    Raises `NothingSigned` if no input is ours, `UnsignedInputs` (with `.signed` and
    `.unsigned`) if one of ours cannot be signed, an unsafe-sighash error before any
    unlock, and the screening errors; nothing is signed on any of them."""
    from chains.btc import psbt as psbts
    from chains.btc.psbt_inputs import inputs_of
    from chains.btc.psbt_map import parse
    from chains.btc.psbt_sign import check_sighashes

    if multisig is not None:
        from wallet_cli.multisig_btc import sign_psbt

        found = inspect(wallet, network, data, multisig)
        return sign_psbt(
            wallet, network, config, found, multisig, unlock=unlock, allow=allow, confirm=confirm
        )
    found = inspect(wallet, network, data)
    if not any(i["mine"] for i in found.summary.inputs):
        raise psbts.NothingSigned(
            "no input of this PSBT spends a coin of this wallet: nothing signed (a "
            "multisig's PSBT is signed with --multisig NAME)"
        )
    check_sighashes(inputs_of(parse(psbts.raw_bytes(found.psbt))))
    report = screen(wallet, network, config, found.summary, allow=allow, confirm=confirm)
    hold_foreign(wallet, network, config, found)
    unlock()
    _, bitcoin_network = account(wallet, network)
    private = private_descriptors(wallet, network, "wpkh")
    signed = psbts.sign(found.psbt, private, bitcoin_network, found.watch)
    return PsbtResult(found.psbt, found.summary, report, signed)


def hold_foreign(wallet: Wallet, network: Network, config: Config, found: Inspected) -> None:
    """The hold step (signing_holds.py): what the PSBT pays others, before the passphrase."""
    from chains.base import Output
    from wallet_cli.signing_holds import check_document, psbt_digest

    native = network.native
    paid = [
        Output(o.address, native, o.sats, o.address) for o in found.summary.outputs if not o.mine
    ]
    if found.sender is None:
        public, _ = account(wallet, network)
        sender = wallet.addresses(public.account_key, [0])[0].address
    else:
        sender = found.sender
    digest = psbt_digest(found.summary)
    check_document(wallet, network, config, paid, kind="psbt", digest=digest, sender=sender)


def private_descriptors(
    wallet: Wallet,
    network: Network,
    script: str,
    refusal: str = "a single imported key has no Bitcoin account",
) -> tuple[str, str]:
    """The unlocked wallet's external and internal descriptors with private keys (account 0).

    Raises `BadInput(refusal)` for a single imported key (it has no Bitcoin account) and
    `WrongPassphrase` if the wallet is still locked."""
    from chains.btc.keys import private_descriptors as derive
    from chains.btc.networks import bitcoin_network
    from keystore.errors import WrongPassphrase
    from keystore.mnemonic import to_seed
    from keystore.secret import Mnemonic
    from wallet_cli.errors import BadInput

    secret = wallet.unlocked_secret()
    if secret is None:
        raise WrongPassphrase(f"wallet '{wallet.name}' is locked")
    if not isinstance(secret, Mnemonic):
        raise BadInput(refusal)
    wallet.verify_public("btc")
    return derive(to_seed(secret), bitcoin_network(network.name), script, 0)


def combine(first: str | bytes, second: str | bytes) -> Any:
    """Merge the signatures of two copies of one PSBT; `InvalidPsbt` if they differ."""
    from chains.btc import psbt as psbts

    try:
        return psbts.load(first).combine(psbts.load(second))
    except psbts.InvalidPsbt:
        raise
    except Exception:
        raise psbts.InvalidPsbt("the two PSBTs are not copies of the same transaction") from None


def finalize(data: str | bytes) -> str:
    """The finalized raw transaction as hex; raises if an input lacks its signatures."""
    from chains.btc import psbt as psbts

    return psbts.finalize(psbts.load(data))


def broadcast(network: Network, data: str | bytes) -> str:
    """Finalize and send through the network's backend (Esplora or bitcoind); the txid."""
    from chains.btc.session import backend

    txid: str = backend(network).broadcast(finalize(data))
    return txid
