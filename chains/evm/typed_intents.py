"""What an EIP-712 signature gives away, decoded into the neutral `Grant`, `Payment` and
`Mention` types (chains/base.py), and the whole message laid out field by field.

Drainers are paid in signatures: ERC-2612 `Permit`, DAI's `Permit(…, allowed)`, Uniswap
Permit2 and Seaport orders (Scam Sniffer's 2024 report). Each is recognised by its primary
type and field names (Permit2 and Seaport also by the domain name), never by address, so a
copy of the contract on any chain is read the same way:

- ERC-2612 `Permit(owner,spender,value,nonce,deadline)`: the verifying contract is the
  token; the allowance has no end once submitted (`deadline` only bounds the submission).
- DAI `Permit(holder,spender,nonce,expiry,allowed)`: `allowed` sets the allowance to the
  maximum uint256 (DAI's `uint(-1)`), false sets it to zero.
- Permit2 (https://github.com/Uniswap/permit2, domain name "Permit2"): `PermitSingle` and
  `PermitBatch` set allowances (uint160 amounts, uint48 `expiration`; 0 means the block it
  is submitted in, so the signature's own deadline is taken); `PermitTransferFrom`,
  `PermitBatchTransferFrom` and their `…Witness…` forms let `spender` take the permitted
  tokens once, until `deadline`.
- Seaport (domain name "Seaport", `OrderComponents`): each consideration item is a payment
  made when the order is filled; each offer item is a grant of kind "order-offer" to the
  verifying contract (whoever fills the order takes it through Seaport).

Every non-zero address anywhere in the message is a `Mention` with its path, so screening
sees the witness's recipient and a Seaport zone as well as the spender.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chains.base import Grant, Mention, Payment
from chains.evm import eip712
from chains.evm.address import to_checksum

MAX_UINT160 = 2**160 - 1
MAX_UINT256 = 2**256 - 1
UNLIMITED_UINT256 = 2**255  # from here on an amount is "everything" (max or near it)
ZERO_ADDRESS = "0x" + "0" * 40
SEAPORT_NATIVE, SEAPORT_ERC20 = 0, 1  # ItemType: 2, 3 are NFTs, 4, 5 NFTs by criteria
_AMOUNT_FIELDS = ("amount", "value", "startAmount", "endAmount")
_ROLES = {
    "spender": "spender",
    "owner": "owner",
    "holder": "owner",
    "offerer": "owner",
    "signer": "owner",
    "from": "owner",
    "recipient": "recipient",
    "to": "recipient",
    "receiver": "recipient",
    "beneficiary": "recipient",
    "token": "token",
    "operator": "operator",
    "zone": "zone",
}


@dataclass(frozen=True)
class Field:
    """One line of the message as shown: `value` is None for a struct or array heading;
    `amount_of` names the token a number is counted in ("native" for the chain's coin)."""

    depth: int
    name: str
    type: str
    path: str
    value: str | None
    address: str | None = None
    amount_of: str | None = None


@dataclass(frozen=True)
class Intents:
    """What the message does. `kind` names the recognised form ("" when none is);
    `deadline` is the signature's own last moment (unix seconds) when the form has one."""

    kind: str = ""
    grants: tuple[Grant, ...] = ()
    payments: tuple[Payment, ...] = ()
    mentions: tuple[Mention, ...] = ()
    deadline: int | None = None


def printable(text: str) -> str:
    """`text` as is when every character prints, else JSON-escaped: a field name or string
    value of a message must not move the cursor, clear the screen or reorder the line."""
    import json

    return text if text.isprintable() else json.dumps(text)


def role_of(name: str) -> str:
    return _ROLES.get(name, "other")


def decode(document: dict[str, Any]) -> Intents:
    """The grants, payments and mentions of a document `eip712.digest` accepts."""
    typed = eip712.parse(document)
    mentions = tuple(
        Mention(f.address, role_of(f.name.split("[")[0]), f.path)
        for f in fields(document)
        if f.address is not None and f.address != ZERO_ADDRESS
    )
    domain_name = str(typed.domain.get("name", ""))
    contract = _address(typed.domain.get("verifyingContract"))
    message, primary = typed.message, typed.primary_type
    if primary == "Permit" and {"owner", "spender", "value"} <= message.keys():
        return _erc2612(message, contract, mentions)
    if primary == "Permit" and {"holder", "spender", "allowed"} <= message.keys():
        return _dai(message, contract, mentions)
    if domain_name == "Permit2":
        return _permit2(typed, mentions)
    if domain_name == "Seaport" and primary == "OrderComponents":
        return _seaport(message, contract, mentions)
    return Intents(mentions=mentions)


def fields(document: dict[str, Any]) -> list[Field]:
    """Every field of the message, depth first, in declared order, as the encoder reads it."""
    typed = eip712.parse(document)
    if typed.primary_type == eip712.DOMAIN:
        return []  # only the domain is signed
    contract = _address(typed.domain.get("verifyingContract"))
    found: list[Field] = []
    stack: list[tuple[int, str, str, str, Any, str | None]] = [
        (0, "message", typed.primary_type, "message", typed.message, None)
    ]
    while stack:
        depth, name, ftype, path, value, amount_of = stack.pop()
        children: list[tuple[int, str, str, str, Any, str | None]] = []
        if ftype.endswith("]") and isinstance(value, list):
            item = ftype[: ftype.rindex("[")]
            found.append(Field(depth, name, ftype, path, None))
            children = [
                (depth + 1, f"[{i}]", item, f"{path}[{i}]", v, None) for i, v in enumerate(value)
            ]
        elif ftype in typed.types:
            if value is None:
                found.append(Field(depth, name, ftype, path, "(none)"))
                continue
            if depth:
                found.append(Field(depth, name, ftype, path, None))
            units = _units_of(value, typed.primary_type, contract, depth)
            children = [
                (
                    depth + 1,
                    printable(fname),
                    child_type,
                    f"{path}.{printable(fname)}",
                    value.get(fname),
                    units if fname in _AMOUNT_FIELDS else None,
                )
                for fname, child_type in typed.types[ftype]
            ]
        else:
            found.append(_atomic(depth, name, ftype, path, value, amount_of))
        stack.extend(reversed(children))
    return found


def _atomic(
    depth: int, name: str, ftype: str, path: str, value: Any, amount_of: str | None
) -> Field:
    if ftype == "address" and isinstance(value, str):
        address = _address(value)
        return Field(depth, name, ftype, path, address, address)
    if ftype.startswith(("uint", "int")):
        number = eip712.integer_value(value)
        return Field(depth, name, ftype, path, str(number), None, amount_of)
    if isinstance(value, bool):
        return Field(depth, name, ftype, path, "true" if value else "false")
    return Field(depth, name, ftype, path, printable(str(value)))


def _units_of(struct: dict[str, Any], primary: str, contract: str | None, depth: int) -> str | None:
    """The token a struct's amounts are counted in: its own `token` field (a Seaport item's
    item type says native coin or NFT count), or the verifying contract for a Permit."""
    token = _address(struct.get("token"))
    if token is not None:
        item_type = eip712.integer_value(struct.get("itemType"))
        if item_type == SEAPORT_NATIVE:
            return "native"
        if item_type is not None and item_type != SEAPORT_ERC20:
            return None  # an NFT: the amount is a count of items
        return token
    if depth == 0 and primary == "Permit":
        return contract
    return None


def _erc2612(message: dict[str, Any], token: str | None, mentions: tuple[Mention, ...]) -> Intents:
    value = _int(message.get("value"))
    grant = Grant(
        "permit",
        token,
        _req(message.get("spender")),
        value,
        value >= UNLIMITED_UINT256,
        None,
        "message.spender",
    )
    return Intents("ERC-2612 Permit", (grant,), (), mentions, _opt_int(message.get("deadline")))


def _dai(message: dict[str, Any], token: str | None, mentions: tuple[Mention, ...]) -> Intents:
    allowed = message.get("allowed") is True
    grant = Grant(
        "permit",
        token,
        _req(message.get("spender")),
        MAX_UINT256 if allowed else 0,
        allowed,
        None,
        "message.spender",
    )
    expiry = _opt_int(message.get("expiry"))
    return Intents("DAI Permit", (grant,), (), mentions, expiry or None)  # 0: no deadline


def _permit2(typed: eip712.TypedData, mentions: tuple[Mention, ...]) -> Intents:
    message, primary = typed.message, typed.primary_type
    spender = _address(message.get("spender"))
    if spender is None:
        return Intents(mentions=mentions)
    if primary in ("PermitSingle", "PermitBatch"):
        deadline = _opt_int(message.get("sigDeadline"))
        details = message.get("details")
        items = (
            [("message.details", details)]
            if primary == "PermitSingle"
            else [(f"message.details[{i}]", d) for i, d in enumerate(details or [])]
        )
        grants = []
        for where, item in items:
            if not isinstance(item, dict):
                continue
            amount = _int(item.get("amount"))
            expiration = _int(item.get("expiration"))
            grants.append(
                Grant(
                    "permit2",
                    _address(item.get("token")),
                    spender,
                    amount,
                    amount >= MAX_UINT160,
                    expiration or deadline,
                    where,
                )
            )
        return Intents(f"Permit2 {primary}", tuple(grants), (), mentions, deadline)
    if primary in _TRANSFERS:
        deadline = _opt_int(message.get("deadline"))
        permitted = message.get("permitted")
        items = (
            [(f"message.permitted[{i}]", p) for i, p in enumerate(permitted)]
            if isinstance(permitted, list)
            else [("message.permitted", permitted)]
        )
        grants = [
            Grant(
                "permit2-transfer",
                _address(p.get("token")),
                spender,
                _int(p.get("amount")),
                _int(p.get("amount")) >= UNLIMITED_UINT256,
                deadline,
                where,
            )
            for where, p in items
            if isinstance(p, dict)
        ]
        return Intents(f"Permit2 {primary}", tuple(grants), (), mentions, deadline)
    return Intents(mentions=mentions)


_TRANSFERS = (
    "PermitTransferFrom",
    "PermitBatchTransferFrom",
    "PermitWitnessTransferFrom",
    "PermitBatchWitnessTransferFrom",
)


def _seaport(
    message: dict[str, Any], contract: str | None, mentions: tuple[Mention, ...]
) -> Intents:
    end = _opt_int(message.get("endTime"))
    grants = []
    for i, item in enumerate(message.get("offer") or []):
        if isinstance(item, dict):
            grants.append(
                Grant(
                    "order-offer",
                    _item_token(item),
                    contract or ZERO_ADDRESS,
                    _item_amount(item),
                    False,
                    end,
                    f"message.offer[{i}]",
                )
            )
    payments = []
    for i, item in enumerate(message.get("consideration") or []):
        recipient = _address(item.get("recipient")) if isinstance(item, dict) else None
        if isinstance(item, dict) and recipient is not None:
            payments.append(
                Payment(
                    recipient, _item_token(item), _item_amount(item), f"message.consideration[{i}]"
                )
            )
    return Intents("Seaport order", tuple(grants), tuple(payments), mentions, end)


def _item_token(item: dict[str, Any]) -> str | None:
    if eip712.integer_value(item.get("itemType")) == SEAPORT_NATIVE:
        return None
    return _address(item.get("token"))


def _item_amount(item: dict[str, Any]) -> int:
    """A Seaport amount moves from startAmount to endAmount over the order's life: the
    larger one is what it can come to."""
    return max(_int(item.get("startAmount")), _int(item.get("endAmount")))


def _address(value: object) -> str | None:
    if not isinstance(value, str) or len(value) != 42 or not value.startswith("0x"):
        return None
    try:
        int(value[2:], 16)
    except ValueError:
        return None
    return to_checksum(value[2:].lower())


def _req(value: object) -> str:
    return _address(value) or ZERO_ADDRESS


def _int(value: object) -> int:
    return eip712.integer_value(value) or 0


def _opt_int(value: object) -> int | None:
    return eip712.integer_value(value)


def verifying_contract(document: dict[str, Any]) -> str | None:
    domain = document.get("domain")
    return _address(domain.get("verifyingContract")) if isinstance(domain, dict) else None
