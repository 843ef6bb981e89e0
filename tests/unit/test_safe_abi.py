"""Our Safe encodings checked against independent implementations: the SafeTx hash against
safe-eth-py's own SafeTx, the ABI calls against eth_abi, the ordered signatures against
safe-eth-py's signature parser; and the SafeTx file refusing what a hostile cosigner could
hand over. (The hash against the deployed contract's getTransactionHash:
tests/integration/test_safe_multisig.py.)"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.evm import abi, safe_abi, safe_file
from chains.evm.safe_abi import SafeError
from chains.evm.tx import Signer
from keystore.secret import PrivateKey
from tests.conftest import load_vectors

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
SAFE = "0x" + "5a" * 20
DEST = ANVIL[5]["address"].lower()


def safe_eth() -> Any:
    """safe-eth-py's SafeTx and SafeSignature. Importing it (web3, py-evm) raises the
    process's recursion limit for good; it is put back, since other tests in this worker
    rely on the default limit (deep JSON must fail cleanly, not crash the process)."""
    limit = sys.getrecursionlimit()
    try:
        from safe_eth.safe import safe_signature, safe_tx
    finally:
        sys.setrecursionlimit(limit)
    return safe_tx.SafeTx, safe_signature.SafeSignature


def signer(i: int) -> Signer:
    return Signer(PrivateKey(bytes.fromhex(ANVIL[i]["private_key"].removeprefix("0x"))))


@settings(max_examples=40, deadline=None)
@given(
    chain_id=st.integers(1, 2**64),
    safe=addresses,
    to=addresses,
    value=st.integers(0, 2**256 - 1),
    data=st.binary(max_size=100),
    nonce=st.integers(0, 2**256 - 1),
)
def test_hash_is_safe_eth_pys(
    chain_id: int, safe: str, to: str, value: int, data: bytes, nonce: int
) -> None:
    safe_tx_class = safe_eth()[0]
    theirs = safe_tx_class(
        None, safe, to, value, data, 0, 0, 0, 0, None, None,
        safe_nonce=nonce, safe_version="1.4.1", chain_id=chain_id,
    )  # fmt: skip
    ours = safe_abi.tx_hash(chain_id, safe, safe_abi.simple_tx(to, value, data, nonce))
    assert ours == bytes(theirs.safe_tx_hash)


@settings(max_examples=30, deadline=None)
@given(owners=st.lists(addresses, min_size=1, max_size=6), threshold=st.integers(1, 6))
def test_setup_and_exec_calls_are_eth_abis(owners: list[str], threshold: int) -> None:
    from eth_abi import encode

    zero = safe_abi.ZERO_ADDRESS
    expected = encode(
        ["address[]", "uint256", "address", "bytes", "address", "address", "uint256", "address"],
        [owners, threshold, zero, b"", zero, zero, 0, zero],
    )
    assert safe_abi.setup_call(owners, threshold)[4:] == expected
    tx = safe_abi.simple_tx(owners[0], threshold, bytes(threshold * 7), 3)
    types = [t for _, t in safe_abi.SAFE_TX_FIELDS[:-1]] + ["bytes"]
    signatures = bytes(65 * threshold)
    assert safe_abi.exec_call(tx, signatures)[4:] == encode(types, [*tx.values()[:-1], signatures])
    proxy = safe_abi.create_proxy_call(owners[0], b"\x01" * 37, 99)[4:]
    assert proxy == encode(["address", "bytes", "uint256"], [owners[0], b"\x01" * 37, 99])


def test_selectors_are_the_contracts() -> None:
    assert safe_abi.selector("getOwners()").hex() == "a0e67e2b"
    assert safe_abi.selector("nonce()").hex() == "affed0e0"
    execute = (
        "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)"
    )
    assert safe_abi.selector(execute).hex() == "6a761202"


def test_signatures_are_ordered_by_owner_as_the_contract_reads_them() -> None:
    safe_signature = safe_eth()[1]
    digest = safe_abi.tx_hash(31337, SAFE, safe_abi.simple_tx(DEST, 1, b"", 0))
    signed = {}
    for i in (2, 0, 1):
        signature = safe_abi.sign(digest, signer(i).sign_digest)
        owner = safe_abi.signer_of(digest, signature)
        assert owner == ANVIL[i]["address"].lower()
        signed[owner] = signature
    parsed = safe_signature.parse_signature(safe_abi.ordered(signed), digest)
    owners = [str(p.owner).lower() for p in parsed]
    assert owners == sorted(signed, key=lambda a: int(a, 16))
    assert owners != [ANVIL[i]["address"].lower() for i in (2, 0, 1)]


def _file(amount: int = 10**18, signers: tuple[int, ...] = (1,)) -> dict[str, Any]:
    proposal = safe_file.new(31337, SAFE, safe_file.transfer_tx(DEST, amount, None, 4))
    for i in signers:
        proposal.signatures[ANVIL[i]["address"].lower()] = safe_abi.sign(
            proposal.hash, signer(i).sign_digest
        )
    return json.loads(json.dumps(proposal.to_json()))


def test_a_good_file_round_trips() -> None:
    document = _file(signers=(1, 2))
    proposal = safe_file.parse(document)
    assert proposal.to_json() == document
    transfer = safe_file.decode(proposal.tx)
    assert (transfer.recipient, transfer.amount, transfer.token) == (DEST, 10**18, None)


def _edited(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(_file())
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["tx"].update(value="2000000000000000000"), "edited"),
        (lambda d: d.update(chain_id=1), "edited"),
        (lambda d: d.update(safe="0x" + "77" * 20), "edited"),
        (lambda d: d.update(chain_id=True), "chain_id"),
        (lambda d: d.update(nonce=5), "nonce"),
        (lambda d: d["tx"].update(extra=1), "exactly"),
        (lambda d: d["tx"].update(value="-1"), "unsigned"),
        (lambda d: d["signatures"][0].update(owner=ANVIL[3]["address"]), "not theirs"),
        (lambda d: d["signatures"].append(dict(d["signatures"][0])), "two signatures"),
        (lambda d: d["signatures"][0].update(signature="0x" + "00" * 65), "v 27 or 28"),
        (lambda d: d.update(format="other"), "version-1"),
    ],
)
def test_hostile_files_are_refused(change: Any, message: str) -> None:
    with pytest.raises(SafeError, match=message):
        safe_file.parse(_edited(change))


def test_edited_fields_with_a_refreshed_hash_keep_no_signature() -> None:
    document = _file()
    tx = safe_file.transfer_tx(DEST, 5 * 10**18, None, 4)
    document["tx"] = tx.to_json()
    document["hash"] = "0x" + safe_abi.tx_hash(31337, SAFE, tx).hex()
    with pytest.raises(SafeError, match="not theirs"):
        safe_file.parse(document)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"operation": 1}, "delegatecall"),
        ({"gas_price": 1}, "refund"),
        ({"refund_receiver": DEST}, "refund receiver"),
        ({"data": bytes.fromhex("095ea7b3") + bytes(64)}, "other than"),
    ],
)
def test_only_plain_transfers_are_decoded(fields: dict[str, Any], message: str) -> None:
    tx = safe_abi.simple_tx(DEST, 0, b"", 0)
    with pytest.raises(SafeError, match=message):
        safe_file.decode(safe_abi.SafeTx(**{**tx.__dict__, **fields}))


def test_token_transfer_is_decoded_from_its_call_data() -> None:
    token = "0x" + "3c" * 20
    tx = safe_file.transfer_tx(DEST, 3_500_000, token, 0)
    assert tx.data == abi.transfer_call(DEST, 3_500_000)
    assert safe_file.decode(tx) == safe_file.Transfer(DEST, 3_500_000, token)
