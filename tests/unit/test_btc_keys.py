"""Bitcoin accounts: BIP-84 and BIP-86 published vectors (tests/vectors/bip84.json,
bip86.json), descriptors, and address validation per network."""

from __future__ import annotations

from typing import Any

import pytest

from chains import base58
from chains.base import Network
from chains.bip32 import XPRV_VERSION, XPUB_VERSION, ExtendedPrivateKey
from chains.btc.adapter import BtcAdapter
from chains.btc.address import parse
from chains.btc.keys import private_descriptors, public_accounts
from chains.btc.networks import NETWORKS
from chains.errors import InvalidAddress
from keystore.mnemonic import parse as parse_mnemonic
from keystore.mnemonic import to_seed
from tests.conftest import load_vectors

BIP84 = load_vectors("bip84.json")
BIP86 = load_vectors("bip86.json")
SEED = to_seed(parse_mnemonic(BIP84["mnemonic"]))
ACCOUNTS = {a.key: a for a in public_accounts(SEED, 0)}
ADAPTER = BtcAdapter()


def as_x(zkey: str, version: bytes) -> str:
    """BIP-84 prints zprv/zpub; the same key with the xprv/xpub version bytes."""
    return base58.encode_check(version + base58.decode_check(zkey)[4:])


def wif(secret: bytes) -> str:
    return base58.encode_check(b"\x80" + secret + b"\x01")


def derived(account_key: str, chain: int, index: int) -> str:
    account = ACCOUNTS[account_key]
    assert account.descriptors is not None
    public = type(account)(
        account.family,
        account.path,
        account.xpub,
        key=account.key,
        network=account.network,
        descriptors=(account.descriptors[chain], account.descriptors[chain]),
    )
    return ADAPTER.addresses(public, [index])[0].address


def test_bip84_account_key_and_addresses() -> None:
    account = ACCOUNTS["btc:bitcoin:wpkh"]
    assert account.path == BIP84["account_path"]
    assert account.xpub == as_x(BIP84["account_xpub"], XPUB_VERSION)
    root = ExtendedPrivateKey.from_seed(SEED.reveal())
    assert root.serialize() == as_x(BIP84["root_xprv"], XPRV_VERSION)
    for vector in BIP84["vectors"]:
        chain = 0 if vector["keychain"] == "external" else 1
        assert derived("btc:bitcoin:wpkh", chain, vector["index"]) == vector["address"]
        node = root.derive(vector["path"])
        assert node.public_key().hex() == vector["pubkey"]
        assert wif(node.private_key) == vector["privkey"]


def test_bip86_account_key_and_addresses() -> None:
    account = ACCOUNTS["btc:bitcoin:tr"]
    assert account.path == BIP86["account_path"]
    assert account.xpub == BIP86["account_xpub"]
    for vector in BIP86["vectors"]:
        chain = 0 if vector["keychain"] == "external" else 1
        assert derived("btc:bitcoin:tr", chain, vector["index"]) == vector["address"]


def test_every_network_has_both_scripts_with_the_right_coin_type() -> None:
    assert set(ACCOUNTS) == {f"btc:{n}:{s}" for n in NETWORKS for s in ("wpkh", "tr")}
    assert ACCOUNTS["btc:bitcoin-testnet:wpkh"].path == "m/84'/1'/0'"
    assert ACCOUNTS["btc:bitcoin-testnet:wpkh"].xpub.startswith("tpub")
    assert derived("btc:bitcoin-testnet:wpkh", 0, 0).startswith("tb1q")
    assert derived("btc:bitcoin-signet:tr", 0, 0).startswith("tb1p")
    assert derived("btc:bitcoin-regtest:wpkh", 0, 0).startswith("bcrt1q")


def test_descriptors_carry_origin_and_checksum() -> None:
    external, internal = ACCOUNTS["btc:bitcoin:wpkh"].descriptors or ("", "")
    assert external.startswith("wpkh([73c5da0a/84'/0'/0']xpub")
    assert external.endswith("/0/*)#wc3n3van")
    assert "/1/*)#" in internal
    secret_external, _ = private_descriptors(SEED, NETWORKS["bitcoin"], "wpkh", 0)
    assert "xprv" in secret_external
    assert secret_external.split("#")[0].replace("/0/*)", "") != external.split("#")[0]


def test_private_descriptor_key_is_the_account_xprv() -> None:
    secret_external, _ = private_descriptors(SEED, NETWORKS["bitcoin"], "wpkh", 0)
    assert as_x(BIP84["account_xprv"], XPRV_VERSION) in secret_external


MAINNET = NETWORKS["bitcoin"]
TESTNET = NETWORKS["bitcoin-testnet"]
P2WPKH = BIP84["vectors"][0]["address"]
P2TR = BIP86["vectors"][0]["address"]


@pytest.mark.parametrize(
    "address",
    [
        P2WPKH,
        P2TR,
        P2WPKH.upper(),
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    ],
)
def test_valid_mainnet_addresses(address: str) -> None:
    assert parse(f" {address} ", MAINNET) == (address.lower() if address.isupper() else address)


@pytest.mark.parametrize(
    ("address", "network", "needle"),
    [
        (derived("btc:bitcoin-testnet:wpkh", 0, 0), MAINNET, "test-network address"),
        (P2WPKH, TESTNET, "mainnet address"),
        ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", MAINNET, "EVM address"),
        (P2WPKH[:-1] + ("q" if P2WPKH[-1] != "q" else "p"), MAINNET, "not a valid"),
        (P2WPKH[:10] + "\u200b" + P2WPKH[10:], MAINNET, "character 11"),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", MAINNET, "not a valid"),
        ("", MAINNET, "not a valid"),
    ],
)
def test_invalid_addresses(address: str, network: Any, needle: str) -> None:
    with pytest.raises(InvalidAddress, match=needle):
        parse(address, network)


def test_adapter_account_key_and_parse() -> None:
    bitcoin = Network("bitcoin", "btc")
    assert ADAPTER.account_key(bitcoin, None) == "btc:bitcoin:wpkh"
    assert ADAPTER.account_key(bitcoin, "tr") == "btc:bitcoin:tr"
    assert ADAPTER.parse_address(P2TR, bitcoin) == P2TR
