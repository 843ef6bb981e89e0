"""What each PSBT input spends and carries, read from the key-value maps and checked.

An input's coin comes from `PSBT_IN_WITNESS_UTXO` (the output alone) or
`PSBT_IN_NON_WITNESS_UTXO` (the whole previous transaction, which is safer: its hash must
be the input's previous txid, so the amount cannot lie). A previous transaction whose hash
or output count does not fit the input is refused before bdk sees it: bdk signs such an
input anyway, and aborts the process when the output index is out of range.
"""

from __future__ import annotations

from dataclasses import dataclass

from chains.btc import psbt_map as m
from chains.btc.psbt_map import InvalidPsbt

SIGNATURE_FIELDS = (
    m.IN_PARTIAL_SIG,
    m.IN_FINAL_SCRIPTSIG,
    m.IN_FINAL_SCRIPTWITNESS,
    m.IN_TAP_KEY_SIG,
    m.IN_TAP_SCRIPT_SIG,
)


@dataclass(frozen=True)
class InputView:
    index: int
    txid: str
    vout: int
    sequence: int
    utxo: m.TxOut | None  # the coin spent, when the PSBT says
    source: str | None  # "witness_utxo" or "non_witness_utxo"
    sighash: int | None  # PSBT_IN_SIGHASH_TYPE, when set
    signed: bool
    fingerprints: frozenset[str]  # master key fingerprints of its BIP-32 / BIP-371 origins

    @property
    def outpoint(self) -> str:
        return f"{self.txid}:{self.vout}"

    @property
    def taproot(self) -> bool:
        script = self.utxo.script if self.utxo else b""
        return len(script) == 34 and script[:2] == b"\x51\x20"


def sighash_name(value: int) -> str:
    return f"{m.SIGHASH_NAMES.get(value, 'unknown')} (0x{value:02x})"


def inputs_of(raw: m.RawPsbt) -> list[InputView]:
    return [_view(raw, index, pairs) for index, pairs in enumerate(raw.inputs)]


def _view(raw: m.RawPsbt, index: int, pairs: list[m.Pair]) -> InputView:
    spent = raw.tx.inputs[index]
    where = f"input {index} ({spent.txid}:{spent.vout})"
    witness = _witness_utxo(pairs, where)
    previous = _previous_output(pairs, spent, where)
    if witness is not None and previous is not None and witness != previous:
        raise InvalidPsbt(
            f"{where}: PSBT_IN_WITNESS_UTXO and PSBT_IN_NON_WITNESS_UTXO disagree on the coin "
            "it spends; refused"
        )
    sighash_raw = m.one(pairs, m.IN_SIGHASH_TYPE)
    if sighash_raw is not None and len(sighash_raw) != 4:
        raise InvalidPsbt(f"{where}: PSBT_IN_SIGHASH_TYPE is not 4 bytes")
    keys = {key[0] for key, _ in pairs}
    return InputView(
        index=index,
        txid=spent.txid,
        vout=spent.vout,
        sequence=spent.sequence,
        utxo=previous or witness,
        source="non_witness_utxo" if previous else "witness_utxo" if witness else None,
        sighash=int.from_bytes(sighash_raw, "little") if sighash_raw is not None else None,
        signed=any(field in keys for field in SIGNATURE_FIELDS),
        fingerprints=_fingerprints(pairs, where),
    )


def _fingerprints(pairs: list[m.Pair], where: str) -> frozenset[str]:
    """BIP-174: fingerprint (4 bytes) then path; BIP-371 puts the leaf hashes first."""
    found = set()
    for _, value in m.values(pairs, m.IN_BIP32_DERIVATION):
        found.add(value[:4].hex())
    for _, value in m.values(pairs, m.IN_TAP_BIP32_DERIVATION):
        leaves = value[0] if value and value[0] < 0xFD else None
        if leaves is None or len(value) < 1 + 32 * leaves + 4:
            raise InvalidPsbt(f"{where}: PSBT_IN_TAP_BIP32_DERIVATION cannot be read")
        found.add(value[1 + 32 * leaves : 5 + 32 * leaves].hex())
    return frozenset(found)


def _witness_utxo(pairs: list[m.Pair], where: str) -> m.TxOut | None:
    value = m.one(pairs, m.IN_WITNESS_UTXO)
    if value is None:
        return None
    return m.parse_txout(value, f"{where}: PSBT_IN_WITNESS_UTXO")


def _previous_output(pairs: list[m.Pair], spent: m.TxIn, where: str) -> m.TxOut | None:
    value = m.one(pairs, m.IN_NON_WITNESS_UTXO)
    if value is None:
        return None
    previous = m.parse_transaction(value, f"{where}: PSBT_IN_NON_WITNESS_UTXO")
    if previous.txid != spent.txid:
        raise InvalidPsbt(
            f"{where}: its PSBT_IN_NON_WITNESS_UTXO is transaction {previous.txid}, not the "
            "one the input spends; refused"
        )
    if spent.vout >= len(previous.outputs):
        raise InvalidPsbt(
            f"{where}: its previous transaction has {len(previous.outputs)} outputs, no "
            f"output {spent.vout}; refused"
        )
    return previous.outputs[spent.vout]
