"""Permit contracts on the shared anvil (`devnet`), for tests of what a signature gives away.

Three session-scoped fixtures, each the checksummed address of a contract deployed once per
test session (per xdist worker) by anvil account 0, before any per-test snapshot:

- `permit_token`: OpenZeppelin ERC20 + ERC20Permit, "Permit Token" / "PTK", 18 decimals,
  EIP-712 domain version "1"; account 0 holds all PERMIT_TOKEN_SUPPLY.
- `permit2`: Permit2Lite, which checks Permit2's PermitSingle / PermitBatch /
  PermitTransferFrom signatures as Permit2 does (domain name "Permit2", no version).
- `seaport`: SeaportLite, Seaport 1.6's order hash and `validate` (domain "Seaport", "1.6").

Import them into a test module (and list them in `__all__` so ruff sees them used):

    from tests.permit_fixtures import permit2, permit_token
    __all__ = ["permit2", "permit_token"]  # fixtures, imported for pytest

Combine with the `chain` fixture (tests/conftest.py) so each test's transactions are
reverted. The typed-data builders below give eth_account's `encode_typed_data(full_message=...)`
input, so tests sign with an implementation independent of the wallet's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Devnet, load_vectors
from tests.evm_helpers import (
    PERMIT_TOKEN_SUPPLY,
    Chain,
    deploy_permit2,
    deploy_permit_token,
    deploy_seaport,
)

__all__ = ["PERMIT_TOKEN_SUPPLY", "permit2", "permit_token", "seaport"]

CHAIN_ID = 31337
UINT160_MAX = 2**160 - 1


def _deploy(devnet: Devnet, deploy: Any) -> Iterator[str]:
    from chains.evm.rpc import RpcClient

    chain = Chain(RpcClient(devnet.url), devnet.url)
    try:
        address: str = deploy(chain)
    finally:
        chain.client.close()
    yield address


@pytest.fixture(scope="session")
def permit_token(devnet: Devnet) -> Iterator[str]:
    """Address of the OpenZeppelin ERC20Permit token (PTK), supply held by anvil account 0."""
    yield from _deploy(devnet, deploy_permit_token)


@pytest.fixture(scope="session")
def permit2(devnet: Devnet) -> Iterator[str]:
    """Address of Permit2Lite (Permit2's signatures, nonces and function selectors)."""
    yield from _deploy(devnet, deploy_permit2)


@pytest.fixture(scope="session")
def seaport(devnet: Devnet) -> Iterator[str]:
    """Address of SeaportLite (Seaport 1.6 order hashing and `validate`)."""
    yield from _deploy(devnet, deploy_seaport)


# --- transactions and calls ---


def anvil_key(index: int) -> str:
    """Private key (0x hex) of anvil account `index` (0-9)."""
    key: str = load_vectors("anvil_accounts.json")["vectors"][index]["private_key"]
    return key


def anvil_address(index: int) -> str:
    address: str = load_vectors("anvil_accounts.json")["vectors"][index]["address"]
    return address


def transact(chain: Chain, key_hex: str, to: str, data: bytes, gas: int = 1_000_000) -> bool:
    """Send a call with an explicit gas limit (no estimate, so a revert is mined); True if it
    succeeded."""
    from chains.evm.address import from_public_key
    from chains.evm.tx import Eip1559Tx, Signer
    from keystore.secret import PrivateKey

    signer = Signer(PrivateKey(bytes.fromhex(key_hex.removeprefix("0x"))))
    nonce = chain.nonce(from_public_key(signer.public_key()))
    target = bytes.fromhex(to.removeprefix("0x"))
    signed = signer.sign(Eip1559Tx(CHAIN_ID, nonce, 10**9, 10**11, gas, target, 0, data))
    chain.client.call("eth_sendRawTransaction", [signed.raw_hex])
    receipt = chain.client.wait_for_receipts([signed.hash_hex], 30)[signed.hash_hex]
    return int(receipt["status"], 16) == 1


def eth_call(chain: Chain, to: str, data: bytes) -> bytes:
    result: str = chain.client.call("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"])
    return bytes.fromhex(result.removeprefix("0x"))


def block_time(chain: Chain) -> int:
    return int(chain.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)


# --- EIP-712 payloads (eth_account `full_message` dicts) ---

DOMAIN_NAME_VERSION = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
PERMIT2_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
PERMIT_DETAILS = [
    {"name": "token", "type": "address"},
    {"name": "amount", "type": "uint160"},
    {"name": "expiration", "type": "uint48"},
    {"name": "nonce", "type": "uint48"},
]
TOKEN_PERMISSIONS = [
    {"name": "token", "type": "address"},
    {"name": "amount", "type": "uint256"},
]
OFFER_ITEM = [
    {"name": "itemType", "type": "uint8"},
    {"name": "token", "type": "address"},
    {"name": "identifierOrCriteria", "type": "uint256"},
    {"name": "startAmount", "type": "uint256"},
    {"name": "endAmount", "type": "uint256"},
]
SEAPORT_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": DOMAIN_NAME_VERSION,
    "OrderComponents": [
        {"name": "offerer", "type": "address"},
        {"name": "zone", "type": "address"},
        {"name": "offer", "type": "OfferItem[]"},
        {"name": "consideration", "type": "ConsiderationItem[]"},
        {"name": "orderType", "type": "uint8"},
        {"name": "startTime", "type": "uint256"},
        {"name": "endTime", "type": "uint256"},
        {"name": "zoneHash", "type": "bytes32"},
        {"name": "salt", "type": "uint256"},
        {"name": "conduitKey", "type": "bytes32"},
        {"name": "counter", "type": "uint256"},
    ],
    "OfferItem": OFFER_ITEM,
    "ConsiderationItem": [*OFFER_ITEM, {"name": "recipient", "type": "address"}],
}


def erc2612_permit(
    token: str, owner: str, spender: str, value: int, nonce: int, deadline: int
) -> dict[str, Any]:
    """ERC-2612 `Permit` for PermitToken (domain name "Permit Token", version "1")."""
    return {
        "types": {
            "EIP712Domain": DOMAIN_NAME_VERSION,
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "Permit Token",
            "version": "1",
            "chainId": CHAIN_ID,
            "verifyingContract": token,
        },
        "message": {
            "owner": owner,
            "spender": spender,
            "value": value,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def permit_single(
    permit2: str, details: dict[str, Any], spender: str, sig_deadline: int
) -> dict[str, Any]:
    """Permit2 `PermitSingle`; `details` has token, amount, expiration, nonce."""
    return {
        "types": {
            "EIP712Domain": PERMIT2_DOMAIN,
            "PermitSingle": [
                {"name": "details", "type": "PermitDetails"},
                {"name": "spender", "type": "address"},
                {"name": "sigDeadline", "type": "uint256"},
            ],
            "PermitDetails": PERMIT_DETAILS,
        },
        "primaryType": "PermitSingle",
        "domain": {"name": "Permit2", "chainId": CHAIN_ID, "verifyingContract": permit2},
        "message": {"details": details, "spender": spender, "sigDeadline": sig_deadline},
    }


def permit_transfer_from(
    permit2: str, token: str, amount: int, spender: str, nonce: int, deadline: int
) -> dict[str, Any]:
    """Permit2 `PermitTransferFrom`; `spender` must be the account that submits it."""
    return {
        "types": {
            "EIP712Domain": PERMIT2_DOMAIN,
            "PermitTransferFrom": [
                {"name": "permitted", "type": "TokenPermissions"},
                {"name": "spender", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
            "TokenPermissions": TOKEN_PERMISSIONS,
        },
        "primaryType": "PermitTransferFrom",
        "domain": {"name": "Permit2", "chainId": CHAIN_ID, "verifyingContract": permit2},
        "message": {
            "permitted": {"token": token, "amount": amount},
            "spender": spender,
            "nonce": nonce,
            "deadline": deadline,
        },
    }


def seaport_order(seaport: str, components: dict[str, Any]) -> dict[str, Any]:
    """Seaport 1.6 `OrderComponents` (fields as in SEAPORT_TYPES) for SeaportLite."""
    return {
        "types": SEAPORT_TYPES,
        "primaryType": "OrderComponents",
        "domain": {
            "name": "Seaport",
            "version": "1.6",
            "chainId": CHAIN_ID,
            "verifyingContract": seaport,
        },
        "message": components,
    }
