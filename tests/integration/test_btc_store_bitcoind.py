"""The coin store synced from bitcoind: `scantxoutset` over both descriptors with an index
range, funding transactions by `getrawtransaction` with their block hash (no -txindex),
against a local server speaking bitcoind's JSON-RPC (tests/integration/fake_bitcoind.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chains.btc import store_sync
from chains.btc.backends.bitcoind import BitcoindClient
from chains.btc.store import AlreadyConfirmed
from chains.errors import MalformedReply, NodeUnreachable
from tests.integration.fake_bitcoind import Node, running
from tests.integration.test_btc_store import (
    open_store,
    script_at,
    sign_and_verify,
    unsigned_tx,
)
from tests.integration.test_psbt_cli import FOREIGN


@pytest.fixture
def node() -> Iterator[tuple[Node, BitcoindClient]]:
    fake = Node()
    with running(fake) as url:
        yield fake, BitcoindClient(url)


def scans(node: Node) -> list[list[object]]:
    return [params[1] for method, params in node.calls if method == "scantxoutset"]


@pytest.mark.parametrize("script", ["wpkh", "tr"])
def test_descriptor_scan_finds_coins_past_index_20_and_they_spend(
    tmp_path: Path, node: tuple[Node, BitcoindClient], script: str
) -> None:
    fake, client = node
    store = open_store(tmp_path, script)
    fake.chain.fund([(250_000, script_at(store, 0, 35)), (40_000, script_at(store, 1, 27))])
    fake.chain.fund([(90_000, script_at(store, 0, 2))])
    store.sync(client)
    assert sorted(c.sats for c in store.coins()) == [40_000, 90_000, 250_000]
    (scan,) = scans(fake)
    assert [s["desc"] for s in scan] == [  # type: ignore[index]
        store.wallet.public_descriptor(k) for k in _keychains()
    ]
    # Confirmed coins need their block hash: bitcoind has no -txindex here.
    fetched = [p for m, p in fake.calls if m == "getrawtransaction"]
    assert len(fetched) == 2
    assert all(len(p) == 3 for p in fetched)
    assert all(store.transaction(c.txid).confirmed for c in store.coins())
    psbt = store.build([(FOREIGN, 260_000)], fee_rate=3)
    raw = sign_and_verify(store, fake.chain, psbt, script)
    txid = fake.chain.accept(bytes.fromhex(raw))
    store.note_sent(raw)
    assert not store.transaction(txid).confirmed
    # Mined: bitcoind's UTXO set now holds the change, so the send reads as confirmed.
    fake.chain.mine()
    store.sync(client)
    assert store.transaction(txid).confirmed
    with pytest.raises(AlreadyConfirmed, match="confirmed"):
        store.build_bump(txid, fee_rate=30)


def test_a_send_without_change_reads_confirmed_once_mined(
    tmp_path: Path, node: tuple[Node, BitcoindClient]
) -> None:
    fake, client = node
    store = open_store(tmp_path)
    fake.chain.fund([(40_000, script_at(store, 0, 3)), (90_000, script_at(store, 0, 4))])
    store.sync(client)
    coin = next(c for c in store.coins() if c.sats == 40_000)
    psbt = store.build([(FOREIGN, 39_600)], fee_rate=2, coins=[coin])
    assert len(unsigned_tx(psbt).outputs) == 1  # the change would be dust: none
    raw = sign_and_verify(store, fake.chain, psbt, "wpkh")
    txid = fake.chain.accept(bytes.fromhex(raw))
    store.note_sent(raw)
    store.sync(client)
    assert not store.transaction(txid).confirmed  # still in bitcoind's mempool
    fake.chain.mine()
    store.sync(client)
    assert store.transaction(txid).confirmed
    assert [c.sats for c in store.coins()] == [90_000]


def test_the_scan_may_take_longer_than_other_calls(
    tmp_path: Path, node: tuple[Node, BitcoindClient]
) -> None:
    """scantxoutset reads the whole UTXO set: the store gives it minutes, not the
    backend's usual per-request timeout (which still bounds every other call)."""
    fake, _ = node
    store = open_store(tmp_path)
    fake.chain.fund([(100_000, script_at(store, 0, 1))])
    fake.scan_seconds = 1.0
    impatient = BitcoindClient(fake.url, timeout=0.3)
    with pytest.raises(NodeUnreachable, match="did not answer"):
        impatient.utxos([str(store.wallet.peek_address(_keychains()[0], 1).address)])
    store.sync(impatient)
    assert [c.sats for c in store.coins()] == [100_000]


def _keychains() -> list[object]:
    import bdkpython

    return [bdkpython.KeychainKind.EXTERNAL, bdkpython.KeychainKind.INTERNAL]


def test_the_range_grows_while_coins_turn_up_near_its_end(
    tmp_path: Path, node: tuple[Node, BitcoindClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_sync, "SCAN_RANGE", 50)
    fake, client = node
    store = open_store(tmp_path)
    fake.chain.fund([(10_000, script_at(store, 0, 40)), (20_000, script_at(store, 0, 60))])
    store.sync(client)
    ends = [scan[0]["range"][1] for scan in scans(fake)]  # type: ignore[index]
    assert ends == [49, 90]  # 40 is within 20 of 49: again up to 40 + 50; 60 is not near 90
    assert sorted(c.sats for c in store.coins()) == [10_000, 20_000]


def test_a_coin_spent_elsewhere_leaves_the_coin_list(
    tmp_path: Path, node: tuple[Node, BitcoindClient]
) -> None:
    """The UTXO set has no history: a coin that vanished from it was spent by a
    transaction this store never saw (another copy of the wallet); it is not offered
    again, while that transaction's change (ours too) is."""
    fake, client = node
    store = open_store(tmp_path)
    fake.chain.fund([(100_000, script_at(store, 0, 1)), (70_000, script_at(store, 0, 2))])
    store.sync(client)
    other = open_store(tmp_path / "elsewhere")
    other.sync(client)
    big = next(c for c in other.coins() if c.sats == 100_000)
    raw = sign_and_verify(other, fake.chain, other.build([(FOREIGN, 50_000)], 2, [big]), "wpkh")
    fake.chain.accept(bytes.fromhex(raw))
    fake.chain.mine()
    store.sync(client)
    unspent = {c.outpoint for c in other.coins()}
    assert big.outpoint not in {c.outpoint for c in store.coins()}
    other.sync(client)
    assert {c.outpoint for c in store.coins()} == {c.outpoint for c in other.coins()}
    assert len(unspent) == 2
    psbt = store.build([(FOREIGN, 100_000)], fee_rate=2)
    spent = {f"{i.txid}:{i.vout}" for i in unsigned_tx(psbt).inputs}
    assert big.outpoint not in spent
    sign_and_verify(store, fake.chain, psbt, "wpkh")


def test_a_scan_the_transaction_does_not_back_is_refused(
    tmp_path: Path, node: tuple[Node, BitcoindClient]
) -> None:
    fake, client = node
    store = open_store(tmp_path)
    fake.chain.fund([(100_000, script_at(store, 0, 1))])
    fake.inflate = 1
    with pytest.raises(MalformedReply, match="does not match"):
        store.sync(client)
    assert store.coins() == []
    fake.inflate = 0
    fake.with_blockhash = True  # Bitcoin Core 28+: no getblockhash needed
    store.sync(client)
    assert [c.sats for c in store.coins()] == [100_000]
    assert "getblockhash" not in [m for m, _ in fake.calls[-3:]]
