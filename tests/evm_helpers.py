"""Helpers for tests against a real anvil: deploy the test contracts, read chain state.

Deployment signs with the project's own signer; that signer is checked byte for byte
against eth-account in tests/unit/test_evm_tx.py.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chains.evm import abi
from chains.evm.rpc import RpcClient
from chains.evm.tx import Eip1559Tx, Signer
from keystore.secret import PrivateKey

CONTRACTS = Path(__file__).parent / "data" / "contracts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def artifact(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONTRACTS / f"{name}.json").read_text())
    return data


def encode_token_constructor(name: str, symbol: str, decimals: int, supply: int) -> bytes:
    """ABI-encode (string, string, uint8, uint256): heads, then the two strings' tails."""

    def tail(text: str) -> bytes:
        raw = text.encode()
        return abi.word(len(raw)) + raw.ljust((len(raw) + 31) // 32 * 32, b"\0")

    first, second = tail(name), tail(symbol)
    heads = abi.word(128) + abi.word(128 + len(first)) + abi.word(decimals) + abi.word(supply)
    return heads + first + second


@dataclass
class Chain:
    client: RpcClient
    url: str

    def deploy(self, key_hex: str, code: bytes) -> str:
        signer = Signer(PrivateKey(bytes.fromhex(key_hex.removeprefix("0x"))))
        sender = _address_of(signer)
        nonce = int(self.client.call("eth_getTransactionCount", [sender, "pending"]), 16)
        tx = Eip1559Tx(31337, nonce, 10**9, 10**11, 3_000_000, None, 0, code)
        signed = signer.sign(tx)
        self.client.call("eth_sendRawTransaction", [signed.raw_hex])
        receipt = self.client.wait_for_receipts([signed.hash_hex], 30)[signed.hash_hex]
        assert int(receipt["status"], 16) == 1
        address: str = receipt["contractAddress"]
        from chains.evm.address import parse

        return parse(address)

    def balance(self, address: str) -> int:
        return int(self.client.call("eth_getBalance", [address, "latest"]), 16)

    def nonce(self, address: str) -> int:
        return int(self.client.call("eth_getTransactionCount", [address, "pending"]), 16)

    def token_balance(self, token: str, owner: str) -> int:
        call = {"to": token, "data": "0x" + abi.balance_of_call(owner).hex()}
        return abi.decode_uint(bytes.fromhex(self.client.call("eth_call", [call, "latest"])[2:]))


def _address_of(signer: Signer) -> str:
    from chains.evm.address import from_public_key

    return from_public_key(signer.public_key())


# --- Issue 14: permit contracts (tests/data/contracts/README.md says what each one is) ---

PERMIT_TOKEN_SUPPLY = 1_000_000 * 10**18  # PTK, 18 decimals, all minted to the deployer


def _deployer_key() -> str:
    """Anvil account 0, the same deployer as TestToken's, so it holds the PTK supply."""
    from tests.conftest import load_vectors

    key: str = load_vectors("anvil_accounts.json")["vectors"][0]["private_key"]
    return key


def deploy_permit_token(chain: Chain, supply: int = PERMIT_TOKEN_SUPPLY) -> str:
    """OpenZeppelin ERC20 + ERC20Permit "Permit Token" (PTK); `supply` goes to anvil account 0."""
    code = bytes.fromhex(artifact("PermitToken")["bytecode"][2:])
    return chain.deploy(_deployer_key(), code + abi.word(supply))


def deploy_permit2(chain: Chain) -> str:
    """Permit2Lite: verifies Permit2's PermitSingle/PermitBatch/PermitTransferFrom signatures."""
    return chain.deploy(_deployer_key(), bytes.fromhex(artifact("Permit2Lite")["bytecode"][2:]))


def deploy_seaport(chain: Chain) -> str:
    """SeaportLite: Seaport 1.6's order hash and signature check (validate), nothing more."""
    return chain.deploy(_deployer_key(), bytes.fromhex(artifact("SeaportLite")["bytecode"][2:]))
