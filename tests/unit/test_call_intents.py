"""The call-data decoders (chains/evm/call_intents.py) against calls encoded independently
by eth-abi, with selectors computed from the signatures by eth-utils: what each call grants,
what it only names, and malformed or look-alike data that must decode to nothing."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector

from chains.base import Grant, Mention
from chains.evm.call_intents import (
    MAX_UINT256,
    PERMIT2,
    allowance_call,
    approve_call,
    decode_call,
    is_unlimited,
)

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
SPENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def call(signature: str, types: list[str], values: list[Any]) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, values)


def test_approve_grants_the_spender_the_amount_of_the_called_token() -> None:
    data = call("approve(address,uint256)", ["address", "uint256"], [SPENDER, 1_000_000])
    intents = decode_call(TOKEN, data)
    assert intents.name == "approve"
    assert intents.grants == (
        Grant("approve", TOKEN, SPENDER, 1_000_000, False, None, "approve.spender"),
    )
    assert intents.mentions == (Mention(SPENDER, "spender", "approve.spender"),)


@pytest.mark.parametrize(
    ("amount", "unlimited"),
    [(MAX_UINT256, True), (2**255, True), (MAX_UINT256 - 10**30, True), (2**255 - 1, False)],
)
def test_the_maximum_or_near_it_is_unlimited(amount: int, unlimited: bool) -> None:
    data = call("approve(address,uint256)", ["address", "uint256"], [SPENDER, amount])
    (grant,) = decode_call(TOKEN, data).grants
    assert grant.amount == amount
    assert grant.unlimited is unlimited


def test_approve_of_zero_is_a_revocation_and_grants_nothing() -> None:
    data = call("approve(address,uint256)", ["address", "uint256"], [SPENDER, 0])
    intents = decode_call(TOKEN, data)
    assert intents.name == "approve"
    assert intents.grants == ()
    assert intents.mentions == ()
    assert approve_call(SPENDER, 0) == data  # what `wallet revoke` sends


def test_increase_allowance_grants_the_added_amount() -> None:
    data = call(
        "increaseAllowance(address,uint256)", ["address", "uint256"], [SPENDER, MAX_UINT256]
    )
    (grant,) = decode_call(TOKEN, data).grants
    assert (grant.kind, grant.token, grant.spender) == ("increase-allowance", TOKEN, SPENDER)
    assert grant.amount == MAX_UINT256
    assert grant.unlimited
    assert decode_call(TOKEN, data).mentions == (
        Mention(SPENDER, "spender", "increaseAllowance.spender"),
    )


def test_set_approval_for_all_true_grants_everything_false_grants_nothing() -> None:
    on = call("setApprovalForAll(address,bool)", ["address", "bool"], [OTHER, True])
    (grant,) = decode_call(TOKEN, on).grants
    assert grant == Grant(
        "approval-for-all", TOKEN, OTHER, None, True, None, "setApprovalForAll.operator"
    )
    assert decode_call(TOKEN, on).mentions == (
        Mention(OTHER, "operator", "setApprovalForAll.operator"),
    )
    off = call("setApprovalForAll(address,bool)", ["address", "bool"], [OTHER, False])
    assert decode_call(TOKEN, off).grants == ()
    assert decode_call(TOKEN, off).mentions == ()
    assert decode_call(TOKEN, off).name == "setApprovalForAll"


def test_permit2_approve_grants_the_token_argument_with_its_expiry() -> None:
    signature = "approve(address,address,uint160,uint48)"
    types = ["address", "address", "uint160", "uint48"]
    data = call(signature, types, [TOKEN, SPENDER, 2**160 - 1, 1_900_000_000])
    (grant,) = decode_call(PERMIT2, data).grants
    assert grant.kind == "permit2-approve"
    assert grant.token == TOKEN  # the token is an argument, not the contract called
    assert grant.spender == SPENDER
    assert grant.amount == 2**160 - 1
    assert grant.unlimited
    assert grant.expires == 1_900_000_000
    assert decode_call(PERMIT2, data).mentions == (
        Mention(TOKEN, "other", "approve.token"),
        Mention(SPENDER, "spender", "approve.spender"),
    )
    small = call(signature, types, [TOKEN, SPENDER, 5 * 10**6, 0])
    (limited,) = decode_call(PERMIT2, small).grants
    assert not limited.unlimited
    assert limited.amount == 5 * 10**6
    assert limited.expires is None  # 0: Permit2 reads it as "this block"; nothing later


def test_permit2_approve_with_arguments_out_of_their_types_is_not_decoded() -> None:
    selector = function_signature_to_4byte_selector("approve(address,address,uint160,uint48)")
    too_big = encode(["address", "address", "uint256", "uint48"], [TOKEN, SPENDER, 2**160, 1])
    assert decode_call(PERMIT2, selector + too_big).grants == ()
    late = encode(["address", "address", "uint160", "uint256"], [TOKEN, SPENDER, 1, 2**48])
    assert decode_call(PERMIT2, selector + late).grants == ()


def test_transfers_name_their_addresses_and_grant_nothing() -> None:
    data = call("transfer(address,uint256)", ["address", "uint256"], [OTHER, 5])
    intents = decode_call(TOKEN, data)
    assert intents.grants == ()
    assert intents.mentions == (Mention(OTHER, "recipient", "transfer.to"),)
    moved = call(
        "transferFrom(address,address,uint256)",
        ["address", "address", "uint256"],
        [SPENDER, OTHER, 5],
    )
    assert decode_call(TOKEN, moved).mentions == (
        Mention(SPENDER, "owner", "transferFrom.from"),
        Mention(OTHER, "recipient", "transferFrom.to"),
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes.fromhex("095ea7b3"),  # the selector alone
        call("approve(address,uint256)", ["address", "uint256"], [SPENDER, 1])[:-1],  # short
        call("approve(address,uint256)", ["address", "uint256"], [SPENDER, 1]) + bytes(32),
        # an address word with dirty high bytes is not an address
        bytes.fromhex("095ea7b3") + b"\x01" + bytes(11) + bytes.fromhex(SPENDER[2:]) + bytes(32),
        # setApprovalForAll's bool must be 0 or 1
        function_signature_to_4byte_selector("setApprovalForAll(address,bool)")
        + encode(["address", "uint256"], [OTHER, 2]),
        call("mint(address,uint256)", ["address", "uint256"], [SPENDER, 1]),  # unknown
    ],
)
def test_unknown_or_malformed_calls_decode_to_nothing(data: bytes) -> None:
    intents = decode_call(TOKEN, data)
    assert intents.grants == ()
    assert intents.mentions == ()
    assert intents.name == ""


def test_allowance_call_matches_the_abi() -> None:
    expected = call("allowance(address,address)", ["address", "address"], [OTHER, SPENDER])
    assert allowance_call(OTHER, SPENDER) == expected


def test_unlimited_threshold_follows_the_type() -> None:
    assert is_unlimited(2**159, 160)
    assert not is_unlimited(2**159 - 1, 160)
    assert not is_unlimited(2**159, 256)
