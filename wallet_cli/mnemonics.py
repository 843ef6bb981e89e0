"""BIP-39 phrases for the CLI's init, restore and secret-scrubbing: the keystore's functions,
reached through the library so the command layer never imports key material code itself."""

from __future__ import annotations

from keystore.mnemonic import english_words, generate, parse, suggestions

__all__ = ["english_words", "generate", "parse", "suggestions"]
