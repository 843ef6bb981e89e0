"""Secrets that arrive from outside the vault: a pasted hex key or mnemonic, Web3 Secret
Storage v3 key files (geth, cast wallet, MetaMask) and solana-keygen keypairs in and out.

The CLI asks the person; this module reads, checks and converts, with the same size limits
as the keystore's own files, so a script importing a key gets the same refusals.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

from chains.registry import adapter_for
from keystore.files import KEYSTORE_LIMIT, SECRET_TEXT_LIMIT, load_json, read_limited
from keystore.secret import Ed25519Key, PrivateKey
from wallet_cli.errors import BadInput
from wallet_cli.wallet import Wallet


def read_secret_text(stream: BinaryIO, what: str) -> str:
    """A mnemonic or hex key piped on `stream`: at most 64 KiB, UTF-8; empty is refused."""
    from keystore.files import read_stream_text

    text = read_stream_text(stream, SECRET_TEXT_LIMIT, f"the {what} on standard input")
    if not text.strip():
        raise BadInput(f"no {what} on standard input")
    return text


def parse_private_key(text: str) -> PrivateKey:
    """A secp256k1 key from 64 hex characters (an optional 0x, surrounding blanks allowed)."""
    from keystore.rawkey import parse_hex

    return parse_hex(text)


def key_address(key: PrivateKey) -> str:
    """The EVM address of a single key: the only account such a wallet has."""
    return adapter_for("evm").address_of_key(key)


def key_wallet_name(key: PrivateKey) -> str:
    """The name a single-key wallet gets when none is given: `key-` and 8 hex of its address."""
    return "key-" + key_address(key)[2:10].lower()


def read_v3(path: Path) -> bytes:
    """A v3 file's bytes, read before any passphrase is asked (too big or unreadable: refused)."""
    return read_limited(path, KEYSTORE_LIMIT, "key file")


def open_v3(document: bytes, password: str) -> tuple[PrivateKey, str]:
    """The key in a v3 document and its address. The file's `address` field lies outside its
    MAC, so a file whose label names another address is refused rather than trusted."""
    from keystore import v3

    key = v3.decrypt(document, password)
    address = key_address(key)
    declared = load_json(document).get("address")
    if (
        isinstance(declared, str)
        and declared
        and declared.lower().removeprefix("0x") != address[2:].lower()
    ):
        raise BadInput(
            f"the key file says address {declared} but its key is {address}; refusing it"
        )
    return key, address


def export_v3(wallet: Wallet, index: int, password: str, code: str | None = None) -> bytes:
    """The EVM key at `index` of an unlocked wallet as a v3 document (scrypt), JSON bytes;
    `code`: the second factor's, if the wallet has one (audited as an export)."""
    from keystore import v3
    from wallet_cli.second_factor import gate_export

    gate_export(wallet, code, "keystore")

    key = wallet.private_key("evm", index)
    return json.dumps(v3.encrypt(key, password, key_address(key))).encode()


def export_solana_keypair(wallet: Wallet, index: int, code: str | None = None) -> bytes:
    """The Solana key at `index` of an unlocked wallet as a solana-keygen keypair file (a JSON
    array of 64 numbers: secret then public key). It is the key in the clear: 0600, new file.
    `code`: the second factor's, if the wallet has one (audited as an export)."""
    from chains.sol import keypair
    from wallet_cli.second_factor import gate_export

    gate_export(wallet, code, "solana-keypair")

    return keypair.encode(wallet.private_key("sol", index))


def read_solana_keypair(source: Path | BinaryIO) -> tuple[Ed25519Key, str]:
    """The key in a solana-keygen keypair file (or piped on a stream, at most 64 KiB) and its
    address; a file whose public half is not its secret's is refused (`bad-keypair`)."""
    from chains.sol import keypair
    from keystore.files import read_stream

    if isinstance(source, Path):
        data = read_limited(source, KEYSTORE_LIMIT, "keypair file")
    else:
        data = read_stream(source, KEYSTORE_LIMIT, "the keypair on standard input")
    key = keypair.decode(data)
    return key, adapter_for("sol").address_of_key(key)


def sol_key_wallet_name(address: str) -> str:
    """The name a Solana single-key wallet gets when none is given: `sol-` and the first 8
    characters of its address."""
    return "sol-" + address[:8]
