"""Errors of the keystore, each with a stable code, a kind and a message safe to show.

The message never contains a secret: callers pass positions and names, never key material.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["input", "auth", "network", "refused", "unconfirmed", "failed"]


class KeystoreError(Exception):
    code: str = "keystore-error"
    kind: ErrorKind = "failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidMnemonic(KeystoreError):
    """`position` (1-based) names the word that is not in the list, never the word itself."""

    code = "invalid-mnemonic"
    kind = "input"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class InvalidPrivateKey(KeystoreError):
    code = "invalid-private-key"
    kind = "input"


class WrongPassphrase(KeystoreError):
    code = "wrong-passphrase"
    kind = "auth"


class NoPassphrase(KeystoreError):
    code = "no-passphrase"
    kind = "auth"


class VaultUnreadable(KeystoreError):
    """The vault file is empty, truncated, not ours, or of a version we do not know."""

    code = "vault-unreadable"
    kind = "input"


class UnreadableFile(KeystoreError):
    """A passphrase or key file that cannot be read, or is empty."""

    code = "unreadable-file"
    kind = "input"


class FileTooLarge(KeystoreError):
    """A file or stream handed over by the user is larger than its kind allows."""

    code = "file-too-large"
    kind = "input"


class InsecureFile(KeystoreError):
    """A secret-bearing file that others can read or write, or that another user owns."""

    code = "insecure-file"
    kind = "input"


class InvalidKeyfile(KeystoreError):
    """A Web3 Secret Storage file we cannot read (bad JSON, unknown KDF or cipher)."""

    code = "invalid-keyfile"
    kind = "input"


class KeyfileMacMismatch(KeystoreError):
    """The v3 file's MAC does not match: wrong passphrase or an altered file."""

    code = "keyfile-mac-mismatch"
    kind = "auth"


class KeyringUnavailable(KeystoreError):
    code = "keyring-unavailable"
    kind = "failed"
