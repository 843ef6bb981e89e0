"""Look-alikes on Solana: the whole base58 address is compared, case-sensitively, and the
matching ends are marked. Trusted addresses are real ed25519 keys (chains/sol/keys); a
look-alike keeps a trusted address's ends around another real key's middle, as a poisoner
grinds one."""

from __future__ import annotations

import hashlib

from chains import base58
from chains.sol import address as sol_address
from chains.sol import keys
from wallet_cli.screening import lookalike

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def real_address(label: str) -> str:
    """The address of a real ed25519 key (private key: SHA-256 of `label`)."""
    return sol_address.encode(keys.public_key(hashlib.sha256(label.encode()).digest()))


def is_address(text: str) -> bool:
    try:
        raw = base58.decode(text)
    except ValueError:
        return False
    return len(raw) == 32 and base58.encode(raw) == text


def lookalike_of(trusted: str, leading: int, trailing: int) -> str:
    """A valid address sharing exactly `leading` first and `trailing` last characters with
    `trusted`: its ends around the middle of the first real key that fits."""
    for n in range(10_000):
        donor = real_address(f"donor {trusted} {n}")
        if len(donor) != len(trusted):
            continue
        if donor[leading] == trusted[leading] or donor[-trailing - 1] == trusted[-trailing - 1]:
            continue
        text = trusted[:leading] + donor[leading : len(donor) - trailing]
        text += trusted[len(trusted) - trailing :]
        if is_address(text):
            return text
    raise AssertionError("no donor fits")


def _with_swappable_first_letter() -> str:
    """A real address starting with a lower-case letter whose capital is base58 too (so the
    capital, a smaller digit, still spells 32 bytes)."""
    for n in range(1000):
        candidate = real_address(f"treasury {n}")
        first = candidate[0]
        if first.islower() and first.upper() in ALPHABET:
            return candidate
    raise AssertionError("no such address")


TREASURY = _with_swappable_first_letter()


def test_a_sol_address_is_read_whole_and_never_lowered() -> None:
    assert lookalike.readable("sol", TREASURY) == TREASURY
    assert TREASURY.lower() != TREASURY


def test_three_and_three_blocks_and_is_marked() -> None:
    index = lookalike.build("sol", [(TREASURY, "contact 'treasury'")])
    forged = lookalike_of(TREASURY, 3, 3)
    found = index.strongest(forged)
    assert found is not None
    assert (found.severity, found.leading, found.trailing) == ("block", 3, 3)
    assert found.label == "contact 'treasury'"
    assert found.marked("sol", forged) == f"[{forged[:3]}]{forged[3:-3]}[{forged[-3:]}]"
    assert found.marked("sol", TREASURY) == f"[{TREASURY[:3]}]{TREASURY[3:-3]}[{TREASURY[-3:]}]"


def test_weaker_resemblances_warn_and_random_keys_pass() -> None:
    index = lookalike.build("sol", [(TREASURY, "contact 'treasury'")])
    for leading, trailing in ((2, 4), (1, 5), (5, 1), (7, 0)):
        found = index.strongest(lookalike_of(TREASURY, leading, trailing))
        assert found is not None
        assert found.severity == "warn", (leading, trailing)
    assert index.strongest(lookalike_of(TREASURY, 2, 3)) is None
    assert index.strongest(TREASURY) is None  # trusted itself
    flagged = [a for n in range(200) if index.strongest(a := real_address(f"random {n}"))]
    assert flagged == []


def test_case_is_part_of_the_address() -> None:
    """Swapping the case of a shared character breaks the match: base58 `a` is not `A`."""
    index = lookalike.build("sol", [(TREASURY, "contact 'treasury'")])
    forged = lookalike_of(TREASURY, 3, 3)
    recased = forged[0].swapcase() + forged[1:]
    assert is_address(recased)
    assert index.strongest(forged) is not None
    assert index.strongest(recased) is None  # 0 leading + 3 trailing: not a shape
