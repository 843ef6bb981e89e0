"""Checks on address text shared by every chain family: nothing a person could misread."""

from __future__ import annotations

import unicodedata

from chains.errors import InvalidAddress


def refuse_hidden_characters(text: str) -> None:
    """Non-ASCII, invisible or space characters are refused, named by position."""
    for position, char in enumerate(text, start=1):
        if not char.isascii() or not char.isprintable() or char.isspace():
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise InvalidAddress(
                f"character {position} of the address is {name} (U+{ord(char):04X}), "
                "not plain ASCII: it may be a look-alike or invisible character"
            )
