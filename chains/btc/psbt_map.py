"""The PSBT key-value maps (BIP-174), read by us where bdkpython cannot.

bdkpython 3.1.1 parses and signs PSBTs, but its `Psbt.input()` raises TypeError on any input
holding unknown keys, BIP-371 `PSBT_IN_TAP_LEAF_SCRIPT` or `PSBT_IN_TAP_SCRIPT_SIG` entries,
and it accepts a version-0 PSBT carrying BIP-370 version-2-only fields. So the fields a
wallet shows and checks are read here from the bytes: the format is a magic, then maps of
<compact-size key><key><compact-size value><value>, each ended by a 0x00 byte.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from chains.errors import ChainError

MAGIC = b"psbt\xff"
Pair = tuple[bytes, bytes]  # (key: type byte + key data, value)

# BIP-174 / BIP-370 / BIP-371 key types, by map.
GLOBAL_UNSIGNED_TX = 0x00
GLOBAL_VERSION = 0xFB
IN_NON_WITNESS_UTXO = 0x00
IN_WITNESS_UTXO = 0x01
IN_PARTIAL_SIG = 0x02
IN_SIGHASH_TYPE = 0x03
IN_BIP32_DERIVATION = 0x06
IN_FINAL_SCRIPTSIG = 0x07
IN_FINAL_SCRIPTWITNESS = 0x08
IN_TAP_KEY_SIG = 0x13
IN_TAP_SCRIPT_SIG = 0x14
IN_TAP_LEAF_SCRIPT = 0x15
IN_TAP_BIP32_DERIVATION = 0x16
# Fields BIP-370 defines for version 2 only; a version-0 PSBT holding one is invalid.
V2_ONLY = {
    "global": {
        0x02: "PSBT_GLOBAL_TX_VERSION",
        0x03: "PSBT_GLOBAL_FALLBACK_LOCKTIME",
        0x04: "PSBT_GLOBAL_INPUT_COUNT",
        0x05: "PSBT_GLOBAL_OUTPUT_COUNT",
        0x06: "PSBT_GLOBAL_TX_MODIFIABLE",
    },
    "input": {
        0x0E: "PSBT_IN_PREVIOUS_TXID",
        0x0F: "PSBT_IN_OUTPUT_INDEX",
        0x10: "PSBT_IN_SEQUENCE",
        0x11: "PSBT_IN_REQUIRED_TIME_LOCKTIME",
        0x12: "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME",
    },
    "output": {0x03: "PSBT_OUT_AMOUNT", 0x04: "PSBT_OUT_SCRIPT"},
}
SIGHASH_NAMES = {
    0x00: "DEFAULT",
    0x01: "ALL",
    0x02: "NONE",
    0x03: "SINGLE",
    0x81: "ALL|ANYONECANPAY",
    0x82: "NONE|ANYONECANPAY",
    0x83: "SINGLE|ANYONECANPAY",
}


class InvalidPsbt(ChainError):
    code = "invalid-psbt"
    kind = "input"


@dataclass(frozen=True)
class TxOut:
    sats: int
    script: bytes


@dataclass(frozen=True)
class TxIn:
    txid: str  # display order (reversed hash), as explorers and bitcoin-cli print it
    vout: int
    sequence: int


@dataclass(frozen=True)
class Transaction:
    """The parts of a serialized transaction a PSBT check needs."""

    txid: str
    inputs: list[TxIn]
    outputs: list[TxOut]


@dataclass(frozen=True)
class RawPsbt:
    version: int
    globals: list[Pair]
    tx: Transaction  # the unsigned transaction
    inputs: list[list[Pair]]
    outputs: list[list[Pair]]

    def serialize(self) -> bytes:
        parts = [MAGIC]
        for pairs in [self.globals, *self.inputs, *self.outputs]:
            for key, value in pairs:
                parts += [_compact(len(key)), key, _compact(len(value)), value]
            parts.append(b"\x00")
        return b"".join(parts)


def parse(data: bytes) -> RawPsbt:
    """The maps of a version-0 PSBT, refused (naming the field) when it holds a field BIP-370
    reserves for version 2; a version-2 PSBT is refused as not supported."""
    if not data.startswith(MAGIC):
        raise InvalidPsbt("the file is not a PSBT (it does not start with psbt\\xff)")
    reader = _Reader(data, len(MAGIC))
    maps: list[list[Pair]] = []
    while not reader.done():
        maps.append(reader.map())
    if not maps:
        raise InvalidPsbt("the PSBT has no global map")
    globals_ = maps[0]
    version = _version(globals_)
    if version != 0:
        raise InvalidPsbt(
            f"PSBT version {version} (BIP-370) is not supported; export the PSBT as version 0"
        )
    _refuse_v2_fields("global", globals_, "the global map")
    unsigned = [v for k, v in globals_ if k == bytes([GLOBAL_UNSIGNED_TX])]
    if len(unsigned) != 1:
        raise InvalidPsbt("the PSBT has no unsigned transaction (PSBT_GLOBAL_UNSIGNED_TX)")
    tx = parse_transaction(unsigned[0], "PSBT_GLOBAL_UNSIGNED_TX", witness=False)
    n_in, n_out = len(tx.inputs), len(tx.outputs)
    if len(maps) != 1 + n_in + n_out:
        raise InvalidPsbt(
            f"the PSBT has {len(maps) - 1} input and output maps; its transaction needs "
            f"{n_in + n_out}"
        )
    inputs, outputs = maps[1 : 1 + n_in], maps[1 + n_in :]
    for index, pairs in enumerate(inputs):
        _refuse_v2_fields("input", pairs, f"input {index}")
    for index, pairs in enumerate(outputs):
        _refuse_v2_fields("output", pairs, f"output {index}")
    return RawPsbt(version, globals_, tx, inputs, outputs)


def values(pairs: list[Pair], key_type: int) -> list[Pair]:
    """The (key data, value) of every pair of one type."""
    return [(key[1:], value) for key, value in pairs if key[0] == key_type]


def one(pairs: list[Pair], key_type: int) -> bytes | None:
    found = [value for key, value in pairs if key == bytes([key_type])]
    return found[0] if found else None


def parse_txout(data: bytes, field: str) -> TxOut:
    reader = _Reader(data, 0, field)
    out = reader.txout()
    if not reader.done():
        raise InvalidPsbt(f"{field} has trailing bytes")
    return out


def parse_transaction(data: bytes, field: str, *, witness: bool = True) -> Transaction:
    """Legacy or (with `witness`) segwit serialization; the txid hashes the non-witness
    parts. A PSBT's unsigned transaction is never read as segwit (BIP-174)."""
    reader = _Reader(data, 0, field)
    start = reader.pos
    reader.take(4)
    segwit = witness and data[reader.pos : reader.pos + 2] == b"\x00\x01"
    stripped = bytearray(data[start : reader.pos])
    if segwit:
        reader.take(2)
    body = reader.pos
    inputs = []
    for _ in range(reader.count()):
        txid = reader.take(32)[::-1].hex()
        vout = int.from_bytes(reader.take(4), "little")
        reader.take(reader.count())
        inputs.append(TxIn(txid, vout, int.from_bytes(reader.take(4), "little")))
    outputs = [reader.txout() for _ in range(reader.count())]
    stripped += data[body : reader.pos]
    if segwit:
        for _ in inputs:
            for _ in range(reader.count()):
                reader.take(reader.count())
    stripped += reader.take(4)
    if not reader.done():
        raise InvalidPsbt(f"{field} has trailing bytes")
    txid = hashlib.sha256(hashlib.sha256(bytes(stripped)).digest()).digest()[::-1].hex()
    return Transaction(txid, inputs, outputs)


def _version(globals_: list[Pair]) -> int:
    raw = one(globals_, GLOBAL_VERSION)
    if raw is None:
        return 0
    if len(raw) != 4:
        raise InvalidPsbt("PSBT_GLOBAL_VERSION is not 4 bytes")
    return int.from_bytes(raw, "little")


def _refuse_v2_fields(kind: str, pairs: list[Pair], where: str) -> None:
    for key, _ in pairs:
        name = V2_ONLY[kind].get(key[0])
        if name is not None:
            raise InvalidPsbt(
                f"{where} holds {name}, a PSBT version 2 field, in a version-0 PSBT (BIP-370); "
                "refused"
            )


def _compact(value: int) -> bytes:
    if value < 0xFD:
        return bytes([value])
    if value <= 0xFFFF:
        return b"\xfd" + value.to_bytes(2, "little")
    if value <= 0xFFFFFFFF:
        return b"\xfe" + value.to_bytes(4, "little")
    return b"\xff" + value.to_bytes(8, "little")


class _Reader:
    def __init__(self, data: bytes, pos: int, field: str = "the PSBT") -> None:
        self.data, self.pos, self.field = data, pos, field

    def done(self) -> bool:
        return self.pos >= len(self.data)

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise InvalidPsbt(f"{self.field} is truncated")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def count(self) -> int:
        first = self.take(1)[0]
        if first < 0xFD:
            return first
        width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        value = int.from_bytes(self.take(width), "little")
        if value > len(self.data):  # no count can exceed the bytes that would follow
            raise InvalidPsbt(f"{self.field} is truncated")
        return value

    def txout(self) -> TxOut:
        sats = int.from_bytes(self.take(8), "little")
        return TxOut(sats, self.take(self.count()))

    def map(self) -> list[Pair]:
        pairs: list[Pair] = []
        seen: set[bytes] = set()
        while True:
            key_length = self.count()
            if key_length == 0:
                return pairs
            key = self.take(key_length)
            value = self.take(self.count())
            if key in seen:
                raise InvalidPsbt("the PSBT repeats a key in one map")
            seen.add(key)
            pairs.append((key, value))
