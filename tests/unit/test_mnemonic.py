"""BIP-39 input handling: every bad phrase is refused with the word or count named."""

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


def test_unknown_word_is_named_with_suggestions() -> None:
    with pytest.raises(InvalidMnemonic) as caught:
        mnemonic.parse(VALID.replace("sausage", "sausagr"))
    message = caught.value.message
    assert "word 6" in message
    assert "'sausagr'" in message
    assert "sausage" in message.split("closest list words:")[1]


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
