"""Our EIP-712 encoder (chains.evm.eip712) against MetaMask eth-sig-util's published V4 cases,
alloy's (what `cast wallet sign --data` computes), and eth-account as an independent
implementation on random documents both accept.

Where eth-sig-util reads a value loosely (the string "false" as true, an address without 0x,
odd-length hex, a number out of its type's range, a number where bytes are expected), the
encoder refuses the document; every case it accepts must give eth-sig-util's exact signature.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from eth_account.messages import _hash_eip191_message, encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.errors import InvalidTypedData
from chains.evm import eip712
from chains.evm.address import from_public_key
from chains.evm.messages import recover, sign_digest
from chains.evm.tx import Signer
from keystore.secret import PrivateKey
from tests.conftest import load_vectors

ESU = load_vectors("eth_sig_util_v4.json")
ALLOY = load_vectors("alloy_eip712.json")
SIGNER = Signer(PrivateKey(bytes.fromhex(ESU["private_key"][2:])))

# eth-sig-util signs these; the encoder refuses them on purpose, with the reason.
REFUSED = {
    "should sign data with a dynamic property set to null": (
        "a null string: eth-sig-util hashes the empty string, eth-account uses 32 zero bytes"
    ),
}


def sign(document: dict[str, Any]) -> str:
    return "0x" + sign_digest(SIGNER, eip712.digest(document)).hex()


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in cases]


@pytest.mark.parametrize("case", ESU["vectors"], ids=_ids(ESU["vectors"]))
def test_eth_sig_util_v4_signatures(case: dict[str, Any]) -> None:
    document = copy.deepcopy(case["typed_data"])
    if case["name"] in REFUSED:
        with pytest.raises(InvalidTypedData, match="missing or null"):
            eip712.digest(document)
        return
    assert sign(document) == case["signature"]
    assert document == case["typed_data"]  # not modified


@pytest.mark.parametrize("case", ESU["eip712_hash"], ids=_ids(ESU["eip712_hash"]))
def test_eth_sig_util_v4_hashes(case: dict[str, Any]) -> None:
    assert "0x" + eip712.digest(case["typed_data"]).hex() == case["hash"]


@pytest.mark.parametrize("case", ESU["same_signature"], ids=_ids(ESU["same_signature"]))
def test_eth_sig_util_v4_same_signature(case: dict[str, Any]) -> None:
    assert len({sign(document) for document in case["documents"]}) == 1


def test_primary_type_eip712domain_signs_the_domain_separator_alone() -> None:
    document = next(c for c in ESU["eip712_hash"] if "uses all fields" in c["name"])
    typed = eip712.parse(document["typed_data"])
    separator = typed.hash_struct("EIP712Domain", typed.domain, "domain")
    from chains.evm.address import keccak256

    assert eip712.digest(document["typed_data"]) == keccak256(b"\x19\x01" + separator)


@pytest.mark.parametrize("case", ESU["throws"], ids=_ids(ESU["throws"]))
def test_eth_sig_util_v4_refusals(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidTypedData):
        eip712.digest(case["typed_data"])


def _accepted(type_: str, value: Any) -> bool:
    """The encoder's reading rules, for the example data."""
    if isinstance(value, dict):
        return False  # a JavaScript Buffer: no JSON form
    if type_.endswith("[]"):
        return all(_accepted(type_[:-2], item) for item in value)
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "address":
        return isinstance(value, str) and bool(re.fullmatch(r"0x[0-9a-fA-F]{40}", value))
    if type_.startswith("bytes"):
        if not isinstance(value, str) or not re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", value):
            return False
        return type_ == "bytes" or len(value) // 2 - 1 <= int(type_[5:])
    number = eip712.integer_value(value)
    bits = int(type_.lstrip("uint") or 256)
    if number is None:
        return False
    if type_.startswith("u"):
        return 0 <= number < 2**bits
    return -(2 ** (bits - 1)) <= number < 2 ** (bits - 1)


def _example(type_: str, value: Any) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": [], "Message": [{"name": "data", "type": type_}]},
        "primaryType": "Message",
        "domain": {},
        "message": {"data": value},
    }


EXAMPLES = ESU["example_data"]
EXAMPLE_IDS = [f"{c['type']}={c['input']!r}"[:60] for c in EXAMPLES]


@pytest.mark.parametrize("case", EXAMPLES, ids=EXAMPLE_IDS)
def test_eth_sig_util_v4_example_data(case: dict[str, Any]) -> None:
    document = _example(case["type"], case["input"])
    if _accepted(case["type"], case["input"]):
        assert sign(document) == case["signature"]
    else:
        with pytest.raises(InvalidTypedData, match=r"message\.data"):
            eip712.digest(document)


def test_most_example_data_is_accepted() -> None:
    # The rules refuse only what implementations read differently: 47 of the 93 examples sign.
    accepted = [c for c in EXAMPLES if _accepted(c["type"], c["input"])]
    assert len(accepted) >= 45
    assert {c["type"] for c in accepted} >= {"string", "bool", "address", "bytes", "bytes32"}


@pytest.mark.parametrize(
    "case", ESU["example_data_errors"], ids=[repr(c["input"]) for c in ESU["example_data_errors"]]
)
def test_eth_sig_util_v4_example_errors(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidTypedData, match=r"message\.data"):
        eip712.digest(_example(case["type"], case["input"]))


@pytest.mark.parametrize("case", ESU["encode_type"], ids=_ids(ESU["encode_type"]))
def test_eth_sig_util_encode_type(case: dict[str, Any]) -> None:
    document = {"types": case["types"], "primaryType": case["primary_type"]}
    if case["name"] == "should encode unrecognized non-primary types":
        # eth-sig-util writes the type string, then cannot encode data of type Person either.
        with pytest.raises(InvalidTypedData, match="unknown type 'Person'"):
            eip712.parse(document)
        return
    typed = eip712.parse(document)
    assert typed.encode_type(case["primary_type"]) == case["encoded"]
    assert "0x" + typed.type_hash(case["primary_type"]).hex() == case["hash"]


def test_eth_sig_util_encode_type_missing_primary() -> None:
    case = ESU["encode_type_errors"][0]
    with pytest.raises(InvalidTypedData, match="'Mail' is not defined"):
        eip712.parse({"types": case["types"], "primaryType": case["primary_type"]})


def test_eth_sig_util_recover() -> None:
    case = ESU["recover"][0]
    recovered = recover(eip712.digest(case["typed_data"]), bytes.fromhex(case["signature"][2:]))
    assert recovered == from_public_key(SIGNER.public_key())
    assert sign(case["typed_data"]) == case["signature"]


@pytest.mark.parametrize("case", ALLOY["vectors"], ids=_ids(ALLOY["vectors"]))
def test_alloy_cast_signing_hashes(case: dict[str, Any]) -> None:
    if case["name"] == "test_full_domain":
        # cast ignores the declared-but-absent salt; eth-sig-util throws; we refuse.
        with pytest.raises(InvalidTypedData, match=r"domain\.salt"):
            eip712.digest(case["typed_data"])
    elif case["name"] == "test_hash_recursive_types":
        # cast refuses recursion; eth-sig-util signs it (see the eth-sig-util vector).
        assert len(eip712.digest(case["typed_data"])) == 32
    else:
        assert "0x" + eip712.digest(case["typed_data"]).hex() == case["signing_hash"]


def test_unused_extra_type_and_explicit_primary_type() -> None:
    case = next(c for c in ALLOY["vectors"] if c["name"] == "test_hash_nested_struct_array")
    types = case["typed_data"]["types"]
    assert "ConsiderationItem" in types  # declared, never referenced
    typed = eip712.parse(case["typed_data"])
    assert "ConsiderationItem" not in typed.encode_type("OrderComponents")


# --- what the encoder refuses, by design --------------------------------------------------

MAIL = load_vectors("eip712.json")["vectors"][0]["typed_data"]


def _mail() -> dict[str, Any]:
    return copy.deepcopy(MAIL)


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        (lambda d: d["domain"].update(salt="0x" + "00" * 32), "not declared in types.EIP712Domain"),
        (lambda d: d["domain"].pop("chainId"), r"domain\.chainId"),
        (lambda d: d["types"].update(uint256=[]), "not a valid struct name"),
        (lambda d: d["types"].update({"Bad Name": []}), "not a valid struct name"),
        (lambda d: d["types"]["Mail"].append({"name": "to", "type": "string"}), "twice"),
        (lambda d: d["types"]["Mail"].append({"name": "x", "type": "uint7"}), "unknown type"),
        (lambda d: d["types"]["Mail"].append({"name": "x", "type": "Person[0]"}), "malformed"),
        (lambda d: d["types"]["Mail"].append({"name": "x", "type": "Person[01]"}), "malformed"),
        (lambda d: d["types"]["Mail"].append({"name": "x", "type": "Nope[]"}), "unknown type"),
        (lambda d: d["types"]["Mail"].append({"name": "x"}), "lacks a string name or type"),
        (lambda d: d["types"].update(Mail={}), "list of"),
        (lambda d: d["types"]["EIP712Domain"].append({"name": "p", "type": "Person"}), "struct"),
        (lambda d: d["message"].update(contents=7), r"message\.contents \(string\)"),
        (lambda d: d["message"]["from"].update(wallet="0x12"), r"message\.from\.wallet"),
        (lambda d: d.update(primaryType=7), "primaryType"),
        (lambda d: d.update(domain=[]), "domain must be an object"),
        (lambda d: d.update(message="hi"), "message must be an object"),
    ],
)
def test_refusals_name_the_problem(damage: Any, needle: str) -> None:
    document = _mail()
    damage(document)
    with pytest.raises(InvalidTypedData, match=needle):
        eip712.digest(document)


def _one_field(type_: str, value: Any) -> dict[str, Any]:
    return _example(type_, value)


@pytest.mark.parametrize(
    ("type_", "value", "needle"),
    [
        ("uint256[2]", [1], "must have 2 items, not 1"),
        ("uint256[]", "1,2", "must be an array"),
        ("uint8", 256, "out of range"),
        ("int8", -129, "out of range"),
        ("uint256", -1, "out of range"),
        ("uint256", 1.5, "whole number"),
        ("uint256", True, "whole number"),
        ("uint256", " 1", "whole number"),
        ("bytes2", "0x010203", "3 bytes, more than 2"),
        ("string", "\ud800", "not valid Unicode"),
    ],
)
def test_value_refusals(type_: str, value: Any, needle: str) -> None:
    with pytest.raises(InvalidTypedData, match=needle):
        eip712.digest(_one_field(type_, value))


def test_fixed_and_nested_arrays() -> None:
    from chains.evm.address import keccak256

    document = _one_field("uint8[2][]", [[1, 2], [3, 4]])
    typed = eip712.parse(document)
    word = lambda n: n.to_bytes(32, "big")  # noqa: E731
    inner = [keccak256(word(1) + word(2)), keccak256(word(3) + word(4))]
    expected = keccak256(typed.type_hash("Message") + keccak256(b"".join(inner)))
    assert typed.hash_struct("Message", document["message"], "message") == expected
    assert typed.encode_type("Message") == "Message(uint8[2][] data)"


@pytest.mark.parametrize(
    ("type_", "value", "word"),
    [
        ("int16", -2, b"\xff" * 31 + b"\xfe"),
        ("int256", -(2**255), b"\x80" + bytes(31)),
        ("uint256", 2**256 - 1, b"\xff" * 32),
        ("uint256", "0x" + "f" * 64, b"\xff" * 32),
    ],
)
def test_integer_words(type_: str, value: Any, word: bytes) -> None:
    typed = eip712.parse(_one_field(type_, value))
    assert typed.encode_data("Message", {"data": value}, "message")[32:] == word


def test_a_long_chain_of_types_is_no_recursion_error() -> None:
    count = 5000
    types: dict[str, Any] = {f"T{i}": [{"name": "next", "type": f"T{i + 1}"}] for i in range(count)}
    types[f"T{count}"] = [{"name": "v", "type": "uint8"}]
    document = {"types": types, "primaryType": "T0", "domain": {}, "message": {}}
    assert len(eip712.digest(document)) == 32


# --- eth-account, an independent implementation ------------------------------------------

ATOMIC = st.sampled_from(
    [
        *("uint256", "uint8", "uint64", "int256", "int32", "bool", "address", "string"),
        *("bytes", "bytes1", "bytes20", "bytes32"),
    ]
)


def _value(type_: str) -> st.SearchStrategy[Any]:
    if type_.startswith("uint"):
        return st.integers(0, 2 ** int(type_[4:]) - 1)
    if type_.startswith("int"):
        bits = int(type_[3:])
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if type_ == "bool":
        return st.booleans()
    if type_ == "address":
        return st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
    if type_ == "string":
        return st.text(max_size=40)
    if type_ == "bytes":
        return st.binary(max_size=70).map(lambda b: "0x" + b.hex())
    size = int(type_[5:])
    return st.binary(min_size=size, max_size=size).map(lambda b: "0x" + b.hex())


DOMAIN_FIELDS = [
    ("name", "string", st.text(max_size=20)),
    ("version", "string", st.text(max_size=5)),
    ("chainId", "uint256", st.integers(0, 2**64)),
    ("verifyingContract", "address", _value("address")),
    ("salt", "bytes32", _value("bytes32")),
]


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A primary struct with an inner struct and arrays; a domain in the standard order."""
    picked = [f for f in DOMAIN_FIELDS if draw(st.booleans())]
    domain_types = [{"name": n, "type": t} for n, t, _ in picked]
    domain = {n: draw(s) for n, _, s in picked}
    inner_types = draw(st.lists(ATOMIC, min_size=1, max_size=4))
    outer_types = draw(st.lists(ATOMIC, min_size=0, max_size=4))
    inner = [{"name": f"i{n}", "type": t} for n, t in enumerate(inner_types)]
    outer = [{"name": f"o{n}", "type": t} for n, t in enumerate(outer_types)]
    outer += [
        {"name": "child", "type": "Inner"},
        {"name": "children", "type": "Inner[]"},
        {"name": "numbers", "type": "uint16[]"},
    ]

    def inner_value() -> dict[str, Any]:
        return {f["name"]: draw(_value(f["type"])) for f in inner}

    message = {f["name"]: draw(_value(f["type"])) for f in outer[: len(outer_types)]}
    message["child"] = inner_value()
    message["children"] = [inner_value() for _ in range(draw(st.integers(0, 3)))]
    message["numbers"] = draw(st.lists(_value("uint16"), max_size=4))
    return {
        "types": {"EIP712Domain": domain_types, "Inner": inner, "Outer": outer},
        "primaryType": "Outer",
        "domain": domain,
        "message": message,
    }


@settings(max_examples=150, deadline=None)
@given(documents())
def test_matches_eth_account(document: dict[str, Any]) -> None:
    reference = _hash_eip191_message(encode_typed_data(full_message=copy.deepcopy(document)))
    assert eip712.digest(document) == bytes(reference)
