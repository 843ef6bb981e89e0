"""BIP-48 cosigner keys and wsh(sortedmulti) descriptors (chains/btc/multisig.py): this
seed's key against bdk's own derivation from the mnemonic, every refused key form, and
descriptors that do not depend on the order the keys are given in."""

from __future__ import annotations

import pytest

from chains import base58
from chains.bip32 import TESTNET_XPRV_VERSION
from chains.btc.multisig import (
    InvalidMultisig,
    descriptors,
    key_set,
    own_key,
    parse_key,
    signing_descriptors,
)
from chains.btc.networks import NETWORKS, BitcoinNetwork
from keystore.mnemonic import parse as parse_mnemonic
from keystore.mnemonic import to_seed

REGTEST = NETWORKS["bitcoin-regtest"]
MAINNET = NETWORKS["bitcoin"]
PHRASES = [
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "cat swing flag economy stadium alone churn speed unique patch report train",
    "legal winner thank year wave sausage worth useful legal winner thank year wave sausage "
    "worth useful legal will",
]
SEEDS = [to_seed(parse_mnemonic(p)) for p in PHRASES]


def bdk_key(phrase: str, mainnet: bool) -> str:
    import bdkpython as bdk

    kind = bdk.NetworkKind.MAIN if mainnet else bdk.NetworkKind.TEST
    secret = bdk.DescriptorSecretKey(kind, bdk.Mnemonic.from_string(phrase), None)
    coin = 0 if mainnet else 1
    return str(secret.derive(bdk.DerivationPath(f"m/48'/{coin}'/0'/2'")).as_public())


@pytest.mark.parametrize("network", [REGTEST, MAINNET], ids=["regtest", "mainnet"])
def test_own_key_matches_bdk(network: BitcoinNetwork) -> None:
    for seed, phrase in zip(SEEDS, PHRASES, strict=True):
        key = own_key(seed, network).text()
        assert key == bdk_key(phrase, network.mainnet)
        assert parse_key(key, network).text() == key


def refused(text: str) -> bool:
    try:
        parse_key(text, REGTEST)
    except InvalidMultisig:
        return True
    return False


def test_refused_key_forms() -> None:
    good = own_key(SEEDS[0], REGTEST).text()
    fingerprint, xpub = good[1:9], good.split("]")[1]
    private = base58.encode_check(TESTNET_XPRV_VERSION + base58.decode_check(xpub)[4:])
    bad = {
        "no origin": xpub,
        "mainnet key on regtest": own_key(SEEDS[0], MAINNET).text(),
        "coin 0 with a tpub": good.replace("/48'/1'/", "/48'/0'/"),
        "not P2WSH (1' is P2SH-P2WSH)": good.replace("/2']", "/1']"),
        "not hardened": good.replace("/0'/2']", "/0/2']"),
        "too short": f"[{fingerprint}/48'/1'/0']{xpub}",
        "bad checksum": good[:-1] + ("a" if good[-1] != "a" else "b"),
        "private key": f"[{fingerprint}/48'/1'/0'/2']{private}",
        "depth differs": f"[{fingerprint}/48'/1'/0'/2']"
        + base58.encode_check(
            base58.decode_check(xpub)[:4] + b"\x03" + base58.decode_check(xpub)[5:]
        ),
    }
    assert [why for why, text in bad.items() if not refused(text)] == []
    assert not refused(good)


def test_key_set_refuses_duplicates_and_thresholds() -> None:
    keys = [own_key(seed, REGTEST) for seed in SEEDS]
    assert len(key_set(keys, 2)) == 3
    for threshold in (0, 4, -1):
        with pytest.raises(InvalidMultisig, match="threshold"):
            key_set(keys, threshold)
    with pytest.raises(InvalidMultisig, match="twice"):
        key_set([*keys, keys[0]], 2)
    moved = parse_key(keys[1].text().replace(keys[1].fingerprint, "0badf00d"), REGTEST)
    with pytest.raises(InvalidMultisig, match="twice"):
        key_set([keys[0], keys[1], moved], 2)


def test_descriptors_do_not_depend_on_order_and_match_bdk_addresses() -> None:
    import bdkpython as bdk

    keys = [own_key(seed, REGTEST) for seed in SEEDS]
    ordered = [k.text() for k in key_set(keys, 2)]
    shuffled = [k.text() for k in key_set(list(reversed(keys)), 2)]
    assert ordered == shuffled
    receive, change = descriptors(2, ordered, REGTEST)
    assert receive.split("#")[0].endswith("/0/*))")
    assert change.split("#")[0].endswith("/1/*))")
    # bdk alone, keys in another order: sortedmulti gives the same script.
    members = ",".join(f"{bdk_key(p, False)}/0/*" for p in reversed(PHRASES))
    alone = bdk.Descriptor(f"wsh(sortedmulti(2,{members}))", bdk.NetworkKind.TEST)
    ours = bdk.Descriptor(receive, bdk.NetworkKind.TEST)
    for index in range(5):
        assert str(ours.derive_address(index, bdk.Network.REGTEST)) == str(
            alone.derive_address(index, bdk.Network.REGTEST)
        )
    others = [k for k in ordered if k != keys[0].text()]
    with pytest.raises(InvalidMultisig, match="not one of"):
        signing_descriptors(SEEDS[0], REGTEST, 1, others)
    private = signing_descriptors(SEEDS[0], REGTEST, 2, ordered)
    assert "tprv" in private[0]
    assert private[0].startswith(f"wsh(sortedmulti(2,[{keys[0].fingerprint}/")
