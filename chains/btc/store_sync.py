"""Filling the coin store from the network: Esplora through bdk's own client, bitcoind by a
descriptor scan of its UTXO set.

Esplora: bdk's `EsploraClient` (blocking, over bdk's own HTTP stack: no per-request
timeout and no cap on a reply's size, unlike chains/http.py; the store puts one overall
deadline around the whole scan, and the client gets the URL without user and password).
A full scan walks each keychain until 20 unused addresses in a row (BIP-44's gap limit);
an incremental sync asks only about the revealed addresses and the next few past the
last used one.

bitcoind: `scantxoutset` with both public descriptors and an index range, grown while coins
turn up near its end, then each funding transaction by `getrawtransaction TXID false
BLOCKHASH` (works without -txindex). bdk's Python API takes no confirmed transaction from
outside its chain sources (`Update` objects come only from its Esplora, Electrum and
compact-filter clients), so they enter through `apply_unconfirmed_txs` and the store
records their heights itself (store_meta.py). The UTXO set has no history: a coin of a
confirmed transaction that the scan no longer shows was spent elsewhere, and is locked out
of coin selection (`lock_outpoint`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chains.btc.backends import Backend, btc_field, malformed, txid_field, vout_field
from chains.errors import MalformedReply, NodeUnreachable, RpcError, UnsupportedChain

if TYPE_CHECKING:
    from chains.btc.store import BitcoinStore

STOP_GAP = 20  # BIP-44's gap limit
SYNC_LOOKAHEAD = 5  # unused addresses past the last used one that an incremental sync asks about
PARALLEL_REQUESTS = 4
SCAN_RANGE = 1000  # indexes per keychain in one scantxoutset (bitcoind's own default)
SYNC_DEADLINE = 300.0  # seconds for a whole Esplora scan or sync
SCAN_TIMEOUT = 900.0  # seconds: scantxoutset reads the whole UTXO set, minutes on mainnet
_ORIGIN_PATH = re.compile(r"\[[0-9a-fA-F]{8}((?:/\d+['h]?)*)/([01])/(\d+)\]")


def _bdk() -> Any:
    import bdkpython

    return bdkpython


def sync(store: BitcoinStore, backend: Backend, full: bool, deadline: float = SYNC_DEADLINE) -> str:
    """Bring the store up to date; "full" or "incremental" (what ran). `deadline` bounds
    an Esplora sync as a whole (seconds)."""
    from chains.btc.backends.bitcoind import BitcoindClient
    from chains.btc.backends.esplora import EsploraClient

    if isinstance(backend, EsploraClient):
        return _esplora(store, backend.url, full, deadline)
    if isinstance(backend, BitcoindClient):
        _bitcoind(store, backend)
        return "full"
    raise UnsupportedChain(f"the coin store cannot sync from {type(backend).__name__}")


def last_used(wallet: Any) -> dict[int, int]:
    """Keychain (0 receive, 1 change) -> the highest index holding or having held a coin."""
    bdk = _bdk()
    used = {0: -1, 1: -1}
    for output in wallet.list_output():
        keychain = 0 if output.keychain == bdk.KeychainKind.EXTERNAL else 1
        used[keychain] = max(used[keychain], int(output.derivation_index))
    return used


def _keychain(number: int) -> Any:
    kinds = _bdk().KeychainKind
    return kinds.EXTERNAL if number == 0 else kinds.INTERNAL


def _esplora(store: BitcoinStore, url: str, full: bool, deadline: float) -> str:
    bdk = _bdk()
    wallet = store.wallet
    client = bdk.EsploraClient(url)
    if not full:
        for keychain, index in last_used(wallet).items():
            wallet.reveal_addresses_to(_keychain(keychain), index + SYNC_LOOKAHEAD)
    full_request = wallet.start_full_scan().build() if full else None
    sync_request = None if full else wallet.start_sync_with_revealed_spks().build()

    def scan() -> Any:
        if full_request is not None:
            return client.full_scan(full_request, STOP_GAP, PARALLEL_REQUESTS)
        return client.sync(sync_request, PARALLEL_REQUESTS)

    try:
        update = _within(scan, deadline, url)
    except bdk.EsploraError.HttpResponse as exc:
        raise RpcError(f"Esplora answered HTTP {exc.status}: {_short(exc.error_message)}") from None
    except (bdk.EsploraError.Minreq, bdk.EsploraError.StatusCode) as exc:
        text = _short(getattr(exc, "error_message", exc))
        if " at line " in text and " column " in text:  # the HTTP stack's JSON parse error
            raise MalformedReply(f"Esplora's reply is not the JSON expected: {text}") from None
        raise NodeUnreachable(f"Esplora at {url} is unreachable: {text}") from None
    except bdk.EsploraError as exc:
        raise MalformedReply(f"Esplora's reply cannot be read ({type(exc).__name__})") from None
    wallet.apply_update(update)
    return "full" if full else "incremental"


def _within(work: Callable[[], Any], seconds: float, url: str) -> Any:
    """`work()`'s result, or NodeUnreachable after `seconds`: bdk's client has no overall
    deadline of its own. Work left running is abandoned in a daemon thread; it holds only
    the request (a copy of the scripts), never the wallet, so nothing is applied late."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=run, name="esplora-sync", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise NodeUnreachable(f"Esplora at {url} did not finish the sync within {seconds:g} s")
    if failure:
        raise failure[0]
    return result[0]


def _short(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 200 else text[:197] + "..."


@dataclass(frozen=True)
class Found:
    txid: str
    vout: int
    sats: int
    keychain: int
    index: int
    height: int
    blockhash: str | None
    script: bytes


def _bitcoind(store: BitcoinStore, client: Any) -> None:
    wallet = store.wallet
    bdk = _bdk()
    used = last_used(wallet)
    end = max(used.values()) + SCAN_RANGE
    while True:
        found = _scan(store, client, end)
        top = max((f.index for f in found), default=-1)
        if top < end - STOP_GAP:
            break
        end = top + SCAN_RANGE
    for keychain in (0, 1):
        highest = max((f.index for f in found if f.keychain == keychain), default=-1)
        if highest >= 0:
            wallet.reveal_addresses_to(_keychain(keychain), highest)
    now = int(time.time())
    new = []
    for txid in sorted({f.txid for f in found}):
        if wallet.get_tx(bdk.Txid.from_string(txid)) is None:
            tx = _funding_tx(client, [f for f in found if f.txid == txid])
            new.append(bdk.UnconfirmedTx(tx=tx, last_seen=now))
    if new:
        wallet.apply_unconfirmed_txs(new)
    store.meta.add_confirmed({(f.txid, f.height) for f in found if f.height > 0})
    unspent = {f"{f.txid}:{f.vout}" for f in found}
    _lock_spent(store, unspent)
    _settle_sent(store, client, unspent)


def _scan(store: BitcoinStore, client: Any, end: int) -> list[Found]:
    where = "bitcoind scantxoutset"
    wallet = store.wallet
    descriptors = [wallet.public_descriptor(_keychain(k)) for k in (0, 1)]
    scan = [{"desc": d, "range": [0, end]} for d in descriptors]
    result = client.call("scantxoutset", ["start", scan], timeout=max(SCAN_TIMEOUT, client.timeout))
    if not isinstance(result, dict) or result.get("success") is False:
        raise malformed(where, "result", result)
    unspents = result.get("unspents")
    if not isinstance(unspents, list):
        raise malformed(where, "unspents", result)
    return [_found(store, item, end, where) for item in unspents]


def _found(store: BitcoinStore, item: object, end: int, where: str) -> Found:
    if not isinstance(item, dict):
        raise malformed(where, "unspent", item)
    script_hex = item.get("scriptPubKey")
    if not isinstance(script_hex, str) or not re.fullmatch(r"(?:[0-9a-fA-F]{2})+", script_hex):
        raise malformed(where, "scriptPubKey", script_hex)
    script = bytes.fromhex(script_hex)
    keychain, index = _where(store.wallet, str(item.get("desc", "")), script, end)
    height = item.get("height", 0)
    if not isinstance(height, int) or isinstance(height, bool) or height < 0:
        raise malformed(where, "height", height)
    blockhash = item.get("blockhash")
    if blockhash is not None:
        blockhash = txid_field(blockhash, where)  # the same 64 hex digits
    return Found(
        txid=txid_field(item.get("txid"), where),
        vout=vout_field(item.get("vout"), where),
        sats=btc_field(item.get("amount"), where, "amount"),
        keychain=keychain,
        index=index,
        height=height,
        blockhash=blockhash,
        script=script,
    )


def _where(wallet: Any, descriptor: str, script: bytes, end: int) -> tuple[int, int]:
    """(keychain, index) of our script: from the key origin bitcoind prints in `desc`,
    checked against our own derivation; by searching the range when `desc` has none."""
    match = _ORIGIN_PATH.search(descriptor)
    if match:
        keychain, index = int(match.group(2)), int(match.group(3))
        if index <= end and _script_at(wallet, keychain, index) == script:
            return keychain, index
    for keychain in (0, 1):
        for index in range(end + 1):
            if _script_at(wallet, keychain, index) == script:
                return keychain, index
    raise MalformedReply(
        f"bitcoind scantxoutset named a coin at {script.hex()}, which is none of this "
        "wallet's addresses"
    )


def _script_at(wallet: Any, keychain: int, index: int) -> bytes:
    address = wallet.peek_address(_keychain(keychain), index).address
    return bytes(address.script_pubkey().to_bytes())


def _funding_tx(client: Any, coins: list[Found]) -> Any:
    """The transaction that made `coins` (all of one txid), checked against the scan."""
    bdk = _bdk()
    first = coins[0]
    where = "bitcoind getrawtransaction"
    blockhash = first.blockhash
    if blockhash is None and first.height > 0:
        blockhash = txid_field(client.call("getblockhash", [first.height]), "bitcoind getblockhash")
    params: list[Any] = [first.txid, False] + ([blockhash] if blockhash else [])
    raw = client.call("getrawtransaction", params)
    if not isinstance(raw, str) or not re.fullmatch(r"(?:[0-9a-fA-F]{2})+", raw):
        raise malformed(where, "transaction", raw)
    try:
        tx = bdk.Transaction(bytes.fromhex(raw))
    except Exception:
        raise malformed(where, "transaction", raw) from None
    outputs = tx.output()
    if str(tx.compute_txid()) != first.txid or any(
        c.vout >= len(outputs)
        or int(outputs[c.vout].value.to_sat()) != c.sats
        or bytes(outputs[c.vout].script_pubkey.to_bytes()) != c.script
        for c in coins
    ):
        raise MalformedReply(
            f"bitcoind's transaction {first.txid} does not match the coins its UTXO scan named"
        )
    return tx


def _settle_sent(store: BitcoinStore, client: Any, unspent: set[str]) -> None:
    """Our unconfirmed sends whose change the scan did not show: mined (or replaced by a
    conflicting transaction) once bitcoind's mempool no longer holds them and none of their
    coins is left in the UTXO set. Either way they can no longer be bumped."""
    confirmed = store.meta.confirmed_txids()
    settled = []
    for canonical in store.wallet.transactions():
        if canonical.chain_position.is_confirmed():
            continue
        tx = canonical.transaction
        txid = str(tx.compute_txid())
        spends = {f"{i.previous_output.txid}:{i.previous_output.vout}" for i in tx.input()}
        if txid in confirmed or spends & unspent:
            continue
        try:
            client.call("getmempoolentry", [txid])
        except RpcError:
            settled.append((txid, 0))  # height unknown: no index to ask without -txindex
    store.meta.add_confirmed(settled)


def _lock_spent(store: BitcoinStore, unspent: set[str]) -> None:
    """Coins of confirmed transactions missing from the UTXO set were spent elsewhere."""
    confirmed = store.meta.confirmed_txids()
    for output in store.wallet.list_unspent():
        txid, vout = str(output.outpoint.txid), int(output.outpoint.vout)
        if txid in confirmed and f"{txid}:{vout}" not in unspent:
            store.wallet.lock_outpoint(output.outpoint)
