"""PSBTs (BIP-174) with bdkpython: create from coins given on the command line, explain,
sign with keys from our vault, combine, finalize.

Coins given by hand (offline or air-gapped use) are "foreign" to bdk's wallet: each becomes
a PSBT input with its witness UTXO and the BIP-32 derivation of our key that owns it, and
signals RBF (nSequence 0xFFFFFFFD). Native segwit (wpkh) accounts only, for now.

What a PSBT holds is read from its key-value maps (`psbt_map`, `psbt_inputs`), not through
bdkpython's `Psbt.input()`, which raises TypeError on taproot script-path and unknown
fields; bdk parses, signs (`psbt_sign`: our inputs, all or none) and finalizes.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from chains.base import PublicAccount
from chains.bip32 import ExtendedPublicKey, parse_extended_key
from chains.btc import psbt_map
from chains.btc.networks import BitcoinNetwork, bitcoin_network
from chains.btc.psbt_inputs import InputView, inputs_of, sighash_name
from chains.btc.psbt_map import InvalidPsbt
from chains.errors import ChainError, InsufficientFunds, InvalidAmount

__all__ = ["InvalidPsbt"]

RBF_SEQUENCE = 0xFFFFFFFD
P2WPKH_SATISFACTION_WEIGHT = 113  # scriptSig length byte x4 + witness: count, sig, pubkey
DUST_SATS = 294  # P2WPKH output dust limit at the default relay fee
LOOKAHEAD = 200
# Base64 text: even a PSBT with hundreds of inputs, each with its full previous transaction,
# stays far below this; anything larger is refused before bdk parses it. A binary PSBT file
# (BIP-174's file form) may hold as many bytes as that text decodes to, 12 MiB.
MAX_PSBT_TEXT = 16 * 1024 * 1024
MAX_PSBT_BYTES = MAX_PSBT_TEXT // 4 * 3
_ORIGIN = re.compile(r"\[([0-9a-f]{8})/([^\]]+)\]")
_TXID = re.compile(r"[0-9a-f]{64}")


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


def load(data: str | bytes) -> Any:
    """A bdk `Psbt` from base64 text or BIP-174's binary file form (`psbt\\xff…`), refused
    unless bdk parses it and its maps pass our checks: a version-0 PSBT with no
    version-2-only field (BIP-370), every previous transaction matching its input."""
    raw = _bytes_of(data)
    try:
        psbt = _bdk().Psbt(base64.b64encode(raw).decode("ascii"))
    except Exception:
        raise InvalidPsbt(_why_unreadable(raw)) from None
    inputs_of(psbt_map.parse(raw))
    return psbt


def raw_bytes(psbt: Any) -> bytes:
    return base64.b64decode(str(psbt.serialize()))


def _bytes_of(data: str | bytes) -> bytes:
    if isinstance(data, bytes) and data.startswith(psbt_map.MAGIC):
        if len(data) > MAX_PSBT_BYTES:
            raise InvalidPsbt(f"the PSBT is larger than {MAX_PSBT_BYTES // 2**20} MiB")
        return data
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    text = text.strip()
    if len(text) > MAX_PSBT_TEXT:
        raise InvalidPsbt(f"the PSBT is longer than {MAX_PSBT_TEXT // 2**20} MiB of base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidPsbt(
            "the file is not a PSBT: neither base64 text nor binary starting psbt\\xff"
        ) from None


def _why_unreadable(raw: bytes) -> str:
    """bdk's parse failed: our reading of the maps often says more (a version-2 PSBT)."""
    try:
        psbt_map.parse(raw)
    except InvalidPsbt as exc:
        if "version" in exc.message:
            return exc.message
    return "the file is not a valid PSBT (malformed or truncated)"


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
    """Inputs and outputs as the maps hold them; `wallet` (a watch wallet) says which are
    ours by script, whether or not the PSBT carries our key's derivation."""
    raw = psbt_map.parse(raw_bytes(psbt))
    views = inputs_of(raw)
    inputs = [_input_json(v, _is_mine(wallet, v.utxo.script if v.utxo else None)) for v in views]
    outputs = [
        PsbtOutput(_address(out.script, network), out.sats, _is_mine(wallet, out.script))
        for out in raw.tx.outputs
    ]
    known = [v.utxo.sats for v in views if v.utxo is not None]
    fee = sum(known) - sum(o.sats for o in outputs) if len(known) == len(views) else None
    # The unsigned transaction has no witnesses yet: add each P2WPKH input's witness
    # (about 108 weight units) and the segwit marker, to estimate the signed size.
    vsize = int(psbt.extract_tx_unchecked_fee_rate().vsize()) + (len(inputs) * 108 + 2 + 3) // 4
    return PsbtSummary(inputs, outputs, fee, vsize, sum(v.signed for v in views))


def _input_json(view: InputView, mine: bool) -> dict[str, Any]:
    return {
        "index": view.index,
        "outpoint": view.outpoint,
        "sats": view.utxo.sats if view.utxo else None,
        "mine": mine,
        "signed": view.signed,
        "sequence": view.sequence,
        "utxo": view.source,
        "sighash": sighash_name(view.sighash) if view.sighash is not None else None,
    }


def _is_mine(wallet: Any, script: bytes | None) -> bool:
    if script is None:
        return False
    return bool(wallet.is_mine(_bdk().Script(script)))


def _address(script: bytes, network: BitcoinNetwork) -> str:
    """The output's address, or its script in hex where it has none (OP_RETURN, bare)."""
    bdk = _bdk()
    try:
        return str(bdk.Address.from_script(bdk.Script(script), network.bdk()))
    except Exception:
        return f"script:{script.hex()}"


def sign(psbt: Any, private: tuple[str, str], network: BitcoinNetwork, watch: Any = None) -> int:
    """Sign every input this wallet owns (see `chains.btc.psbt_sign.sign`)."""
    from chains.btc.psbt_sign import sign as sign_owned

    return sign_owned(psbt, private, network, watch)


def finalize(psbt: Any) -> str:
    """The raw transaction hex; a PSBT already final gives the same transaction again."""
    result = psbt.finalize()
    if not result.could_finalize:
        raise InvalidPsbt("the PSBT cannot be finalized yet: an input lacks its signature")
    return bytes(result.psbt.extract_tx().serialize()).hex()
