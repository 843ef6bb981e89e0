"""The permit test contracts behave as the real ones on anvil: payloads signed with eth_account
(independent of the wallet) are accepted by OpenZeppelin's ERC20Permit, by Permit2Lite and by
SeaportLite, set exactly the signed allowance, and are refused when replayed or altered."""

from __future__ import annotations

from typing import Any

import pytest

from tests.evm_helpers import Chain
from tests.permit_fixtures import (
    PERMIT_TOKEN_SUPPLY,
    UINT160_MAX,
    anvil_address,
    anvil_key,
    block_time,
    erc2612_permit,
    eth_call,
    permit2,
    permit_single,
    permit_token,
    permit_transfer_from,
    seaport,
    seaport_order,
    transact,
)

__all__ = ["permit2", "permit_token", "seaport"]  # fixtures, imported for pytest

OWNER, RELAYER, RECEIVER = 0, 1, 2
DETAILS = "(address,uint160,uint48,uint48)"
PERMIT_SINGLE = f"({DETAILS},address,uint256)"
PERMIT_TRANSFER = "((address,uint256),uint256,uint256)"
OFFER = "(uint8,address,uint256,uint256,uint256)"
CONSIDERATION = "(uint8,address,uint256,uint256,uint256,address)"
COMPONENTS = (
    f"(address,address,{OFFER}[],{CONSIDERATION}[],"
    "uint8,uint256,uint256,bytes32,uint256,bytes32,uint256)"
)


def _call(signature: str, *args: Any) -> bytes:
    """Selector + ABI-encoded arguments, from the text signature (eth_abi, not the wallet)."""
    from eth_abi.abi import encode
    from eth_utils.abi import function_signature_to_4byte_selector

    types = signature[signature.index("(") + 1 : -1]
    return function_signature_to_4byte_selector(signature) + encode(_split(types), list(args))


def _split(types: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(types):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(types[start:i])
            start = i + 1
    return [*parts, types[start:]] if types else parts


def _read(chain: Chain, to: str, out: list[str], signature: str, *args: Any) -> Any:
    from eth_abi.abi import decode

    values = decode(out, eth_call(chain, to, _call(signature, *args)))
    return values[0] if len(values) == 1 else values


def _sign(index: int, data: dict[str, Any]) -> Any:
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    return Account.sign_message(encode_typed_data(full_message=data), anvil_key(index))


def _signature(signed: Any, compact: bool = False) -> bytes:
    """65-byte r || s || v, or EIP-2098's 64-byte r || (v - 27) << 255 | s."""
    if compact:
        return signed.r.to_bytes(32, "big") + ((signed.v - 27) << 255 | signed.s).to_bytes(
            32, "big"
        )
    return bytes(signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v]))


def _balance(chain: Chain, token: str, index: int) -> int:
    return chain.token_balance(token, anvil_address(index))


def _approve_permit2(chain: Chain, token: str, permit2: str) -> None:
    approve = _call("approve(address,uint256)", permit2, 2**256 - 1)
    assert transact(chain, anvil_key(OWNER), token, approve)


def test_permit_token_is_openzeppelin_erc20permit(chain: Chain, permit_token: str) -> None:
    from eth_account.messages import encode_typed_data

    owner = anvil_address(OWNER)
    assert _read(chain, permit_token, ["string"], "name()") == "Permit Token"
    assert _read(chain, permit_token, ["string"], "symbol()") == "PTK"
    assert _read(chain, permit_token, ["uint8"], "decimals()") == 18
    assert _read(chain, permit_token, ["uint256"], "balanceOf(address)", owner) == (
        PERMIT_TOKEN_SUPPLY
    )
    data = erc2612_permit(permit_token, owner, owner, 1, 0, 1)
    separator = _read(chain, permit_token, ["bytes32"], "DOMAIN_SEPARATOR()")
    assert separator == encode_typed_data(full_message=data).header


def test_erc2612_permit_sets_allowance_once(chain: Chain, permit_token: str) -> None:
    owner, spender = anvil_address(OWNER), anvil_address(RELAYER)
    value, deadline = 1234 * 10**18, block_time(chain) + 3600
    nonce = _read(chain, permit_token, ["uint256"], "nonces(address)", owner)
    signed = _sign(OWNER, erc2612_permit(permit_token, owner, spender, value, nonce, deadline))
    call = _call(
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        owner,
        spender,
        value,
        deadline,
        signed.v,
        signed.r.to_bytes(32, "big"),
        signed.s.to_bytes(32, "big"),
    )
    assert transact(chain, anvil_key(RELAYER), permit_token, call)  # anyone may submit it
    allowance = "allowance(address,address)"
    assert _read(chain, permit_token, ["uint256"], allowance, owner, spender) == value
    assert _read(chain, permit_token, ["uint256"], "nonces(address)", owner) == nonce + 1
    assert not transact(chain, anvil_key(RELAYER), permit_token, call)  # the nonce is spent


def _permit_single_call(
    chain: Chain, token: str, permit2: str, amount: int, nonce: int
) -> tuple[bytes, int]:
    owner, spender = anvil_address(OWNER), anvil_address(RELAYER)
    now = block_time(chain)
    expiration, deadline = now + 86_400, now + 3600
    details = {"token": token, "amount": amount, "expiration": expiration, "nonce": nonce}
    signed = _sign(OWNER, permit_single(permit2, details, spender, deadline))
    permit = ((token, amount, expiration, nonce), spender, deadline)
    call = _call(f"permit(address,{PERMIT_SINGLE},bytes)", owner, permit, _signature(signed))
    return call, expiration


def test_permit2_permit_single_sets_allowance_and_refuses_replay(
    chain: Chain, permit_token: str, permit2: str
) -> None:
    owner, spender = anvil_address(OWNER), anvil_address(RELAYER)
    allowance = "allowance(address,address,address)"
    out = ["uint160", "uint48", "uint48"]
    amount = 500 * 10**18
    call, expiration = _permit_single_call(chain, permit_token, permit2, amount, 0)
    assert transact(chain, anvil_key(RELAYER), permit2, call)
    assert _read(chain, permit2, out, allowance, owner, permit_token, spender) == (
        amount,
        expiration,
        1,
    )
    assert not transact(chain, anvil_key(RELAYER), permit2, call)  # nonce 0 is spent
    stale, _ = _permit_single_call(chain, permit_token, permit2, UINT160_MAX, 0)
    assert not transact(chain, anvil_key(RELAYER), permit2, stale)  # a fresh signature too
    assert _read(chain, permit2, out, allowance, owner, permit_token, spender)[0] == amount

    _approve_permit2(chain, permit_token, permit2)
    before = _balance(chain, permit_token, RECEIVER)
    pull = _call(
        "transferFrom(address,address,uint160,address)",
        owner,
        anvil_address(RECEIVER),
        amount - 1,
        permit_token,
    )
    assert not transact(chain, anvil_key(RECEIVER), permit2, pull)  # not the spender
    assert transact(chain, anvil_key(RELAYER), permit2, pull)
    assert _balance(chain, permit_token, RECEIVER) == before + amount - 1
    assert _read(chain, permit2, out, allowance, owner, permit_token, spender)[0] == 1
    assert not transact(chain, anvil_key(RELAYER), permit2, pull)  # only 1 left


@pytest.mark.parametrize("compact", [False, True])
def test_permit2_signature_transfer_moves_tokens_once(
    chain: Chain, permit_token: str, permit2: str, compact: bool
) -> None:
    owner, spender = anvil_address(OWNER), anvil_address(RELAYER)
    _approve_permit2(chain, permit_token, permit2)
    amount, nonce, deadline = 42 * 10**18, (7 << 8) | 200, block_time(chain) + 600
    data = permit_transfer_from(permit2, permit_token, amount, spender, nonce, deadline)
    signature = _signature(_sign(OWNER, data), compact)
    transfer = ((permit_token, amount), nonce, deadline)
    call = _call(
        f"permitTransferFrom({PERMIT_TRANSFER},(address,uint256),address,bytes)",
        transfer,
        (anvil_address(RECEIVER), amount),
        owner,
        signature,
    )
    before = _balance(chain, permit_token, RECEIVER)
    # The spender is msg.sender in Permit2's hash: another submitter does not match the signature.
    assert not transact(chain, anvil_key(RECEIVER), permit2, call)
    assert transact(chain, anvil_key(RELAYER), permit2, call)
    assert _balance(chain, permit_token, RECEIVER) == before + amount
    bitmap = _read(chain, permit2, ["uint256"], "nonceBitmap(address,uint256)", owner, 7)
    assert bitmap == 1 << 200
    assert not transact(chain, anvil_key(RELAYER), permit2, call)  # unordered nonce is spent
    assert _balance(chain, permit_token, RECEIVER) == before + amount


def _components(offerer: str, token: str, recipients: list[str]) -> dict[str, Any]:
    return {
        "offerer": offerer,
        "zone": "0x" + "00" * 20,
        "offer": [
            {
                "itemType": 2,
                "token": token,
                "identifierOrCriteria": 7,
                "startAmount": 1,
                "endAmount": 1,
            }
        ],
        "consideration": [
            {
                "itemType": 0,
                "token": "0x" + "00" * 20,
                "identifierOrCriteria": 0,
                "startAmount": 10**18 - i,
                "endAmount": 10**18 - i,
                "recipient": recipient,
            }
            for i, recipient in enumerate(recipients)
        ],
        "orderType": 0,
        "startTime": 0,
        "endTime": 2**40,
        "zoneHash": b"\0" * 32,
        "salt": 99,
        "conduitKey": b"\0" * 32,
        "counter": 0,
    }


def _as_tuple(order: dict[str, Any], last: int) -> tuple[Any, ...]:
    return (
        order["offerer"],
        order["zone"],
        [tuple(item.values()) for item in order["offer"]],
        [tuple(item.values()) for item in order["consideration"]],
        order["orderType"],
        order["startTime"],
        order["endTime"],
        order["zoneHash"],
        order["salt"],
        order["conduitKey"],
        last,
    )


@pytest.mark.parametrize("tamper", [False, True])
def test_seaport_order_hash_commits_to_recipients(
    chain: Chain, seaport: str, permit_token: str, tamper: bool
) -> None:
    from eth_account.messages import encode_typed_data

    offerer = anvil_address(OWNER)
    order = _components(offerer, permit_token, [offerer, anvil_address(RECEIVER)])
    data = seaport_order(seaport, order)
    signable = encode_typed_data(full_message=data)
    on_chain = _read(
        chain, seaport, ["bytes32"], f"getOrderHash({COMPONENTS})", _as_tuple(order, 0)
    )
    assert on_chain == signable.body
    signature = _signature(_sign(OWNER, data))
    if tamper:  # a drainer swapping the second recipient after the offerer signed
        order["consideration"][1]["recipient"] = anvil_address(RELAYER)
    parameters = _as_tuple(order, len(order["consideration"]))
    validate = _call(f"validate(({COMPONENTS},bytes)[])", [(parameters, signature)])
    assert transact(chain, anvil_key(RELAYER), seaport, validate) is not tamper
    status = _read(
        chain, seaport, ["bool", "bool", "uint256", "uint256"], "getOrderStatus(bytes32)", on_chain
    )
    assert status[0] is not tamper
