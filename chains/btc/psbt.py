"""PSBTs (BIP-174) with bdkpython: create from coins given on the command line, explain,
sign with keys from our vault, combine, finalize.

Coins given by hand (offline or air-gapped use) are "foreign" to bdk's wallet: each becomes
a PSBT input with its witness UTXO and the BIP-32 derivation of our key that owns it, and
signals RBF (nSequence 0xFFFFFFFD). Native segwit (wpkh) accounts only, for now.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from chains.base import PublicAccount
from chains.bip32 import ExtendedPublicKey, parse_extended_key
from chains.btc.networks import BitcoinNetwork, bitcoin_network
from chains.errors import ChainError, InsufficientFunds, InvalidAmount

RBF_SEQUENCE = 0xFFFFFFFD
P2WPKH_SATISFACTION_WEIGHT = 113  # scriptSig length byte x4 + witness: count, sig, pubkey
DUST_SATS = 294  # P2WPKH output dust limit at the default relay fee
LOOKAHEAD = 200
# Base64 text: even a PSBT with hundreds of inputs, each with its full previous transaction,
# stays far below this; anything larger is refused before bdk parses it.
MAX_PSBT_TEXT = 16 * 1024 * 1024
_ORIGIN = re.compile(r"\[([0-9a-f]{8})/([^\]]+)\]")
_TXID = re.compile(r"[0-9a-f]{64}")


class InvalidPsbt(ChainError):
    code = "invalid-psbt"
    kind = "input"


class InvalidCoin(ChainError):
    code = "invalid-coin"
    kind = "input"


class NothingSigned(ChainError):
    code = "nothing-signed"
    kind = "input"


@dataclass(frozen=True)
class Coin:
    txid: str
    vout: int
    sats: int
    address: str | None = None

    @property
    def outpoint(self) -> str:
        return f"{self.txid}:{self.vout}"


def parse_coin(spec: str) -> Coin:
    """TXID:VOUT:SATS[:ADDRESS]."""
    parts = spec.strip().split(":")
    if len(parts) not in (3, 4):
        raise InvalidCoin(f"--utxo {spec!r} is not TXID:VOUT:SATS[:ADDRESS]")
    txid = parts[0].lower()
    if not _TXID.fullmatch(txid):
        raise InvalidCoin(f"--utxo {spec!r}: the txid must be 64 hex digits")
    if not parts[1].isdigit() or not parts[2].isdigit():
        raise InvalidCoin(f"--utxo {spec!r}: VOUT and SATS must be whole numbers")
    sats = int(parts[2])
    if sats <= 0 or sats > 21_000_000 * 100_000_000:
        raise InvalidCoin(f"--utxo {spec!r}: SATS is out of range")
    return Coin(txid, int(parts[1]), sats, parts[3] if len(parts) == 4 else None)


@dataclass(frozen=True)
class PsbtOutput:
    address: str
    sats: int
    mine: bool


@dataclass(frozen=True)
class PsbtSummary:
    inputs: list[dict[str, Any]]
    outputs: list[PsbtOutput]
    fee: int | None
    vsize: int  # estimated once signed
    signed_inputs: int


def _bdk() -> Any:
    import bdkpython

    return bdkpython


def watch_wallet(
    descriptors: tuple[str, str], network: BitcoinNetwork, lookahead: int = LOOKAHEAD
) -> Any:
    """A bdk wallet over our descriptors; `lookahead` addresses per chain are indexed so
    coins at them are recognised (signing finds keys by the PSBT's derivation paths and
    needs none)."""
    bdk = _bdk()
    kind = network.bdk_kind()
    return bdk.Wallet(
        bdk.Descriptor(descriptors[0], kind),
        bdk.Descriptor(descriptors[1], kind),
        network.bdk(),
        bdk.Persister.new_in_memory(),
        lookahead,
    )


def load(text: str) -> Any:
    data = text.strip()
    if len(data) > MAX_PSBT_TEXT:
        raise InvalidPsbt(f"the PSBT is longer than {MAX_PSBT_TEXT // 2**20} MiB of base64 text")
    try:
        base64.b64decode(data, validate=True)
        return _bdk().Psbt(data)
    except Exception:
        raise InvalidPsbt("the file is not a valid PSBT (malformed base64 or truncated)") from None


def _key_source(account: PublicAccount, keychain: int, index: int) -> tuple[str, Any]:
    bdk = _bdk()
    assert account.descriptors is not None
    assert account.xpub is not None
    origin = _ORIGIN.search(account.descriptors[0])
    if origin is None:
        raise InvalidPsbt("the account descriptor has no key origin")
    fingerprint, path = origin.group(1), origin.group(2).replace("h", "'")
    node = parse_extended_key(account.xpub)
    assert isinstance(node, ExtendedPublicKey)
    child = node.child(keychain).child(index)
    source = bdk.KeySource(
        fingerprint=fingerprint, path=bdk.DerivationPath(f"m/{path}/{keychain}/{index}")
    )
    return child.public_key.hex(), source


def create(
    account: PublicAccount,
    coins: list[Coin],
    recipient: str,
    amount: int,
    fee_rate: int,
) -> str:
    bdk = _bdk()
    if account.descriptors is None or account.network is None:
        raise InvalidPsbt("this account has no descriptors")
    if not account.descriptors[0].startswith("wpkh("):
        raise InvalidPsbt("PSBTs are built for native segwit (wpkh) accounts only, for now")
    if amount < DUST_SATS:
        raise InvalidAmount(f"{amount} sat is below the dust limit ({DUST_SATS} sat)")
    if len({c.outpoint for c in coins}) != len(coins):
        raise InvalidCoin("the same coin (txid:vout) is given twice")
    network = bitcoin_network(account.network)
    wallet = watch_wallet(account.descriptors, network)
    builder = bdk.TxBuilder()
    for coin in coins:
        address = coin.address or str(wallet.peek_address(bdk.KeychainKind.EXTERNAL, 0).address)
        spk = bdk.Address(address, network.bdk()).script_pubkey()
        where = wallet.derivation_of_spk(spk)
        if where is None:
            raise InvalidCoin(
                f"coin {coin.outpoint}: {address} is not one of this wallet's first "
                f"{LOOKAHEAD} addresses"
            )
        keychain = 0 if where.keychain == bdk.KeychainKind.EXTERNAL else 1
        pubkey, source = _key_source(account, keychain, where.index)
        txout = bdk.TxOut(value=bdk.Amount.from_sat(coin.sats), script_pubkey=spk)
        psbt_input = _psbt_input(txout, {pubkey: source})
        outpoint = bdk.OutPoint(txid=bdk.Txid.from_string(coin.txid), vout=coin.vout)
        builder = builder.add_foreign_utxo_with_sequence(
            outpoint, psbt_input, P2WPKH_SATISFACTION_WEIGHT, RBF_SEQUENCE
        )
    to_spk = bdk.Address(recipient, network.bdk()).script_pubkey()
    builder = (
        builder.add_recipient(to_spk, bdk.Amount.from_sat(amount))
        .fee_rate(bdk.FeeRate.from_sat_per_vb(fee_rate))
        .manually_selected_only()
        .only_witness_utxo()
    )
    try:
        psbt = builder.finish(wallet)
    except (bdk.CreateTxError.InsufficientFunds, bdk.CreateTxError.CoinSelection):
        total = sum(c.sats for c in coins)
        raise InsufficientFunds(
            f"the coins given ({total} sat) do not cover {amount} sat plus the fee at "
            f"{fee_rate} sat/vB"
        ) from None
    except bdk.CreateTxError as exc:
        raise InvalidPsbt(f"the transaction cannot be built: {type(exc).__name__}") from None
    return str(psbt.serialize())


def _psbt_input(txout: Any, derivation: dict[str, Any]) -> Any:
    return _bdk().Input(
        non_witness_utxo=None,
        witness_utxo=txout,
        partial_sigs={},
        sighash_type=None,
        redeem_script=None,
        witness_script=None,
        bip32_derivation=derivation,
        final_script_sig=None,
        final_script_witness=None,
        ripemd160_preimages={},
        sha256_preimages={},
        hash160_preimages={},
        hash256_preimages={},
        tap_key_sig=None,
        tap_script_sigs={},
        tap_scripts={},
        tap_key_origins={},
        tap_internal_key=None,
        tap_merkle_root=None,
        proprietary={},
        unknown={},
    )


def summarize(psbt: Any, wallet: Any, network: BitcoinNetwork) -> PsbtSummary:
    bdk = _bdk()
    tx = psbt.extract_tx()
    inputs = []
    signed = 0
    for position, (txin, detail) in enumerate(zip(tx.input(), psbt.input(), strict=True)):
        utxo = detail.witness_utxo
        value = utxo.value.to_sat() if utxo is not None else None
        mine = utxo is not None and wallet.is_mine(utxo.script_pubkey)
        done = bool(detail.partial_sigs) or detail.final_script_witness is not None
        signed += done
        inputs.append(
            {
                "index": position,
                "outpoint": f"{txin.previous_output.txid}:{txin.previous_output.vout}",
                "sats": value,
                "mine": mine,
                "signed": done,
                "sequence": txin.sequence,
            }
        )
    outputs = []
    for txout in tx.output():
        address = str(bdk.Address.from_script(txout.script_pubkey, network.bdk()))
        outputs.append(
            PsbtOutput(address, txout.value.to_sat(), wallet.is_mine(txout.script_pubkey))
        )
    try:
        fee = int(psbt.fee())
    except Exception:
        fee = None
    # The unsigned transaction has no witnesses yet: add each P2WPKH input's witness
    # (about 108 weight units) and the segwit marker, to estimate the signed size.
    vsize = int(tx.vsize()) + (len(inputs) * 108 + 2 + 3) // 4
    return PsbtSummary(inputs, outputs, fee, vsize, signed)


def sign(psbt: Any, private: tuple[str, str], network: BitcoinNetwork) -> int:
    """Sign every input this wallet owns; returns how many carry our signature."""
    bdk = _bdk()
    wallet = watch_wallet(private, network, lookahead=1)
    before = sum(bool(i.partial_sigs) for i in psbt.input())
    options = bdk.SignOptions(
        trust_witness_utxo=True,
        assume_height=None,
        allow_all_sighashes=False,
        try_finalize=False,
        sign_with_tap_internal_key=True,
        allow_grinding=True,
    )
    wallet.sign(psbt, options)
    after = sum(bool(i.partial_sigs) for i in psbt.input())
    if after == before:
        raise NothingSigned("no input of this PSBT spends a coin of this wallet: nothing signed")
    return after


def finalize(psbt: Any) -> str:
    """The raw transaction hex; a PSBT already final gives the same transaction again."""
    result = psbt.finalize()
    if not result.could_finalize:
        raise InvalidPsbt("the PSBT cannot be finalized yet: an input lacks its signature")
    return bytes(result.psbt.extract_tx().serialize()).hex()
