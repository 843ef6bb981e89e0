"""BIP-39 mnemonics (https://github.com/bitcoin/bips/blob/master/bip-0039.mediawiki).

Generation and the checksum come from bip-utils; entropy comes from the OS CSPRNG through it.
The seed is PBKDF2-HMAC-SHA512 from the standard library, so unlocking a wallet never pays
for importing bip-utils. Errors name the position of a word that is not in the list, never
the word: an error's message ends up in --json output and logs, and a near-miss of a secret
word is most of the secret. `suggestions` gives close list words separately, for a caller
that knows a person is typing at a terminal.
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from functools import lru_cache

from keystore.errors import InvalidMnemonic
from keystore.secret import Mnemonic, Seed

VALID_WORD_COUNTS = (12, 15, 18, 21, 24)
SEED_ITERATIONS = 2048


@lru_cache(maxsize=1)
def english_words() -> tuple[str, ...]:
    from bip_utils import Bip39Languages
    from bip_utils.bip.bip39.bip39_mnemonic_utils import Bip39WordsListGetter

    words_list = Bip39WordsListGetter().GetByLanguage(Bip39Languages.ENGLISH)
    return tuple(words_list.GetWordAtIdx(i) for i in range(words_list.Length()))


def normalize(text: str) -> str:
    """NFKD, lower case, single spaces: the form BIP-39 hashes."""
    return " ".join(unicodedata.normalize("NFKD", text).lower().split())


def generate(word_count: int = 12, passphrase: str = "") -> Mnemonic:
    """A fresh English mnemonic of `word_count` words from the OS CSPRNG."""
    if word_count not in VALID_WORD_COUNTS:
        raise InvalidMnemonic(f"a mnemonic has 12, 15, 18, 21 or 24 words, not {word_count}")
    from bip_utils import Bip39Languages, Bip39MnemonicGenerator, Bip39WordsNum

    words_num = Bip39WordsNum(word_count)
    phrase = Bip39MnemonicGenerator(Bip39Languages.ENGLISH).FromWordsNumber(words_num)
    return Mnemonic(normalize(phrase.ToStr()), passphrase)


def parse(text: str, passphrase: str = "") -> Mnemonic:
    """Validate a typed or pasted phrase: word count, each word, then the checksum."""
    phrase = normalize(text)
    words = phrase.split()
    if len(words) not in VALID_WORD_COUNTS:
        raise InvalidMnemonic(
            f"a mnemonic has 12, 15, 18, 21 or 24 words; this one has {len(words)}"
        )
    known = frozenset(english_words())
    for position, word in enumerate(words, start=1):
        if word not in known:
            raise InvalidMnemonic(
                f"word {position} is not in the BIP-39 English list", position=position
            )
    _verify_checksum(phrase)
    return Mnemonic(phrase, passphrase)


def suggestions(text: str, position: int) -> list[str]:
    """Up to three list words close to word `position` (1-based) of `text`.

    Only for showing on the terminal the phrase was typed at; never put in an error.
    """
    words = normalize(text).split()
    if not 1 <= position <= len(words):
        return []
    return difflib.get_close_matches(words[position - 1], english_words(), n=3, cutoff=0.6)


def _verify_checksum(phrase: str) -> None:
    from bip_utils import Bip39Languages, Bip39MnemonicDecoder, MnemonicChecksumError

    try:
        Bip39MnemonicDecoder(Bip39Languages.ENGLISH).Decode(phrase)
    except MnemonicChecksumError:
        raise InvalidMnemonic(
            "the mnemonic's checksum does not match: a word is wrong or the order is"
        ) from None


def to_entropy(mnemonic: Mnemonic) -> bytes:
    from bip_utils import Bip39Languages, Bip39MnemonicDecoder

    entropy: bytes = Bip39MnemonicDecoder(Bip39Languages.ENGLISH).Decode(mnemonic.reveal_phrase())
    return entropy


def to_seed(mnemonic: Mnemonic) -> Seed:
    password = unicodedata.normalize("NFKD", mnemonic.reveal_phrase()).encode()
    salt = ("mnemonic" + unicodedata.normalize("NFKD", mnemonic.reveal_passphrase())).encode()
    return Seed(hashlib.pbkdf2_hmac("sha512", password, salt, SEED_ITERATIONS))
