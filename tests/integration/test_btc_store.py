"""The Bitcoin coin store (chains/btc/store.py) against a local Esplora server whose chain
holds real transactions (tests/fake_esplora.py), with bdk's own EsploraClient doing the
scans. Every signed transaction is checked by Bitcoin Core's script interpreter
(py-bitcoinkernel), with every spent output (taproot signatures commit to all of them)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chains.btc import psbt as psbt_module
from chains.btc import psbt_map
from chains.btc.backends.esplora import EsploraClient
from chains.btc.keys import private_descriptors, public_accounts
from chains.btc.networks import NETWORKS
from chains.btc.psbt import Coin, InvalidCoin
from chains.btc.psbt_inputs import inputs_of
from chains.btc.store import (
    AlreadyConfirmed,
    BitcoinStore,
    FeeNotHigher,
    StoreMismatch,
    UnknownTransaction,
)
from chains.errors import InsufficientFunds, InvalidAddress, InvalidAmount
from keystore.secret import Seed
from tests.fake_esplora import Chain, serve
from tests.integration.test_psbt_cli import FOREIGN, kernel_verify

REGTEST = NETWORKS["bitcoin-regtest"]
SEED = Seed(bytes(range(64)))
OTHER = "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry"  # P2WSH


def descriptors(script: str, network: str = "bitcoin-regtest") -> tuple[str, str]:
    key = f"btc:{network}:{script}"
    found = next(a for a in public_accounts(SEED, 0) if a.key == key)
    assert found.descriptors is not None
    return found.descriptors


def private(script: str) -> tuple[str, str]:
    return private_descriptors(SEED, REGTEST, script, 0)


class Esplora:
    def __init__(self) -> None:
        self.chain = Chain()
        self.server, port = serve(self.chain)
        self.backend = EsploraClient(f"http://127.0.0.1:{port}")

    def scripthash_requests(self) -> int:
        return sum(1 for r in self.chain.requests if r.startswith("/scripthash/"))


@pytest.fixture
def esplora() -> Iterator[Esplora]:
    served = Esplora()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()


def open_store(tmp_path: Path, script: str = "wpkh") -> BitcoinStore:
    return BitcoinStore.open(tmp_path / "coins" / f"{script}.sqlite", descriptors(script), REGTEST)


def script_at(store: BitcoinStore, keychain: int, index: int) -> bytes:
    import bdkpython

    kind = bdkpython.KeychainKind.EXTERNAL if keychain == 0 else bdkpython.KeychainKind.INTERNAL
    return bytes(store.wallet.peek_address(kind, index).address.script_pubkey().to_bytes())


def keychain_of(store: BitcoinStore, script: bytes) -> tuple[int, int] | None:
    """(keychain, index) of our script among the first 100 of each keychain."""
    for keychain in (0, 1):
        for index in range(100):
            if script_at(store, keychain, index) == script:
                return keychain, index
    return None


def sign_and_verify(store: BitcoinStore, chain: Chain, psbt: Any, script: str) -> str:
    """Sign, finalize and check every input with Bitcoin Core's interpreter; the raw hex."""
    signed = store.sign(psbt, private(script))
    raw = psbt_module.finalize(psbt)
    spent = []
    for txin in psbt_map.parse(psbt_module.raw_bytes(psbt)).tx.inputs:
        sats, spk = chain.txs[txin.txid].outputs[txin.vout]
        spent.append((spk, sats))
    assert signed == len(spent)
    assert kernel_verify(raw, spent) == [True] * len(spent)
    return raw


def unsigned_tx(psbt: Any) -> psbt_map.Transaction:
    return psbt_map.parse(psbt_module.raw_bytes(psbt)).tx


def test_one_coin_of_five_pays_and_change_goes_to_the_change_keychain(
    tmp_path: Path, esplora: Esplora
) -> None:
    store = open_store(tmp_path)
    for index in range(5):
        esplora.chain.fund([(100_000 * (index + 1), script_at(store, 0, index))])
    store.sync(esplora.backend)
    assert store.balance() == 1_500_000
    assert len(store.coins()) == 5
    psbt = store.build([(FOREIGN, 150_000)], fee_rate=5)
    tx = unsigned_tx(psbt)
    assert len(tx.inputs) == 1
    assert all(i.sequence == psbt_module.RBF_SEQUENCE for i in tx.inputs)
    change = [o for o in tx.outputs if o.script != psbt_map_script(FOREIGN)]
    assert len(change) == 1
    where = keychain_of(store, change[0].script)
    assert where is not None
    assert where[0] == 1
    # What `wallet psbt show/sign` read: the coin and our key's origin on each input.
    views = inputs_of(psbt_map.parse(psbt_module.raw_bytes(psbt)))
    fingerprint = descriptors("wpkh")[0].split("[")[1][:8]
    assert all(v.utxo is not None and fingerprint in v.fingerprints for v in views)
    summary = psbt_module.summarize(
        psbt, psbt_module.watch_wallet(descriptors("wpkh"), REGTEST), REGTEST
    )
    assert summary.fee is not None
    assert summary.fee > 0
    assert [o.mine for o in summary.outputs].count(True) == 1
    sign_and_verify(store, esplora.chain, psbt, "wpkh")


def psbt_map_script(address: str) -> bytes:
    import bdkpython

    return bytes(bdkpython.Address(address, REGTEST.bdk()).script_pubkey().to_bytes())


def test_a_coin_that_pays_exactly_is_spent_without_change(tmp_path: Path, esplora: Esplora) -> None:
    """Branch-and-bound's changeless set wins over largest-first's 300,000 sat coin."""
    store = open_store(tmp_path)
    for index, sats in enumerate((100_000, 200_000, 300_000)):
        esplora.chain.fund([(sats, script_at(store, 0, index))])
    store.sync(esplora.backend)
    psbt = store.build([(FOREIGN, 199_760)], fee_rate=2)  # leaves about 50 sat over
    tx = unsigned_tx(psbt)
    assert len(tx.outputs) == 1
    assert [esplora.chain.txs[i.txid].outputs[i.vout][0] for i in tx.inputs] == [200_000]
    sign_and_verify(store, esplora.chain, psbt, "wpkh")


def test_a_batch_is_one_transaction_with_every_output(tmp_path: Path, esplora: Esplora) -> None:
    store = open_store(tmp_path)
    esplora.chain.fund([(400_000, script_at(store, 0, 0)), (300_000, script_at(store, 0, 1))])
    store.sync(esplora.backend)
    payments = [(FOREIGN, 100_000), (OTHER, 200_000), (FOREIGN, 50_000)]
    psbt = store.build(payments, fee_rate=3)
    outputs = [(o.script, o.sats) for o in unsigned_tx(psbt).outputs]
    for address, sats in payments:
        assert (psbt_map_script(address), sats) in outputs
    assert len(outputs) == 4  # three payments and the change
    sign_and_verify(store, esplora.chain, psbt, "wpkh")


def test_full_scan_reaches_past_the_gap_and_a_sync_finds_new_coins(
    tmp_path: Path, esplora: Esplora
) -> None:
    store = open_store(tmp_path)
    chain = esplora.chain
    chain.fund([(10_000 + i, script_at(store, 0, i)) for i in range(35)])  # receive 0..34 used
    chain.fund([(777_777, script_at(store, 0, 35))])
    store.sync(esplora.backend)
    assert store.last_sync == "full"
    full_requests = esplora.scripthash_requests()
    assert 777_777 in [c.sats for c in store.coins()]
    assert store.balance() == sum(10_000 + i for i in range(35)) + 777_777
    # A new coin at the next receive address: an incremental sync finds it, asking about
    # fewer scripts than the full scan did.
    chain.fund([(55_555, script_at(store, 0, 36))], confirmed=False)
    before = esplora.scripthash_requests()
    store.sync(esplora.backend)
    assert store.last_sync == "incremental"
    assert 55_555 in [c.sats for c in store.coins()]
    assert esplora.scripthash_requests() - before < full_requests
    # An address handed out far ahead: revealed, an incremental sync covers it too.
    chain.fund([(66_666, script_at(store, 0, 50))])
    store.sync(esplora.backend)
    assert 66_666 not in [c.sats for c in store.coins()]  # 50 is past 36 + 5
    store.reveal(50)
    store.sync(esplora.backend)
    assert store.last_sync == "incremental"
    assert 66_666 in [c.sats for c in store.coins()]
    # A full scan is still there when asked for.
    store.sync(esplora.backend, full=True)
    assert store.last_sync == "full"


def test_the_gap_is_20_unused_addresses_after_the_last_used(
    tmp_path: Path, esplora: Esplora
) -> None:
    """With receive 0..3 used, 4..23 are the 20 unused addresses a scan still asks about:
    a coin at 24 is not found, until a coin at 23 moves the gap on."""
    store = open_store(tmp_path)
    esplora.chain.fund([(10_000, script_at(store, 0, i)) for i in range(4)])
    esplora.chain.fund([(777_777, script_at(store, 0, 24))])
    store.sync(esplora.backend)
    assert 777_777 not in [c.sats for c in store.coins()]
    esplora.chain.fund([(23_000, script_at(store, 0, 23))])
    store.sync(esplora.backend, full=True)
    assert {23_000, 777_777} <= {c.sats for c in store.coins()}


def test_taproot_account_builds_signs_and_finalizes(tmp_path: Path, esplora: Esplora) -> None:
    store = open_store(tmp_path, "tr")
    for index in range(3):
        esplora.chain.fund([(60_000, script_at(store, 0, index))])
    store.sync(esplora.backend)
    coins = store.coins()
    assert all(c.address and c.address.startswith("bcrt1p") for c in coins)
    psbt = store.build([(FOREIGN, 100_000)], fee_rate=4, coins=coins[:2])
    assert len(unsigned_tx(psbt).inputs) == 2
    # BIP-371 key origins and the coin on every input, for `wallet psbt show/sign`.
    fingerprint = descriptors("tr")[0].split("[")[1][:8]
    views = inputs_of(psbt_map.parse(psbt_module.raw_bytes(psbt)))
    assert all(v.taproot and fingerprint in v.fingerprints for v in views)
    sign_and_verify(store, esplora.chain, psbt, "tr")
    chosen = store.build([(FOREIGN, 20_000)], fee_rate=4)
    sign_and_verify(store, esplora.chain, chosen, "tr")


def test_a_wpkh_key_does_not_sign_a_taproot_spend(tmp_path: Path, esplora: Esplora) -> None:
    """The input carries our master key's fingerprint, so it is ours: left unsigned, it
    fails the signing rather than passing silently."""
    from chains.btc.psbt_sign import UnsignedInputs

    store = open_store(tmp_path, "tr")
    esplora.chain.fund([(60_000, script_at(store, 0, 0))])
    store.sync(esplora.backend)
    psbt = store.build([(FOREIGN, 20_000)], fee_rate=2)
    with pytest.raises(UnsignedInputs):
        store.sign(psbt, private("wpkh"))


@pytest.mark.parametrize("script", ["wpkh", "tr"])
def test_bump_replaces_an_unconfirmed_send_at_a_higher_fee(
    tmp_path: Path, esplora: Esplora, script: str
) -> None:
    store = open_store(tmp_path, script)
    chain = esplora.chain
    chain.fund([(300_000, script_at(store, 0, 0)), (200_000, script_at(store, 0, 1))])
    store.sync(esplora.backend)
    psbt = store.build([(FOREIGN, 120_000)], fee_rate=2)
    raw = sign_and_verify(store, chain, psbt, script)
    txid = chain.accept(bytes.fromhex(raw))
    store.note_sent(raw)
    original = store.transaction(txid)
    assert not original.confirmed
    assert original.replaceable
    assert original.fee is not None
    # The spent coin is gone from the next build's choice.
    spent = set(original.inputs)
    assert not spent & {c.outpoint for c in store.coins()}
    bump = store.build_bump(txid, fee_rate=10)
    replacement = unsigned_tx(bump)
    assert spent & {f"{i.txid}:{i.vout}" for i in replacement.inputs}
    mine = {o.script for o in replacement.outputs if keychain_of(store, o.script) is not None}
    theirs = sorted((o.script, o.sats) for o in replacement.outputs if o.script not in mine)
    assert theirs == [(psbt_map_script(FOREIGN), 120_000)]
    new_raw = sign_and_verify(store, chain, bump, script)
    new_txid = chain.accept(bytes.fromhex(new_raw))
    store.note_sent(new_raw)
    bumped = store.transaction(new_txid)
    assert bumped.fee is not None
    assert bumped.fee > original.fee
    assert bumped.fee >= 10 * (bumped.vsize - 1)  # bdk sizes a 72-byte signature; 71 came
    with pytest.raises(UnknownTransaction):
        store.transaction(txid)  # replaced: no longer in the wallet's canonical history
    with pytest.raises(FeeNotHigher, match="higher fee rate"):
        store.build_bump(new_txid, fee_rate=10)


def test_bump_refuses_confirmed_and_unknown_transactions(tmp_path: Path, esplora: Esplora) -> None:
    store = open_store(tmp_path)
    chain = esplora.chain
    chain.fund([(300_000, script_at(store, 0, 0))])
    store.sync(esplora.backend)
    raw = sign_and_verify(store, chain, store.build([(FOREIGN, 100_000)], fee_rate=2), "wpkh")
    txid = chain.accept(bytes.fromhex(raw))
    store.note_sent(raw)
    chain.mine()
    store.sync(esplora.backend)
    assert store.transaction(txid).confirmed
    with pytest.raises(AlreadyConfirmed, match="confirmed"):
        store.build_bump(txid, fee_rate=20)
    with pytest.raises(UnknownTransaction):
        store.build_bump("ab" * 32, fee_rate=20)
    with pytest.raises(UnknownTransaction):
        store.build_bump("not a txid", fee_rate=20)


def test_store_file_permissions_reopen_and_refusals(tmp_path: Path, esplora: Esplora) -> None:
    path = tmp_path / "home" / "btc" / "wpkh.sqlite"
    store = BitcoinStore.open(path, descriptors("wpkh"), REGTEST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    esplora.chain.fund([(123_456, script_at(store, 0, 3))])
    store.sync(esplora.backend)
    coins = store.coins()
    assert [c.sats for c in coins] == [123_456]
    del store
    requests = len(esplora.chain.requests)
    again = BitcoinStore.open(path, descriptors("wpkh"), REGTEST)
    assert again.coins() == coins  # loaded from the file: no request made
    assert len(esplora.chain.requests) == requests
    again.sync(esplora.backend)
    assert again.last_sync == "incremental"
    before = path.read_bytes()
    with pytest.raises(StoreMismatch, match="another account"):
        BitcoinStore.open(path, descriptors("tr"), REGTEST)
    # Testnet and regtest share tpub descriptors: the network is checked too.
    with pytest.raises(StoreMismatch):
        BitcoinStore.open(path, descriptors("wpkh"), NETWORKS["bitcoin-testnet"])
    assert path.read_bytes() == before


def test_coin_control_spends_exactly_the_coins_given(tmp_path: Path, esplora: Esplora) -> None:
    store = open_store(tmp_path)
    for index in range(4):
        esplora.chain.fund([(100_000 + index, script_at(store, 0, index))])
    store.sync(esplora.backend)
    coins = store.coins()
    chosen = [coins[0], coins[2]]
    psbt = store.build([(FOREIGN, 10_000)], fee_rate=2, coins=chosen)
    spent = {f"{i.txid}:{i.vout}" for i in unsigned_tx(psbt).inputs}
    assert spent == {c.outpoint for c in chosen}
    sign_and_verify(store, esplora.chain, psbt, "wpkh")
    with pytest.raises(InvalidCoin, match="not an unspent coin"):
        store.build([(FOREIGN, 10_000)], fee_rate=2, coins=[Coin("cd" * 32, 0, 100_000)])
    with pytest.raises(InvalidCoin, match="holds"):
        store.build([(FOREIGN, 10_000)], 2, coins=[Coin(coins[1].txid, coins[1].vout, 5)])
    with pytest.raises(InvalidCoin, match="twice"):
        store.build([(FOREIGN, 10_000)], fee_rate=2, coins=[coins[1], coins[1]])
    with pytest.raises(InsufficientFunds, match="coins given"):
        store.build([(FOREIGN, 150_000)], fee_rate=2, coins=[coins[1]])
    with pytest.raises(InsufficientFunds, match="this wallet's coins"):
        store.build([(FOREIGN, 500_000)], fee_rate=2)
    with pytest.raises(InvalidAmount, match="dust"):
        store.build([(FOREIGN, 200)], fee_rate=2)
    with pytest.raises(InvalidAmount, match="fee rate"):
        store.build([(FOREIGN, 10_000)], fee_rate=0)
    with pytest.raises(InvalidAddress, match="mainnet"):
        store.build([("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 10_000)], fee_rate=2)
