"""Look-alike detection: a destination that shares its first and last characters with a
trusted address, the shape of address poisoning. The thresholds and their arithmetic are in
docs/screening.md (generated from THRESHOLDS below).

Only the part a person reads is compared, case-insensitively on EVM: the 40 hex digits
after `0x`; on Bitcoin, the characters after the fixed prefix; on Solana, the whole base58
address, case-sensitively (base58 tells `a` from `A`). An index keyed by
every flagged (prefix, suffix) shape makes a check a handful of dict lookups, whatever the
number of trusted addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# (leading, trailing) characters that must match at least. Block: both ends >= 3 (every
# published loss matched at least 3+3). Warn: any other split of 6 with both ends >= 1, or
# 7 at one end alone.
BLOCK_SHAPE = (3, 3)
WARN_SHAPES = ((1, 5), (2, 4), (4, 2), (5, 1), (7, 0), (0, 7))
_BTC_PREFIXES = ("bc1q", "bc1p", "tb1q", "tb1p", "bcrt1q", "bcrt1p")


def readable(family: str, address: str) -> str:
    """The characters a person compares, without the fixed prefix."""
    if family == "evm":
        return address[2:].lower()
    if family == "btc":
        for prefix in _BTC_PREFIXES:
            if address.lower().startswith(prefix):
                return address[len(prefix) :].lower()
        return address[1:]
    return address  # Solana: no prefix, and never lowered


def common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def common_suffix(a: str, b: str) -> int:
    return common_prefix(a[::-1], b[::-1])


@dataclass(frozen=True)
class Resemblance:
    trusted: str
    label: str
    leading: int
    trailing: int
    severity: str  # "block" or "warn"

    def marked(self, family: str, address: str) -> str:
        """The address with the matching ends in brackets: 0x[d9a1]c378…[853a91]."""
        start = 2 if family == "evm" else len(address) - len(readable(family, address))
        head_end = start + self.leading
        tail_start = len(address) - self.trailing
        head = f"[{address[start:head_end]}]" if self.leading else ""
        tail = f"[{address[tail_start:]}]" if self.trailing else ""
        return address[:start] + head + address[head_end:tail_start] + tail


def _shape_matches(leading: int, trailing: int) -> str | None:
    if leading >= BLOCK_SHAPE[0] and trailing >= BLOCK_SHAPE[1]:
        return "block"
    if any(leading >= a and trailing >= b for a, b in WARN_SHAPES):
        return "warn"
    return None


class LookalikeIndex:
    def __init__(self, family: str, trusted: Mapping[str, str]) -> None:
        """`trusted`: address -> label (contact name, "your address", "sent to before")."""
        self.family = family
        self.trusted = dict(trusted)
        self._readable = {readable(family, a): a for a in self.trusted}
        self._index: dict[tuple[int, int, str, str], list[str]] = {}
        for text in self._readable:
            for a, b in (BLOCK_SHAPE, *WARN_SHAPES):
                key = (a, b, text[:a], text[len(text) - b :] if b else "")
                self._index.setdefault(key, []).append(text)

    def __len__(self) -> int:
        return len(self.trusted)

    def strongest(self, address: str) -> Resemblance | None:
        """The trusted address this one most resembles, if the resemblance is flagged."""
        text = readable(self.family, address)
        if text in self._readable:
            return None  # trusted itself
        best: Resemblance | None = None
        seen: set[str] = set()
        for a, b in (BLOCK_SHAPE, *WARN_SHAPES):
            key = (a, b, text[:a], text[len(text) - b :] if b else "")
            for candidate in self._index.get(key, ()):
                if candidate in seen:
                    continue
                seen.add(candidate)
                leading, trailing = common_prefix(text, candidate), common_suffix(text, candidate)
                severity = _shape_matches(leading, trailing)
                if severity is None:
                    continue
                original = self._readable[candidate]
                found = Resemblance(original, self.trusted[original], leading, trailing, severity)
                if best is None or _rank(found) > _rank(best):
                    best = found
        return best


def _rank(resemblance: Resemblance) -> tuple[int, int]:
    return (resemblance.severity == "block", resemblance.leading + resemblance.trailing)


def build(family: str, sources: Iterable[tuple[str, str]]) -> LookalikeIndex:
    """Index (address, label) pairs; the first label given for an address wins."""
    trusted: dict[str, str] = {}
    for address, label in sources:
        trusted.setdefault(address, label)
    return LookalikeIndex(family, trusted)
