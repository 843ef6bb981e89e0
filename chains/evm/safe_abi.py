"""Safe v1.4.1 without web3: the contracts' bytecode from safe-eth-py's bundled JSON (read as
package data, never importing its modules), the few ABI encodings the wallet needs, the
SafeTx EIP-712 hash, and the owners' 65-byte signatures in the order `execTransaction`
checks them (ascending owner address; contracts/Safe.sol `checkNSignatures`, GS026)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from chains.errors import ChainError
from chains.evm import eip712
from chains.evm.address import from_public_key, keccak256

ZERO_ADDRESS = "0x" + "0" * 40
VERSION = "1.4.1"
# Arachnid's deterministic deployment proxy: anvil has it from genesis; CREATE2 through it
# puts the singleton and the factory at the same address on every devnet.
CREATE2_DEPLOYER = "0x4e59b44847b379578588920ca78fbf26c0b4956c"
SAFE_TX_FIELDS: list[tuple[str, str]] = [
    ("to", "address"),
    ("value", "uint256"),
    ("data", "bytes"),
    ("operation", "uint8"),
    ("safeTxGas", "uint256"),
    ("baseGas", "uint256"),
    ("gasPrice", "uint256"),
    ("gasToken", "address"),
    ("refundReceiver", "address"),
    ("nonce", "uint256"),
]


class SafeError(ChainError):
    """A Safe that is not one, a SafeTx file that is not what it says (edited fields,
    another chain or Safe, a used nonce, a signature not by its owner): nothing is signed
    or sent, and the file is left as it was."""

    code = "safe-refused"
    kind = "input"


def artifact(name: str) -> dict[str, Any]:
    """`Safe_V1_4_1` or `SafeProxyFactory_V1_4_1`'s JSON as safe-eth-py ships it."""
    from importlib import resources

    file = resources.files("safe_eth") / "eth" / "contracts" / "abis" / f"{name}.json"
    document: dict[str, Any] = json.loads(file.read_text())
    return document


def init_code(name: str) -> bytes:
    return bytes.fromhex(str(artifact(name)["bytecode"]).removeprefix("0x"))


def create2_address(deployer: str, salt: bytes, code: bytes) -> str:
    digest = keccak256(b"\xff" + bytes.fromhex(deployer[2:]) + salt + keccak256(code))
    return "0x" + digest[12:].hex()


def selector(signature: str) -> bytes:
    return keccak256(signature.encode())[:4]


def encode(types: list[str], values: list[Any]) -> bytes:
    """ABI-encode static words (address, uint*, bytes32) and dynamic `bytes`/`address[]`."""
    heads: list[bytes] = []
    tails: list[bytes] = []
    offset = 32 * len(types)
    for kind, value in zip(types, values, strict=True):
        if kind == "bytes":
            data = bytes(value)
            tail = _word(len(data)) + data + bytes(-len(data) % 32)
        elif kind == "address[]":
            tail = _word(len(value)) + b"".join(_address(a) for a in value)
        else:
            heads.append(_address(value) if kind == "address" else _static(value))
            continue
        heads.append(_word(offset))
        tails.append(tail)
        offset += len(tail)
    return b"".join(heads) + b"".join(tails)


def call(signature: str, types: list[str], values: list[Any]) -> bytes:
    return selector(signature) + encode(types, values)


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _static(value: Any) -> bytes:
    return bytes(value) if isinstance(value, bytes) else _word(int(value))


def _address(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def decode_addresses(data: bytes) -> list[str]:
    """An ABI `address[]` return value (getOwners)."""
    try:
        offset = int.from_bytes(data[:32], "big")
        count = int.from_bytes(data[offset : offset + 32], "big")
        words = data[offset + 32 : offset + 32 + 32 * count]
    except (ValueError, IndexError):
        raise SafeError("the contract returned malformed address[] data") from None
    if len(words) != 32 * count or count > 1000:
        raise SafeError("the contract returned malformed address[] data")
    return ["0x" + words[i + 12 : i + 32].hex() for i in range(0, len(words), 32)]


def setup_call(owners: list[str], threshold: int) -> bytes:
    """Safe.setup: owners and threshold, no module call, no fallback handler, no payment."""
    return call(
        "setup(address[],uint256,address,bytes,address,address,uint256,address)",
        ["address[]", "uint256", "address", "bytes", "address", "address", "uint256", "address"],
        [owners, threshold, ZERO_ADDRESS, b"", ZERO_ADDRESS, ZERO_ADDRESS, 0, ZERO_ADDRESS],
    )


def create_proxy_call(singleton: str, initializer: bytes, salt_nonce: int) -> bytes:
    return call(
        "createProxyWithNonce(address,bytes,uint256)",
        ["address", "bytes", "uint256"],
        [singleton, initializer, salt_nonce],
    )


@dataclass(frozen=True)
class SafeTx:
    """The fields a Safe's owners sign (contracts/Safe.sol SAFE_TX_TYPEHASH)."""

    to: str
    value: int
    data: bytes
    operation: int
    safe_tx_gas: int
    base_gas: int
    gas_price: int
    gas_token: str
    refund_receiver: str
    nonce: int

    def values(self) -> list[Any]:
        return list(asdict(self).values())

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "value": str(self.value),
            "data": "0x" + self.data.hex(),
            "operation": self.operation,
            "safeTxGas": str(self.safe_tx_gas),
            "baseGas": str(self.base_gas),
            "gasPrice": str(self.gas_price),
            "gasToken": self.gas_token,
            "refundReceiver": self.refund_receiver,
            "nonce": str(self.nonce),
        }


def simple_tx(to: str, value: int, data: bytes, nonce: int) -> SafeTx:
    """A plain call from the Safe: no delegatecall, no gas refund."""
    return SafeTx(to, value, data, 0, 0, 0, 0, ZERO_ADDRESS, ZERO_ADDRESS, nonce)


def typed_data(chain_id: int, safe: str, tx: SafeTx) -> dict[str, Any]:
    """The SafeTx as an eth_signTypedData_v4 document (domain: chainId, verifyingContract)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "SafeTx": [{"name": n, "type": t} for n, t in SAFE_TX_FIELDS],
        },
        "primaryType": "SafeTx",
        "domain": {"chainId": chain_id, "verifyingContract": safe},
        "message": tx.to_json(),
    }


def tx_hash(chain_id: int, safe: str, tx: SafeTx) -> bytes:
    return eip712.digest(typed_data(chain_id, safe, tx))


def transaction_hash_call(tx: SafeTx) -> bytes:
    """Safe.getTransactionHash: the contract's own hash, to compare with ours."""
    types = [t for _, t in SAFE_TX_FIELDS]
    return call(f"getTransactionHash({','.join(types)})", types, tx.values())


def exec_call(tx: SafeTx, signatures: bytes) -> bytes:
    types = [t for _, t in SAFE_TX_FIELDS[:-1]] + ["bytes"]
    return call(f"execTransaction({','.join(types)})", types, [*tx.values()[:-1], signatures])


def sign(digest: bytes, sign_digest: Any) -> bytes:
    """r ‖ s ‖ v (v = 27 + recovery id): an owner's ECDSA signature of the SafeTx hash
    itself (not eth_sign-prefixed). `sign_digest`: chains.evm.tx.Signer.sign_digest."""
    recovery_id, r, s = sign_digest(digest)
    signature: bytes = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + recovery_id])
    return signature


def signer_of(digest: bytes, signature: bytes) -> str:
    """The address that made a 65-byte ECDSA signature over `digest`."""
    from chains.evm.tx import recover_public_key

    if len(signature) != 65 or signature[64] not in (27, 28):
        raise SafeError("a Safe owner signature is 65 bytes r ‖ s ‖ v with v 27 or 28")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    try:
        public = recover_public_key(digest, signature[64] - 27, r, s)
    except Exception:  # coincurve refuses an r or s out of range
        raise SafeError("a signature does not recover to any key") from None
    return from_public_key(public).lower()


def ordered(signatures: dict[str, bytes]) -> bytes:
    """Signatures by owner, concatenated in ascending owner-address order (GS026)."""
    return b"".join(signatures[o] for o in sorted(signatures, key=lambda a: int(a, 16)))
