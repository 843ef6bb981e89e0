"""The library's public value types, constants and catchable keystore errors, in one place.

Code above the library (the CLI, scripts) takes what it needs from chains/ and keystore/
through this module, so those packages stay the library's inside and can change shape
without breaking their callers. Every module imported here is light (no heavy library).
"""

from __future__ import annotations

from chains.amounts import BTC_DECIMALS, BTC_UNITS, format_amount, parse_amount
from chains.base import (
    MAX_GAS_LIMIT,
    MIN_GAS_LIMIT,
    Account,
    Family,
    Network,
    Preview,
    family_of,
)
from chains.errors import ChainError
from chains.evm.anvil import DEV_MNEMONIC
from keystore.errors import InvalidMnemonic, KeyringUnavailable, KeystoreError, NoPassphrase
from keystore.kdf import Argon2idParams
from keystore.passphrase import PassphraseSources
from keystore.secret import Mnemonic, PrivateKey

__all__ = [
    "BTC_DECIMALS",
    "BTC_UNITS",
    "DEV_MNEMONIC",
    "MAX_GAS_LIMIT",
    "MIN_GAS_LIMIT",
    "Account",
    "Argon2idParams",
    "ChainError",
    "Family",
    "InvalidMnemonic",
    "KeyringUnavailable",
    "KeystoreError",
    "Mnemonic",
    "Network",
    "NoPassphrase",
    "PassphraseSources",
    "Preview",
    "PrivateKey",
    "family_of",
    "format_amount",
    "parse_amount",
]
