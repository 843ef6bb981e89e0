"""Multisig on Bitcoin: m-of-n P2WSH (BIP-48) kept as a watch-only account of this home.

Cosigners exchange their BIP-48 keys (`wallet multisig btc-key`); each runs `multisig create`
with the others' keys. This wallet's own key is always a member: added when not given, so
one may pass either all keys or only the others'. The record (multisigs.json) keeps the
threshold, the keys, the two descriptors and the network; the descriptors are rebuilt from
the keys whenever the record is read, so an edited file is refused rather than trusted.
Its coins come from a bdk store of its own (the wallet's chains/ folder), synced like a
single-key account's. Chain work lives in chains/btc/multisig.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wallet_cli.errors import BadInput
from wallet_cli.multisig import network_of

if TYPE_CHECKING:
    from chains.base import Network
    from chains.btc.store import BitcoinStore
    from keystore.secret import Seed
    from wallet_cli.multisig import MultisigView
    from wallet_cli.psbts import PsbtResult
    from wallet_cli.store.config import Config
    from wallet_cli.transfer import Confirm
    from wallet_cli.wallet import Wallet

FIRST_ADDRESSES = 3  # shown at create, for every cosigner to compare on their own device


def _seed(wallet: Wallet, unlock: Callable[[], object]) -> Seed:
    from keystore.errors import WrongPassphrase
    from keystore.mnemonic import to_seed
    from keystore.secret import Mnemonic

    unlock()
    secret = wallet.unlocked_secret()
    if secret is None:
        raise WrongPassphrase(f"wallet '{wallet.name}' is locked")
    if not isinstance(secret, Mnemonic):
        raise BadInput("a single imported key has no BIP-48 key: multisig needs a seed wallet")
    return to_seed(secret)


def _bitcoin(network: Network) -> Any:
    from chains.btc.networks import bitcoin_network

    if network.family != "btc":
        raise BadInput("Bitcoin multisig is for Bitcoin networks: add --network bitcoin-…")
    return bitcoin_network(network.name)


def btc_key(wallet: Wallet, network: Network, unlock: Callable[[], object]) -> MultisigView:
    """This wallet's BIP-48 key with its origin, to hand to the other cosigners."""
    from chains.btc.multisig import own_key
    from wallet_cli.multisig import MultisigView

    key = own_key(_seed(wallet, unlock), _bitcoin(network)).text()
    return MultisigView({"network": network.name, "key": key}, [key])


def create(
    wallet: Wallet,
    network: Network,
    config: Config,
    *,
    name: str,
    threshold: int,
    members: list[str],
    unlock: Callable[[], object],
    confirm: Confirm,
) -> MultisigView:
    """Parse the cosigner keys, add this wallet's own if missing, build the descriptors and
    remember them under `name`; nothing is asked of the chain."""
    from chains.btc.multisig import addresses, descriptors, key_set, own_key, parse_key
    from wallet_cli.multisig import MultisigView
    from wallet_cli.store import multisigs
    from wallet_cli.store.home import validate_name

    validate_name(name)
    bitcoin = _bitcoin(network)
    given = [parse_key(text, bitcoin) for text in members]
    mine = own_key(_seed(wallet, unlock), bitcoin)
    added = mine.text() not in {k.text() for k in given}
    keys = [k.text() for k in key_set([*given, mine] if added else given, threshold)]
    pair = descriptors(threshold, keys, bitcoin)
    record = {
        "name": name,
        "chain": "btc",
        "network": network.name,
        "wallet": wallet.name,
        "threshold": threshold,
        "keys": keys,
        "own_key": mine.text(),
        "descriptors": list(pair),
    }
    multisigs.add(wallet.home, record)
    first = addresses(pair, bitcoin, FIRST_ADDRESSES)
    document = {**_public(record), "addresses": first, "own_key_added": added}
    lines = [
        f"multisig {name}: {threshold} of {len(keys)} on {network.name} (P2WSH, BIP-48)",
        *(f"  key {k}{'  (this wallet)' if k == mine.text() else ''}" for k in keys),
        f"receive: {pair[0]}",
        f"change:  {pair[1]}",
        "first addresses (compare them with every cosigner's own device):",
        *(f"  {i}: {a}" for i, a in enumerate(first)),
    ]
    return MultisigView(document, lines)


def _public(record: dict[str, Any]) -> dict[str, Any]:
    fields = ("name", "chain", "network", "threshold", "keys", "own_key", "descriptors")
    return {k: record[k] for k in fields}


def record_of(wallet: Wallet, network: Network, name: str) -> dict[str, Any]:
    """A Bitcoin multisig of this home on `network`, its descriptors checked against its
    keys and threshold (rebuilt by bdk): a record that disagrees is refused."""
    from chains.btc.multisig import descriptors, key_set, parse_key
    from wallet_cli.store import multisigs

    record = multisigs.load(wallet.home, name)
    if record.get("chain") != "btc":
        raise BadInput(f"multisig {name!r} is not a Bitcoin multisig")
    if record.get("network") != network.name:
        where = record.get("network")
        raise BadInput(f"multisig {name!r} is on {where!r}: add --network {where}")
    bitcoin = _bitcoin(network)
    try:
        threshold = int(record["threshold"])
        keys = [
            k.text() for k in key_set([parse_key(k, bitcoin) for k in record["keys"]], threshold)
        ]
        expected = list(descriptors(threshold, keys, bitcoin))
    except (KeyError, TypeError, ValueError):
        raise BadInput(f"multisig {name!r} in multisigs.json is malformed") from None
    if expected != record.get("descriptors") or keys != record["keys"]:
        raise BadInput(
            f"multisig {name!r} in multisigs.json: its descriptors do not match its keys and "
            "threshold; it was not used"
        )
    return record


def store_of(wallet: Wallet, record: dict[str, Any]) -> BitcoinStore:
    """The multisig's own watch-only store, in the wallet's chains/ folder."""
    from chains.btc.networks import bitcoin_network
    from chains.btc.store import BitcoinStore
    from wallet_cli.transfer import chain_state

    path = chain_state(wallet) / f"multisig-{record['network']}-{record['name']}.sqlite"
    pair = (str(record["descriptors"][0]), str(record["descriptors"][1]))
    return BitcoinStore.open(path, pair, bitcoin_network(str(record["network"])))


def synced_store(wallet: Wallet, network: Network, record: dict[str, Any]) -> BitcoinStore:
    from chains.btc import session as btc

    store = store_of(wallet, record)
    node = btc.backend(network)
    try:
        store.sync(node, deadline=btc.sync_deadline(network))
    finally:
        close = getattr(node, "close", None)
        if callable(close):
            close()
    return store


def signing_descriptors(
    wallet: Wallet, network: Network, record: dict[str, Any], unlock: Callable[[], object]
) -> tuple[str, str]:
    """The multisig's descriptors with this wallet's key private (after unlocking)."""
    from chains.btc.multisig import signing_descriptors as derive

    seed = _seed(wallet, unlock)
    return derive(seed, _bitcoin(network), int(record["threshold"]), list(record["keys"]))


def info(wallet: Wallet, network: Network, config: Config, record: dict[str, Any]) -> MultisigView:
    """Threshold, keys, first address and balance (the multisig's store, synced now)."""
    from chains.btc.multisig import addresses
    from chains.btc.networks import bitcoin_network
    from wallet_cli.multisig import MultisigView

    network = network_of(record, network, config)
    record = record_of(wallet, network, str(record["name"]))
    store = synced_store(wallet, network, record)
    pair = (str(record["descriptors"][0]), str(record["descriptors"][1]))
    first = addresses(pair, bitcoin_network(network.name), 1)[0]
    balance = store.balance()
    document = {**_public(record), "address": first, "balance_sats": balance}
    keys = record["keys"]
    lines = [
        f"multisig {record['name']}: {record['threshold']} of {len(keys)} on {network.name}",
        *(f"  key {k}{'  (this wallet)' if k == record['own_key'] else ''}" for k in keys),
        f"first address: {first}",
        f"balance: {balance} sat ({len(store.coins())} coin(s))",
    ]
    return MultisigView(document, lines)


# --- PSBTs on a multisig (wallet_cli/psbts.py dispatches here on --multisig) -------------


def inspect_psbt(
    wallet: Wallet, network: Network, data: str | bytes, name: str
) -> tuple[Any, Any, Any, str]:
    """(psbt, summary, watch wallet, first address) of a PSBT read against multisig `name`."""
    from dataclasses import replace

    from chains.btc import psbt as psbts
    from chains.btc.multisig import addresses, signed_vsize

    record = record_of(wallet, network, name)
    bitcoin = _bitcoin(network)
    pair = (str(record["descriptors"][0]), str(record["descriptors"][1]))
    psbt = psbts.load(data)
    watch = psbts.watch_wallet(pair, bitcoin)
    summary = psbts.summarize(psbt, watch, bitcoin)
    summary = replace(summary, vsize=signed_vsize(psbt, pair[0], bitcoin, len(summary.inputs)))
    return psbt, summary, watch, addresses(pair, bitcoin, 1)[0]


def build_psbt(
    wallet: Wallet, network: Network, name: str, recipient: str, sats: int, rate: int | None
) -> str:
    """An unsigned PSBT from the multisig's coins (bdk's coin selection, change to its
    change descriptor), carrying the witness script and every cosigner's derivation."""
    from chains.btc import session as btc

    record = record_of(wallet, network, name)
    store = store_of(wallet, record)
    node = btc.backend(network)
    try:
        store.sync(node, deadline=btc.sync_deadline(network))
        if not store.coins():
            raise BadInput(f"multisig {name!r} has no coins: fund its address first")
        chosen = rate or btc.quoted_fee_rate(network, node)
    finally:
        close = getattr(node, "close", None)
        if callable(close):
            close()
    return str(store.build([(recipient, sats)], chosen).serialize())


def sign_psbt(
    wallet: Wallet,
    network: Network,
    config: Config,
    found: Any,
    name: str,
    *,
    unlock: Callable[[], object],
    allow: frozenset[str],
    confirm: Confirm,
) -> PsbtResult:
    """Refuse a PSBT with any input outside multisig `name`; screen its foreign outputs;
    unlock; add this cosigner's signature to every input (all or none)."""
    from chains.btc.multisig import NotThisMultisig
    from chains.btc.multisig_sign import sign
    from wallet_cli.psbts import PsbtResult, hold_foreign, screen

    inputs = found.summary.inputs
    foreign = [i["outpoint"] for i in inputs if not i["mine"]]
    if not inputs or foreign:
        raise NotThisMultisig(
            f"input(s) {', '.join(foreign) or 'none'} spend no coin of multisig {name!r}: "
            "the PSBT is for another wallet or multisig; nothing was signed"
        )
    report = screen(
        wallet, network, config, found.summary, allow=allow, confirm=confirm, sender=found.sender
    )
    hold_foreign(wallet, network, config, found)  # a hold (holds.py) before the passphrase
    record = record_of(wallet, network, name)
    private = signing_descriptors(wallet, network, record, unlock)
    fingerprint = str(record["own_key"])[1:9]
    signed = sign(found.psbt, private, _bitcoin(network), fingerprint)
    return PsbtResult(found.psbt, found.summary, report, signed)
