"""BIP-39 input handling: every bad phrase is refused with the position or count named, and
never with the word itself (errors end up in --json output and logs)."""

from __future__ import annotations

import pytest

from keystore import mnemonic
from keystore.errors import InvalidMnemonic

VALID = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def test_valid_phrase_is_normalised() -> None:
    phrase = mnemonic.parse(
        "  Legal WINNER thank year wave sausage worth useful legal\nwinner thank   yellow "
    )
    assert phrase.reveal_phrase() == VALID


def test_unknown_word_is_named_by_position_only() -> None:
    with pytest.raises(InvalidMnemonic) as caught:
        mnemonic.parse(VALID.replace("sausage", "sausagr"))
    error = caught.value
    assert error.message == "word 6 is not in the BIP-39 English list"
    assert error.position == 6
    assert "sausag" not in str(error)


def test_suggestions_are_asked_for_separately() -> None:
    typed = VALID.replace("sausage", "sausagr")
    assert "sausage" in mnemonic.suggestions(typed, 6)
    assert mnemonic.suggestions(typed, 13) == []
    assert mnemonic.suggestions(typed, 0) == []


def test_bad_checksum() -> None:
    words = VALID.split()
    words[-1] = "zoo"
    with pytest.raises(InvalidMnemonic, match="checksum"):
        mnemonic.parse(" ".join(words))


@pytest.mark.parametrize("count", [0, 1, 11, 13, 25])
def test_wrong_word_count(count: int) -> None:
    with pytest.raises(InvalidMnemonic, match=f"this one has {count}"):
        mnemonic.parse(" ".join(["abandon"] * count))


@pytest.mark.parametrize("words", [12, 24])
def test_generate(words: int) -> None:
    first = mnemonic.generate(words)
    second = mnemonic.generate(words)
    assert first.word_count == words
    assert first.reveal_phrase() != second.reveal_phrase()
    assert mnemonic.parse(first.reveal_phrase()).reveal_phrase() == first.reveal_phrase()
    assert len(mnemonic.to_entropy(first)) == words * 4 // 3


def test_generate_refuses_odd_sizes() -> None:
    with pytest.raises(InvalidMnemonic):
        mnemonic.generate(13)


def test_repr_hides_the_words() -> None:
    phrase = mnemonic.parse(VALID, "extra")
    assert "legal" not in repr(phrase)
    assert "extra" not in repr(phrase)
    assert "legal" not in str(mnemonic.to_seed(phrase))
