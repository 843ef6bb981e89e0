"""EVM transactions: EIP-1559 (type 2) and legacy EIP-155, encoded and signed in-process.

EIP-1559: https://eips.ethereum.org/EIPS/eip-1559, EIP-155: https://eips.ethereum.org/EIPS/eip-155.
Signing is RFC 6979 deterministic ECDSA with low s (libsecp256k1 via coincurve), so output
is byte-identical to eth-account's; tests/unit/test_evm_tx.py checks that with hypothesis.
Our own RLP and a reused key object make this several times faster than eth-account
(bench/sign.py), which matters for batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chains.evm import rlp
from chains.evm.address import keccak256
from keystore.secret import PrivateKey

AccessList = tuple[tuple[bytes, tuple[bytes, ...]], ...]


@dataclass(frozen=True)
class Eip1559Tx:
    chain_id: int
    nonce: int
    max_priority_fee_per_gas: int
    max_fee_per_gas: int
    gas: int
    to: bytes | None
    value: int
    data: bytes = b""
    access_list: AccessList = field(default=())

    def _fields(self) -> list[Any]:
        access = [[address, list(keys)] for address, keys in self.access_list]
        return [
            self.chain_id,
            self.nonce,
            self.max_priority_fee_per_gas,
            self.max_fee_per_gas,
            self.gas,
            self.to or b"",
            self.value,
            self.data,
            access,
        ]

    def signing_hash(self) -> bytes:
        return keccak256(b"\x02" + rlp.encode(self._fields()))

    def fee_cap(self) -> int:
        return self.gas * self.max_fee_per_gas

    def assemble(self, recovery_id: int, r: int, s: int) -> bytes:
        return b"\x02" + rlp.encode([*self._fields(), recovery_id, r, s])


@dataclass(frozen=True)
class LegacyTx:
    chain_id: int
    nonce: int
    gas_price: int
    gas: int
    to: bytes | None
    value: int
    data: bytes = b""

    def _fields(self) -> list[Any]:
        return [self.nonce, self.gas_price, self.gas, self.to or b"", self.value, self.data]

    def signing_hash(self) -> bytes:
        return keccak256(rlp.encode([*self._fields(), self.chain_id, 0, 0]))

    def fee_cap(self) -> int:
        return self.gas * self.gas_price

    def assemble(self, recovery_id: int, r: int, s: int) -> bytes:
        v = recovery_id + 35 + 2 * self.chain_id
        return rlp.encode([*self._fields(), v, r, s])


Transaction = Eip1559Tx | LegacyTx


@dataclass(frozen=True)
class SignedTx:
    raw: bytes
    hash: bytes

    @property
    def hash_hex(self) -> str:
        return "0x" + self.hash.hex()

    @property
    def raw_hex(self) -> str:
        return "0x" + self.raw.hex()


class Signer:
    """One private key, prepared once, signing many transactions and digests."""

    def __init__(self, key: PrivateKey) -> None:
        from coincurve import PrivateKey as CurveKey

        self._key = CurveKey(key.reveal())

    def __repr__(self) -> str:
        return "Signer(<hidden>)"

    def public_key(self) -> bytes:
        uncompressed: bytes = self._key.public_key.format(compressed=False)
        return uncompressed

    def sign_digest(self, digest: bytes) -> tuple[int, int, int]:
        """(recovery id, r, s) over a 32-byte digest, low s."""
        signature: bytes = self._key.sign_recoverable(digest, hasher=None)
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:64], "big")
        return signature[64], r, s

    def sign(self, tx: Transaction) -> SignedTx:
        recovery_id, r, s = self.sign_digest(tx.signing_hash())
        raw = tx.assemble(recovery_id, r, s)
        return SignedTx(raw, keccak256(raw))


def recover_public_key(digest: bytes, recovery_id: int, r: int, s: int) -> bytes:
    from coincurve import PublicKey

    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([recovery_id])
    recovered: bytes = PublicKey.from_signature_and_message(signature, digest, hasher=None).format(
        compressed=False
    )
    return recovered
