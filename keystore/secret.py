"""Wrappers for secret bytes whose repr and str never show them.

Python cannot reliably wipe memory; these only keep secrets out of logs, reprs and
tracebacks that print locals. Call `reveal()` at the last moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class _Secret:
    _value: bytes = field(repr=False)

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<hidden {len(self._value)} bytes>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError(f"{type(self).__name__} must not be pickled")


class Seed(_Secret):
    """A BIP-39 seed (64 bytes): the root every HD key is derived from."""


class PrivateKey(_Secret):
    """A raw 32-byte private key (secp256k1 unless it is an `Ed25519Key`)."""


class Ed25519Key(PrivateKey):
    """A raw 32-byte ed25519 secret (a Solana key). Its own type, so the vault seals it as
    its own kind and no code takes it for a secp256k1 key."""


@dataclass(frozen=True, eq=False)
class Mnemonic:
    """A validated, normalised BIP-39 phrase and its optional passphrase (the 25th word)."""

    _phrase: str = field(repr=False)
    _passphrase: str = field(default="", repr=False)

    def reveal_phrase(self) -> str:
        return self._phrase

    def reveal_passphrase(self) -> str:
        return self._passphrase

    @property
    def word_count(self) -> int:
        return len(self._phrase.split())

    def __repr__(self) -> str:
        return f"Mnemonic(<hidden {self.word_count} words>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Mnemonic must not be pickled")
