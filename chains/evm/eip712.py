"""EIP-712 typed structured data: encodeType, encodeData, hashStruct and the signing digest.

Spec: https://eips.ethereum.org/EIPS/eip-712. The digest is the one MetaMask's eth-sig-util
`signTypedData` V4 computes (and `cast wallet sign --data` where the two agree):
`keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))`, or only
`keccak256(0x1901 ‖ domainSeparator)` when `primaryType` is `EIP712Domain`. The domain is
hashed as `types.EIP712Domain` declares it (fields in the declared order; absent means none).

Values are read strictly: where the implementations read a value differently (the string
`"false"` as a bool, an address without `0x`, odd-length hex, a number out of its type's
range, a domain field that `types.EIP712Domain` does not declare and so would not be signed),
the document is refused, naming the field, rather than signed in a way nobody can verify.
A struct-typed field that is missing or null hashes as 32 zero bytes, as V4 does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chains.errors import InvalidTypedData
from chains.evm.address import keccak256

DOMAIN = "EIP712Domain"
_INT = re.compile(r"(u?)int([0-9]*)")
_BYTES_N = re.compile(r"bytes([0-9]+)")
_ARRAY = re.compile(r"(.+)\[([0-9]*)\]")
_STRUCT_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_TYPE = re.compile(r"([A-Za-z_$][A-Za-z0-9_$]*)(?:\[(?:[1-9][0-9]*)?\])*")
_DECIMAL = re.compile(r"-?[0-9]+")
_HEX_NUMBER = re.compile(r"0x[0-9a-fA-F]+")
_HEX_BYTES = re.compile(r"0x(?:[0-9a-fA-F]{2})*")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_ZERO = bytes(32)
Fields = list[tuple[str, str]]


def digest(document: dict[str, Any]) -> bytes:
    """The 32 bytes a wallet signs for an `eth_signTypedData_v4` document."""
    typed = parse(document)
    separator = typed.hash_struct(DOMAIN, typed.domain, "domain")
    if typed.primary_type == DOMAIN:
        return keccak256(b"\x19\x01" + separator)
    message = typed.hash_struct(typed.primary_type, typed.message, "message")
    return keccak256(b"\x19\x01" + separator + message)


def parse(document: object) -> TypedData:
    """A checked document: its types well formed, its domain fully declared."""
    if not isinstance(document, dict):
        raise InvalidTypedData("typed data must be a JSON object")
    raw_types = document.get("types")
    primary = document.get("primaryType")
    if not isinstance(raw_types, dict):
        raise InvalidTypedData("typed data lacks 'types' (an object of struct definitions)")
    if not isinstance(primary, str) or not primary:
        raise InvalidTypedData("typed data lacks 'primaryType' (a type name)")
    domain = document.get("domain", {})
    message = document.get("message", {})
    if not isinstance(domain, dict):
        raise InvalidTypedData("typed data's domain must be an object")
    if not isinstance(message, dict):
        raise InvalidTypedData("typed data's message must be an object")
    types = {name: _fields(name, fields) for name, fields in raw_types.items()}
    types.setdefault(DOMAIN, [])
    if primary not in types:
        raise InvalidTypedData(f"typed data's primaryType {primary!r} is not defined in types")
    _check_field_types(types, primary)
    _check_field_types(types, DOMAIN)
    declared = set()
    for name, ftype in types[DOMAIN]:
        if _base(ftype) in types:
            raise InvalidTypedData(
                f"types.EIP712Domain field {name!r} has a struct type; only atomic and dynamic "
                "types are allowed there"
            )
        declared.add(name)
    for key in domain:
        if key not in declared:
            raise InvalidTypedData(
                f"domain field {key!r} is not declared in types.EIP712Domain, so it would not "
                "be signed; refusing the document"
            )
    return TypedData(types, primary, domain, message)


@dataclass
class TypedData:
    types: dict[str, Fields]
    primary_type: str
    domain: dict[str, Any]
    message: dict[str, Any]
    _type_hashes: dict[str, bytes] = field(default_factory=dict, repr=False)

    def encode_type(self, name: str) -> str:
        """`Name(type field,…)` followed by every referenced struct, sorted by name."""
        if name not in self.types:
            raise InvalidTypedData(f"type {name!r} is not defined in types")
        deps = self._dependencies(name)
        deps.discard(name)
        return "".join(
            f"{t}({','.join(f'{ftype} {fname}' for fname, ftype in self.types[t])})"
            for t in [name, *sorted(deps)]
        )

    def type_hash(self, name: str) -> bytes:
        if name not in self._type_hashes:
            self._type_hashes[name] = keccak256(self.encode_type(name).encode())
        return self._type_hashes[name]

    def hash_struct(self, name: str, value: dict[str, Any], where: str) -> bytes:
        return keccak256(self.encode_data(name, value, where))

    def encode_data(self, name: str, value: dict[str, Any], where: str) -> bytes:
        parts = [self.type_hash(name)]
        for fname, ftype in self.types[name]:
            parts.append(self._field(ftype, value.get(fname), f"{where}.{fname}"))
        return b"".join(parts)

    def _field(self, ftype: str, value: Any, where: str) -> bytes:
        array = _ARRAY.fullmatch(ftype)
        if array is not None:
            return self._array(array.group(1), array.group(2), value, where, ftype)
        if ftype in self.types:
            if value is None:
                return _ZERO  # V4: a missing or null struct (how recursion ends)
            if not isinstance(value, dict):
                raise _bad(where, ftype, "must be an object")
            return self.hash_struct(ftype, value, where)
        if value is None:
            raise _bad(where, ftype, "is missing or null")
        return _atomic(ftype, value, where)

    def _array(self, item: str, length: str, value: Any, where: str, ftype: str) -> bytes:
        if not isinstance(value, list):
            raise _bad(where, ftype, "must be an array")
        if length and len(value) != int(length):
            raise _bad(where, ftype, f"must have {int(length)} items, not {len(value)}")
        words = [self._field(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return keccak256(b"".join(words))

    def _dependencies(self, name: str) -> set[str]:
        """Every struct reachable from `name`, walked without recursion (deep chains are
        legal JSON)."""
        found: set[str] = set()
        stack = [name]
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            for _, ftype in self.types[current]:
                base = _base(ftype)
                if base in self.types and base not in found:
                    stack.append(base)
        return found


def _fields(name: object, fields: object) -> Fields:
    """One struct definition, every field type known or refused by name."""
    if not isinstance(name, str) or not _STRUCT_NAME.fullmatch(name) or _is_atomic(name):
        raise InvalidTypedData(f"typed data type name {name!r} is not a valid struct name")
    if not isinstance(fields, list):
        raise InvalidTypedData(f"types.{name} must be a list of {{name, type}} objects")
    result: Fields = []
    for entry in fields:
        if not isinstance(entry, dict):
            raise InvalidTypedData(f"types.{name} must be a list of {{name, type}} objects")
        fname, ftype = entry.get("name"), entry.get("type")
        if not isinstance(fname, str) or not isinstance(ftype, str):
            raise InvalidTypedData(f"a field of types.{name} lacks a string name or type")
        if any(fname == seen for seen, _ in result):
            raise InvalidTypedData(f"types.{name} declares field {fname!r} twice")
        result.append((fname, ftype))
    return result


def _check_field_types(types: dict[str, Fields], root: str) -> None:
    """Every field type reachable from `root` is atomic, dynamic or a defined struct, with
    well-formed array suffixes (`T[]`, `T[3]`), so an empty array cannot hide a bad type."""
    seen: set[str] = set()
    stack = [root]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        for fname, ftype in types[name]:
            shape = _TYPE.fullmatch(ftype)
            base = shape.group(1) if shape else ftype
            if shape is None:
                raise InvalidTypedData(f"types.{name}.{fname} has a malformed type {ftype!r}")
            if base in types:
                stack.append(base)
            elif not _is_atomic(base):
                raise InvalidTypedData(f"types.{name}.{fname} has unknown type {ftype!r}")


def _base(ftype: str) -> str:
    """`Person[2][]` → `Person`."""
    return ftype.split("[", 1)[0]


def _is_atomic(name: str) -> bool:
    if name in ("address", "bool", "string", "bytes"):
        return True
    number = _INT.fullmatch(name)
    if number is not None:
        bits = number.group(2)
        return not bits or (bits[0] != "0" and 8 <= int(bits) <= 256 and int(bits) % 8 == 0)
    size = _BYTES_N.fullmatch(name)
    return size is not None and size.group(1)[0] != "0" and 1 <= int(size.group(1)) <= 32


def _atomic(ftype: str, value: Any, where: str) -> bytes:
    if not _is_atomic(ftype):
        raise InvalidTypedData(f"typed data field {where} has unknown type {ftype!r}")
    if ftype == "string":
        if not isinstance(value, str):
            raise _bad(where, ftype, "must be a JSON string")
        try:
            return keccak256(value.encode("utf-8"))
        except UnicodeEncodeError:
            raise _bad(where, ftype, "is not valid Unicode text") from None
    if ftype == "bool":
        if not isinstance(value, bool):
            raise _bad(where, ftype, "must be true or false")
        return int(value).to_bytes(32, "big")
    if ftype == "address":
        if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
            raise _bad(where, ftype, "must be 0x and 40 hex digits")
        return bytes(12) + bytes.fromhex(value[2:])
    if ftype.startswith("bytes"):
        data = _hex_bytes(value, where, ftype)
        if ftype == "bytes":
            return keccak256(data)
        size = int(ftype[5:])
        if len(data) > size:
            raise _bad(where, ftype, f"is {len(data)} bytes, more than {size}")
        return data.ljust(32, b"\x00")
    return (_integer(ftype, value, where) % 2**256).to_bytes(32, "big")  # two's complement


def _hex_bytes(value: Any, where: str, ftype: str) -> bytes:
    if not isinstance(value, str) or not _HEX_BYTES.fullmatch(value):
        raise _bad(where, ftype, "must be 0x and an even number of hex digits")
    return bytes.fromhex(value[2:])


def _integer(ftype: str, value: Any, where: str) -> int:
    match = _INT.fullmatch(ftype)
    assert match is not None
    unsigned, bits = match.group(1) == "u", int(match.group(2) or 256)
    number = integer_value(value)
    if number is None:
        raise _bad(where, ftype, "must be a whole number (JSON number, decimal or 0x text)")
    low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not low <= number <= high:
        raise _bad(where, ftype, "is out of range for its type")
    return number


def integer_value(value: Any) -> int | None:
    """A JSON integer, or text in decimal (`"-5"`) or hex (`"0x1f"`); else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if _DECIMAL.fullmatch(value):
            return int(value, 10)
        if _HEX_NUMBER.fullmatch(value):
            return int(value[2:], 16)
    return None


def _bad(where: str, ftype: str, reason: str) -> InvalidTypedData:
    return InvalidTypedData(f"typed data field {where} ({ftype}) {reason}")
