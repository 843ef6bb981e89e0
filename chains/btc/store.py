"""One wallet account's coins in bdk's SQLite store: sync, coin selection, bumps, signing.

bdk keeps the account's transactions, revealed addresses and chain tip in a file the caller
names (0600, in a 0700 folder). `sync` fills it from the network (chains/btc/store_sync.py);
`build` lets bdk choose the coins a payment needs (a changeless branch-and-bound set, else
largest first), sends change to the internal (change) keychain and signals RBF;
`build_bump` replaces an unconfirmed send at a higher fee through bdk's fee-bump builder.
A few facts bdk cannot hold (which bitcoind-found transactions are confirmed, whether a
full scan ran) live in a small table of the same file (chains/btc/store_meta.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from chains.btc.address import parse as parse_address
from chains.btc.backends import Backend
from chains.btc.networks import BitcoinNetwork
from chains.btc.psbt import RBF_SEQUENCE, Coin, InvalidCoin
from chains.btc.store_meta import Meta
from chains.btc.store_types import (
    AlreadyConfirmed,
    FeeNotHigher,
    NotReplaceable,
    StoredTx,
    StoreMismatch,
    TxOutput,
    UnknownTransaction,
)
from chains.errors import ChainError, InsufficientFunds, InvalidAmount

__all__ = [
    "AlreadyConfirmed",
    "BitcoinStore",
    "FeeNotHigher",
    "NotReplaceable",
    "StoreMismatch",
    "StoredTx",
    "TxOutput",
    "UnknownTransaction",
]

DUST_SATS = 294  # P2WPKH output dust limit; bdk refuses any output below its own script's
LOOKAHEAD = 25


def _bdk() -> Any:
    import bdkpython

    return bdkpython


def _prepare(path: Path) -> bool:
    """Folder 0700 (created if missing), file 0600; True when the file holds a store."""
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True)
        os.chmod(parent, 0o700)
    if path.exists() and path.stat().st_size > 0:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return True
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return False


class BitcoinStore:
    """One wallet account's coins, kept in bdk's SQLite store (a file the caller names)."""

    def __init__(
        self, path: Path, wallet: Any, persister: Any, network: BitcoinNetwork, meta: Meta
    ) -> None:
        self.path = path
        self.wallet = wallet
        self.network = network
        self.meta = meta
        self._persister = persister
        self.last_sync: str | None = None  # "full" or "incremental", after sync()

    @classmethod
    def open(
        cls, path: Path, descriptors: tuple[str, str], network: BitcoinNetwork
    ) -> BitcoinStore:
        bdk = _bdk()
        path = Path(path)
        exists = _prepare(path)
        kind = network.bdk_kind()
        external = bdk.Descriptor(descriptors[0], kind)
        internal = bdk.Descriptor(descriptors[1], kind)
        persister = bdk.Persister.new_sqlite(str(path))
        wallet = _load(path, external, internal, persister, network) if exists else None
        if wallet is None:  # a new store (or one whose creation stopped before bdk wrote it)
            wallet = bdk.Wallet(external, internal, network.bdk(), persister, LOOKAHEAD)
            wallet.persist(persister)
        os.chmod(path, 0o600)
        return cls(path, wallet, persister, network, Meta(path))

    def save(self) -> None:
        self.wallet.persist(self._persister)

    # --- reading -------------------------------------------------------------------------

    def sync(self, backend: Backend, full: bool = False, deadline: float | None = None) -> None:
        """First time (or `full`): a full scan with stop gap 20 over both keychains; after:
        the revealed addresses (and a few beyond the last used). Persisted. `deadline`
        (seconds) bounds an Esplora sync as a whole."""
        from chains.btc.store_sync import SYNC_DEADLINE, sync

        first = not self.meta.get("scanned")
        self.last_sync = sync(self, backend, full or first, deadline or SYNC_DEADLINE)
        self.meta.put("scanned", "1")
        self.save()

    def reveal(self, index: int, keychain: int = 0) -> None:
        """Count receive (0) or change (1) addresses up to `index` as handed out, so every
        incremental sync asks about them (it covers revealed addresses and the next few
        past the last used one; a full scan covers the gap of 20)."""
        bdk = _bdk()
        kind = bdk.KeychainKind.EXTERNAL if keychain == 0 else bdk.KeychainKind.INTERNAL
        self.wallet.reveal_addresses_to(kind, index)
        self.save()

    def coins(self) -> list[Coin]:
        bdk = _bdk()
        locked = {_outpoint(o) for o in self.wallet.list_locked_outpoints()}
        found = []
        for output in self.wallet.list_unspent():
            outpoint = _outpoint(output.outpoint)
            if outpoint in locked:
                continue
            spk = output.txout.script_pubkey
            address = str(bdk.Address.from_script(spk, self.network.bdk()))
            txid, vout = outpoint.split(":")
            found.append(Coin(txid, int(vout), int(output.txout.value.to_sat()), address))
        return sorted(found, key=lambda c: (c.txid, c.vout))

    def balance(self) -> int:
        return sum(c.sats for c in self.coins())

    def confirmed(self, txid: str) -> bool:
        found = self.wallet.get_tx(_txid(txid))
        if found is None:
            return False
        return bool(found.chain_position.is_confirmed()) or self.meta.confirmed(txid)

    def transaction(self, txid: str) -> StoredTx:
        bdk = _bdk()
        found = self.wallet.get_tx(_txid(txid))
        if found is None:
            raise UnknownTransaction(
                f"transaction {txid} is not in this wallet's store (unknown to it, or replaced)"
            )
        tx = found.transaction
        try:
            fee: int | None = int(self.wallet.calculate_fee(tx).to_sat())
        except Exception:
            fee = None
        outputs = []
        for out in tx.output():
            try:
                address = str(bdk.Address.from_script(out.script_pubkey, self.network.bdk()))
            except Exception:
                address = "script:" + bytes(out.script_pubkey.to_bytes()).hex()
            mine = bool(self.wallet.is_mine(out.script_pubkey))
            outputs.append(TxOutput(address, int(out.value.to_sat()), mine))
        inputs = [_outpoint(i.previous_output) for i in tx.input()]
        return StoredTx(
            txid=str(tx.compute_txid()),
            outputs=outputs,
            inputs=inputs,
            fee=fee,
            vsize=int(tx.vsize()),
            confirmed=self.confirmed(txid),
            replaceable=bool(tx.is_explicitly_rbf()),
        )

    # --- building ------------------------------------------------------------------------

    def build(
        self,
        outputs: Sequence[tuple[str, int]],
        fee_rate: int,
        coins: Sequence[Coin] | None = None,
    ) -> Any:
        """An unsigned PSBT paying `outputs` (address, sats) in one transaction. bdk picks
        the coins unless `coins` are given (coin control: exactly those are spent)."""
        bdk = _bdk()
        if not outputs:
            raise InvalidAmount("a transaction needs at least one output")
        _check_rate(fee_rate)
        builder = bdk.TxBuilder()
        for address, sats in outputs:
            if sats < DUST_SATS:
                raise InvalidAmount(f"{sats} sat is below the dust limit ({DUST_SATS} sat)")
            checked = parse_address(address, self.network)
            spk = bdk.Address(checked, self.network.bdk()).script_pubkey()
            builder = builder.add_recipient(spk, bdk.Amount.from_sat(sats))
        locked = list(self.wallet.list_locked_outpoints())
        if locked:
            builder = builder.unspendable(locked)
        if coins is not None:
            builder = builder.add_utxos(self._owned(coins)).manually_selected_only()
        builder = builder.fee_rate(bdk.FeeRate.from_sat_per_vb(fee_rate)).set_exact_sequence(
            RBF_SEQUENCE
        )
        total = sum(s for _, s in outputs)
        choose = bdk.CoinSelectionAlgorithm
        try:
            if coins is not None:
                psbt = builder.finish(self.wallet)
            else:
                # Branch-and-bound finds a changeless set when one exists; its fallback is
                # a random draw, which may take several coins where one would do, so a
                # result with change is built again largest-first.
                psbt = builder.coin_selection(choose.BRANCH_AND_BOUND).finish(self.wallet)
                if self._has_change(psbt):
                    psbt = builder.coin_selection(choose.LARGEST_FIRST).finish(self.wallet)
        except (bdk.CreateTxError.InsufficientFunds, bdk.CreateTxError.CoinSelection):
            have = sum(c.sats for c in coins) if coins is not None else self.balance()
            which = "the coins given" if coins is not None else "this wallet's coins"
            raise InsufficientFunds(
                f"{which} ({have} sat) do not cover {total} sat plus the fee at {fee_rate} sat/vB"
            ) from None
        except bdk.CreateTxError.OutputBelowDustLimit:
            raise InvalidAmount("an output is below its script's dust limit") from None
        except bdk.CreateTxError as exc:
            raise ChainError(f"the transaction cannot be built: {_one_line(exc)}") from None
        self.save()  # the change address bdk revealed
        return psbt

    def _has_change(self, psbt: Any) -> bool:
        internal = _bdk().KeychainKind.INTERNAL
        for output in psbt.extract_tx_unchecked_fee_rate().output():
            where = self.wallet.derivation_of_spk(output.script_pubkey)
            if where is not None and where.keychain == internal:
                return True
        return False

    def _owned(self, coins: Sequence[Coin]) -> list[Any]:
        if len({c.outpoint for c in coins}) != len(coins):
            raise InvalidCoin("the same coin (txid:vout) is given twice")
        if not coins:
            raise InvalidCoin("coin control needs at least one coin")
        known = {c.outpoint: c for c in self.coins()}
        outpoints = []
        for coin in coins:
            mine = known.get(coin.outpoint)
            if mine is None:
                raise InvalidCoin(f"coin {coin.outpoint} is not an unspent coin of this wallet")
            if coin.sats != mine.sats:
                raise InvalidCoin(f"coin {coin.outpoint} holds {mine.sats} sat, not {coin.sats}")
            outpoints.append(_bdk().OutPoint(txid=_txid(coin.txid), vout=coin.vout))
        return outpoints

    def build_bump(self, txid: str, fee_rate: int) -> Any:
        """A replacement of our unconfirmed `txid` paying `fee_rate` sat/vB (BIP-125):
        same recipients, the fee taken from change (or from more coins)."""
        bdk = _bdk()
        _check_rate(fee_rate)
        original = self.transaction(txid)
        if original.confirmed:
            raise AlreadyConfirmed(f"transaction {txid} is confirmed already: it cannot be bumped")
        if not original.replaceable:
            raise NotReplaceable(f"transaction {txid} does not signal RBF: it cannot be bumped")
        wanted = bdk.FeeRate.from_sat_per_vb(fee_rate)
        current = self._fee_rate(txid)
        if current is not None and wanted.to_sat_per_kwu() <= current.to_sat_per_kwu():
            paid = Decimal(current.to_sat_per_kwu()) / 250
            raise FeeNotHigher(
                f"transaction {txid} already pays {paid:.2f} sat/vB: a bump needs a higher "
                f"fee rate than {fee_rate} sat/vB"
            )
        try:
            psbt = bdk.BumpFeeTxBuilder(_txid(txid), wanted).finish(self.wallet)
        except bdk.CreateTxError.FeeTooLow as exc:
            raise FeeNotHigher(
                f"{fee_rate} sat/vB is too low to replace {txid}: the replacement must pay at "
                f"least {exc.required} sat (the original fee plus relay fee for its own size, "
                "BIP-125)"
            ) from None
        except bdk.CreateTxError.FeeRateTooLow as exc:
            raise FeeNotHigher(
                f"{fee_rate} sat/vB is too low to replace {txid}: at least {exc.required}"
            ) from None
        except (bdk.CreateTxError.InsufficientFunds, bdk.CreateTxError.CoinSelection):
            raise InsufficientFunds(
                f"this wallet's coins do not cover the fee of {txid} at {fee_rate} sat/vB"
            ) from None
        except bdk.CreateTxError as exc:
            raise NotReplaceable(f"transaction {txid} cannot be bumped: {_one_line(exc)}") from None
        self.save()
        return psbt

    def _fee_rate(self, txid: str) -> Any:
        found = self.wallet.get_tx(_txid(txid))
        try:
            return self.wallet.calculate_fee_rate(found.transaction) if found else None
        except Exception:
            return None

    # --- signing and sending -------------------------------------------------------------

    def sign(self, psbt: Any, private_descriptors: tuple[str, str]) -> int:
        """Sign our inputs (wpkh or tr); how many are signed (chains.btc.psbt_sign)."""
        from chains.btc.psbt_sign import sign

        return sign(psbt, private_descriptors, self.network)

    def note_sent(self, raw_hex: str) -> None:
        """Our own broadcast, unconfirmed in the store: its coins are spent for the next
        build, and a bump finds it."""
        bdk = _bdk()
        try:
            tx = bdk.Transaction(bytes.fromhex(raw_hex))
        except Exception:
            raise ChainError("the transaction to record is not a raw transaction") from None
        # bdk keeps, of two conflicting unconfirmed transactions, the one seen last; a
        # replacement noted within the same second as its original must still win.
        seen = max(int(time.time()), int(self.meta.get("last_seen") or 0) + 1)
        self.meta.put("last_seen", str(seen))
        self.wallet.apply_unconfirmed_txs([bdk.UnconfirmedTx(tx=tx, last_seen=seen)])
        self.save()


def _load(path: Path, external: Any, internal: Any, persister: Any, network: BitcoinNetwork) -> Any:
    """The wallet bdk wrote to `path`, None when it holds none yet; refused when it holds
    another account or network."""
    bdk = _bdk()
    params = bdk.LoadParams(
        check_network=network.bdk(),
        check_genesis_hash=None,
        lookahead=LOOKAHEAD,
        use_spk_cache=False,
    )
    try:
        return bdk.Wallet.load_with_params(external, internal, persister, params)
    except bdk.LoadWithPersistError.CouldNotLoad:
        return None
    except bdk.LoadWithPersistError.InvalidChangeSet as exc:
        raise StoreMismatch(
            f"the coin store {path.name} belongs to another account or network "
            f"({_one_line(exc)}); it was left as it is"
        ) from None
    except bdk.LoadWithPersistError as exc:
        raise StoreMismatch(
            f"the coin store {path.name} cannot be read ({type(exc).__name__}); it was left "
            "as it is"
        ) from None


def _check_rate(fee_rate: int) -> None:
    if isinstance(fee_rate, bool) or not isinstance(fee_rate, int) or fee_rate < 1:
        raise InvalidAmount(
            f"the fee rate must be a whole number of sat/vB, at least 1: {fee_rate!r}"
        )


def _txid(text: str) -> Any:
    try:
        return _bdk().Txid.from_string(text)
    except Exception:
        raise UnknownTransaction(f"{text!r} is not a transaction id (64 hex digits)") from None


def _outpoint(outpoint: Any) -> str:
    return f"{outpoint.txid}:{outpoint.vout}"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
