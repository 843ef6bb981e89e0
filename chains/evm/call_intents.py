"""What a contract call gives away, read from its call data: the allowance calls drainers
ask for (`approve`, `increaseAllowance`, `setApprovalForAll`, Permit2's `approve`) as
neutral `Grant`s, and the addresses a token `transfer`/`transferFrom` names as `Mention`s,
so screening judges the spender a call empowers, not only the contract it is sent to.

Only exact, well-formed encodings are decoded (address words with clean high bytes, each
value inside its type): anything else is an unknown call and yields nothing, so a decoder
can never invent a grant out of data that merely starts with a known selector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chains.base import Grant, Mention
from chains.evm import abi
from chains.evm.address import to_checksum

SELECTOR_APPROVE = bytes.fromhex("095ea7b3")  # approve(address,uint256)
SELECTOR_INCREASE_ALLOWANCE = bytes.fromhex("39509351")  # increaseAllowance(address,uint256)
SELECTOR_APPROVAL_FOR_ALL = bytes.fromhex("a22cb465")  # setApprovalForAll(address,bool)
SELECTOR_PERMIT2_APPROVE = bytes.fromhex("87517c45")  # approve(address,address,uint160,uint48)
SELECTOR_TRANSFER_FROM = bytes.fromhex("23b872dd")  # transferFrom(address,address,uint256)
SELECTOR_ALLOWANCE = bytes.fromhex("dd62ed3e")  # allowance(address,address)
APPROVAL_TOPIC = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
# Uniswap's Permit2, at the same address on every chain it is deployed to.
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
MAX_UINT256 = 2**256 - 1


def is_unlimited(amount: int, bits: int = 256) -> bool:
    """The type's maximum or near it: at least half of it. No real balance comes close
    (2**255 base units is about 5.8e58 tokens of 18 decimals), so such an amount is meant
    as "everything, for good", the drainer's ask."""
    return amount >= 1 << (bits - 1)


@dataclass(frozen=True)
class CallIntents:
    """What one call data says: `name` of the function when known ("" else), what it gives
    away, and every address it names (screened as destinations are). A revocation (an
    allowance set to 0, an operator approval set to false) gives and names nothing: taking
    an allowance back from a listed spender must never be what screening stops."""

    name: str
    grants: tuple[Grant, ...] = ()
    mentions: tuple[Mention, ...] = ()


def decode_call(contract: str, data: bytes) -> CallIntents:
    """The grants and mentions of a call to `contract` with `data`; an unknown or malformed
    call gives an empty `CallIntents`."""
    decoder = _DECODERS.get(data[:4])
    if decoder is None:
        return CallIntents("")
    try:
        return decoder(contract, data[4:])
    except _NotThisCall:
        return CallIntents("")


def approve_call(spender: str, amount: int) -> bytes:
    """ERC-20 `approve(spender, amount)`; amount 0 takes an allowance back (`wallet revoke`)."""
    return SELECTOR_APPROVE + abi.address_word(spender) + abi.word(amount)


def allowance_call(owner: str, spender: str) -> bytes:
    return SELECTOR_ALLOWANCE + abi.address_word(owner) + abi.address_word(spender)


class _NotThisCall(Exception):
    """The arguments do not fit the function the selector names."""


def _words(args: bytes, count: int) -> list[int]:
    """Exactly `count` static words (trailing bytes are allowed by Solidity's decoder, but
    a call meant as one of these has none worth trusting: refused)."""
    if len(args) != 32 * count:
        raise _NotThisCall
    return [int.from_bytes(args[i : i + 32], "big") for i in range(0, len(args), 32)]


def _address(word: int) -> str:
    if word >> 160:
        raise _NotThisCall
    return to_checksum(word.to_bytes(20, "big").hex())


def _uint(word: int, bits: int) -> int:
    if word >> bits:
        raise _NotThisCall
    return word


def _granting(name: str, grant: Grant, role: str = "spender", asset_field: str = "") -> CallIntents:
    """A call that gives `grant`: the spender named too (so it is screened like a
    destination), and the token when it is an argument rather than the contract called."""
    named = [Mention(grant.spender, role, grant.where)]
    if asset_field and grant.token is not None:
        named.insert(0, Mention(grant.token, "other", asset_field))
    return CallIntents(name, (grant,), tuple(named))


def _approve(contract: str, args: bytes) -> CallIntents:
    spender_word, amount = _words(args, 2)
    spender = _address(spender_word)
    if amount == 0:
        return CallIntents("approve")  # a revocation gives nothing away
    grant = Grant(
        "approve", contract, spender, amount, is_unlimited(amount), None, "approve.spender"
    )
    return _granting("approve", grant)


def _increase(contract: str, args: bytes) -> CallIntents:
    spender_word, added = _words(args, 2)
    spender = _address(spender_word)
    if added == 0:
        return CallIntents("increaseAllowance")
    grant = Grant(
        "increase-allowance", contract, spender, added, is_unlimited(added), None,
        "increaseAllowance.spender",
    )  # fmt: skip
    return _granting("increaseAllowance", grant)


def _approval_for_all(contract: str, args: bytes) -> CallIntents:
    operator_word, approved = _words(args, 2)
    operator = _address(operator_word)
    if approved > 1:
        raise _NotThisCall
    if not approved:
        return CallIntents("setApprovalForAll")  # a revocation
    grant = Grant(
        "approval-for-all", contract, operator, None, True, None, "setApprovalForAll.operator"
    )
    return _granting("setApprovalForAll", grant, "operator")


def _permit2_approve(contract: str, args: bytes) -> CallIntents:
    """Permit2 `approve(token, spender, uint160 amount, uint48 expiration)`: the token is an
    argument, not the contract called. Expiration 0 means "this block only" in Permit2."""
    token_word, spender_word, amount_word, expiration_word = _words(args, 4)
    token, spender = _address(token_word), _address(spender_word)
    amount, expiration = _uint(amount_word, 160), _uint(expiration_word, 48)
    if amount == 0:
        return CallIntents("permit2-approve")
    grant = Grant(
        "permit2-approve", token, spender, amount, is_unlimited(amount, 160), expiration or None,
        "approve.spender",
    )  # fmt: skip
    return _granting("permit2-approve", grant, asset_field="approve.token")


def _transfer(contract: str, args: bytes) -> CallIntents:
    to_word, _amount = _words(args, 2)
    return CallIntents(
        "transfer", mentions=(Mention(_address(to_word), "recipient", "transfer.to"),)
    )


def _transfer_from(contract: str, args: bytes) -> CallIntents:
    from_word, to_word, _amount = _words(args, 3)
    mentions = (
        Mention(_address(from_word), "owner", "transferFrom.from"),
        Mention(_address(to_word), "recipient", "transferFrom.to"),
    )
    return CallIntents("transferFrom", mentions=mentions)


_DECODERS: dict[bytes, Callable[[str, bytes], CallIntents]] = {
    SELECTOR_APPROVE: _approve,
    SELECTOR_INCREASE_ALLOWANCE: _increase,
    SELECTOR_APPROVAL_FOR_ALL: _approval_for_all,
    SELECTOR_PERMIT2_APPROVE: _permit2_approve,
    abi.SELECTOR_TRANSFER: _transfer,
    SELECTOR_TRANSFER_FROM: _transfer_from,
}
