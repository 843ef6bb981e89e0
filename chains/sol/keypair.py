"""The `solana-keygen` keypair file: a JSON array of 64 numbers, the 32-byte secret then
its 32-byte public key. A file whose public half is not its secret's is refused: a tool that
trusts the second half would show one address and sign for another."""

from __future__ import annotations

import json

from chains.errors import ChainError
from chains.sol import keys
from keystore.files import JsonRejected, load_json
from keystore.secret import Ed25519Key, PrivateKey


class BadKeypair(ChainError):
    code = "bad-keypair"
    kind = "input"


def encode(key: PrivateKey) -> bytes:
    secret = key.reveal()
    return json.dumps(list(secret + keys.public_key(secret))).encode()


def decode(data: bytes) -> Ed25519Key:
    """The key in a keypair file's bytes (read bounded by the caller; nesting is bounded here)."""
    try:
        numbers = load_json(data)
    except JsonRejected:
        raise BadKeypair("not a solana-keygen keypair file (a JSON array of 64 numbers)") from None
    if (
        not isinstance(numbers, list)
        or len(numbers) != 64
        or not all(type(n) is int and 0 <= n <= 255 for n in numbers)
    ):
        raise BadKeypair("a solana-keygen keypair file is a JSON array of 64 numbers 0-255")
    raw = bytes(numbers)
    if keys.public_key(raw[:32]) != raw[32:]:
        raise BadKeypair("the keypair's public half does not match its secret: refused")
    return Ed25519Key(raw[:32])
