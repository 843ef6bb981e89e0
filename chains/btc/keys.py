"""BIP-84 (native segwit, `wpkh`) and BIP-86 (taproot, `tr`) accounts as descriptors.

The account key m/purpose'/coin'/0' is derived from the vault's seed by our BIP-32 code;
bdkpython turns the descriptors into addresses and checksums (BIP-380). Public descriptors
carry the key origin ([fingerprint/84h/0h/0h]) so Bitcoin Core, Sparrow and Electrum can
import them watch-only and sign PSBTs for them.
"""

from __future__ import annotations

from chains.base import PublicAccount
from chains.bip32 import (
    HARDENED,
    TESTNET_XPRV_VERSION,
    TESTNET_XPUB_VERSION,
    XPRV_VERSION,
    XPUB_VERSION,
    ExtendedPrivateKey,
)
from chains.btc.networks import NETWORKS, SCRIPTS, BitcoinNetwork
from keystore.secret import Seed


def account_key(network: str, script: str) -> str:
    return f"btc:{network}:{script}"


def _descriptor_pair(
    script: str, origin: str, key: str, network: BitcoinNetwork, *, secret: bool = False
) -> tuple[str, str]:
    """(external, internal) descriptors with checksums, as bdk prints them."""
    import bdkpython

    pair = []
    for chain in (0, 1):
        descriptor = bdkpython.Descriptor(
            f"{script}([{origin}]{key}/{chain}/*)", network.bdk_kind()
        )
        pair.append(descriptor.to_string_with_secret() if secret else str(descriptor))
    return pair[0], pair[1]


def account_node(
    seed: Seed, network: BitcoinNetwork, script: str, account: int
) -> tuple[ExtendedPrivateKey, str]:
    purpose = SCRIPTS[script]
    root = ExtendedPrivateKey.from_seed(seed.reveal())
    node = root.derive((purpose + HARDENED, network.coin_type + HARDENED, account + HARDENED))
    origin = f"{root.fingerprint().hex()}/{purpose}h/{network.coin_type}h/{account}h"
    return node, origin


def public_accounts(seed: Seed, account: int) -> list[PublicAccount]:
    """Every (network, script) account: mainnet and test networks differ in coin type and
    in how addresses print, so each network has its own entry."""
    accounts = []
    for script in SCRIPTS:
        for mainnet in (True, False):
            sample = next(n for n in NETWORKS.values() if n.mainnet == mainnet)
            node, origin = account_node(seed, sample, script, account)
            version = XPUB_VERSION if mainnet else TESTNET_XPUB_VERSION
            xpub = node.neuter().serialize(version)
            for network in (n for n in NETWORKS.values() if n.mainnet == mainnet):
                accounts.append(
                    PublicAccount(
                        family="btc",
                        path=f"m/{SCRIPTS[script]}'/{network.coin_type}'/{account}'",
                        xpub=xpub,
                        key=account_key(network.name, script),
                        network=network.name,
                        descriptors=_descriptor_pair(script, origin, xpub, network),
                    )
                )
    return accounts


def private_descriptors(
    seed: Seed, network: BitcoinNetwork, script: str, account: int
) -> tuple[str, str]:
    node, origin = account_node(seed, network, script, account)
    version = XPRV_VERSION if network.mainnet else TESTNET_XPRV_VERSION
    return _descriptor_pair(script, origin, node.serialize(version), network, secret=True)
