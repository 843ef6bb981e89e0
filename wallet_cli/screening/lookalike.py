"""Look-alike detection: a destination that shares its first and last characters with a
trusted address, the shape of address poisoning. The thresholds and their arithmetic are in
docs/screening.md (generated from the shapes below by wallet_cli/screening/docs.py).

Trust comes in two tiers, because poisoners copy the counterparties a victim used
*recently*, while the chance that a random address resembles some trusted one grows with
the number trusted. Tier 1 (contacts, this wallet's own addresses and Safes, recent and
frequent recipients: a bounded set) keeps the sensitive shapes; tier 2 (every older
recipient: unbounded) needs more matching characters, so false alarms stay rare at a
heavy user's 100,000 past recipients.

Only the part a person reads is compared, case-insensitively on EVM: the 40 hex digits
after `0x`; on Bitcoin, the characters after the fixed prefix; on Solana, the whole base58
address, case-sensitively (base58 tells `a` from `A`). An index keyed by every flagged
(prefix, suffix) shape makes a check seven dict lookups, whatever the number of trusted
addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Shape = tuple[int, int]  # (leading, trailing) characters that must match at least


@dataclass(frozen=True)
class Tier:
    """What resemblance to an address of this tier blocks, what only warns, and the
    (leading, trailing) ends it is indexed by: every flagged shape must contain one."""

    number: int
    block: tuple[Shape, ...]
    warn: tuple[Shape, ...]
    keys: tuple[Shape, ...] = ()  # empty: the least flagged shapes

    def severity(self, leading: int, trailing: int) -> str | None:
        if any(leading >= a and trailing >= b for a, b in self.block):
            return "block"
        if any(leading >= a and trailing >= b for a, b in self.warn):
            return "warn"
        return None

    def index_shapes(self) -> tuple[Shape, ...]:
        """The keys, or the least shapes flagged: any flagged resemblance contains one."""
        if self.keys:
            return self.keys
        shapes = set(self.block) | set(self.warn)
        return tuple(
            sorted(
                s
                for s in shapes
                if not any(o != s and s[0] >= o[0] and s[1] >= o[1] for o in shapes)
            )
        )


# Tier 1: both ends >= 3 blocks (every published loss matched at least 3+3); any other
# split of 6 with both ends >= 1, or 7 at one end alone, warns.
BLOCK_SHAPE: Shape = (3, 3)
WARN_SHAPES: tuple[Shape, ...] = ((1, 5), (2, 4), (4, 2), (5, 1), (7, 0), (0, 7))
TIER1 = Tier(1, (BLOCK_SHAPE,), WARN_SHAPES)
# Tier 2: both ends >= 3 always; 9 characters block, 8 warn. Indexed by their 3+3 ends
# alone (16^6 keys on EVM: a bucket holds 0.006 addresses at 100,000), so the unbounded
# tier costs one dict, shared with tier 1's 3+3 key.
TIER2 = Tier(2, ((3, 6), (4, 5), (5, 4), (6, 3)), ((3, 5), (4, 4), (5, 3)), keys=((3, 3),))
TIERS = (TIER1, TIER2)
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
    tier: int = 1

    def marked(self, family: str, address: str) -> str:
        """The address with the matching ends in brackets: 0x[d9a1]c378…[853a91]."""
        start = 2 if family == "evm" else len(address) - len(readable(family, address))
        head_end = start + self.leading
        tail_start = len(address) - self.trailing
        head = f"[{address[start:head_end]}]" if self.leading else ""
        tail = f"[{address[tail_start:]}]" if self.trailing else ""
        return address[:start] + head + address[head_end:tail_start] + tail


def _ends(text: str, a: int, b: int) -> str:
    return text[:a] + text[-b:] if b else text[:a]


def _shape_index(texts: list[str], shape: Shape) -> dict[str, str | list[str]]:
    """Texts by their ends for one shape: one text per key, or a list when several share
    it (built in bulk: this runs over every past recipient each time screening starts)."""
    a, b = shape
    keys = [t[:a] + t[-b:] for t in texts] if b else [t[:a] for t in texts]
    index: dict[str, str | list[str]] = dict(zip(keys, texts, strict=True))
    if len(index) == len(texts):
        return index
    # The dict kept the last text of each key: the earlier ones name the shared keys.
    shared = {key for key, text in zip(keys, texts, strict=True) if index[key] is not text}
    for key in shared:
        index[key] = []
    for key, text in zip(keys, texts, strict=True):
        if key in shared:
            held = index[key]
            assert isinstance(held, list)
            held.append(text)
    return index


class LookalikeIndex:
    def __init__(
        self,
        family: str,
        trusted: Mapping[str, str],
        older: Mapping[str, str] | None = None,
    ) -> None:
        """`trusted`: tier-1 address -> label (contact name, "your address", ...); `older`:
        tier-2 addresses (past recipients outside the recent and frequent windows)."""
        self.family = family
        self.trusted = dict(trusted)
        tier2 = dict(older or {})
        for address in self.trusted.keys() & tier2.keys():
            del tier2[address]
        self.trusted.update(tier2)
        # readable text -> address, the first address given winning (tier 1 first).
        close: dict[str, str] = {}
        for address in trusted:
            close.setdefault(readable(family, address), address)
        older_texts = {readable(family, a): a for a in reversed(list(tier2))}
        self._tier1 = frozenset(close)
        self._readable = {**older_texts, **close}
        members = {
            TIER1.number: list(close),
            TIER2.number: [t for t in older_texts if t not in self._tier1],
        }
        self._shapes: list[tuple[Shape, dict[str, str | list[str]]]] = []
        for shape in dict.fromkeys(k for tier in TIERS for k in tier.index_shapes()):
            texts = [
                t for tier in TIERS if shape in tier.index_shapes() for t in members[tier.number]
            ]
            if texts:
                self._shapes.append((shape, _shape_index(texts, shape)))

    def __len__(self) -> int:
        return len(self.trusted)

    def tier_of(self, address: str) -> int | None:
        text = readable(self.family, address)
        if text not in self._readable:
            return None
        return TIER1.number if text in self._tier1 else TIER2.number

    def strongest(self, address: str) -> Resemblance | None:
        """The trusted address this one most resembles, if the resemblance is flagged by
        that address's tier."""
        text = readable(self.family, address)
        if text in self._readable:
            return None  # trusted itself
        best: Resemblance | None = None
        seen: set[str] = set()
        for (a, b), index in self._shapes:
            held = index.get(_ends(text, a, b))
            if held is None:
                continue
            for candidate in (held,) if isinstance(held, str) else held:
                if candidate in seen:
                    continue
                seen.add(candidate)
                leading, trailing = common_prefix(text, candidate), common_suffix(text, candidate)
                tier = TIER1 if candidate in self._tier1 else TIER2
                severity = tier.severity(leading, trailing)
                if severity is None:
                    continue
                original = self._readable[candidate]
                found = Resemblance(
                    original, self.trusted[original], leading, trailing, severity, tier.number
                )
                if best is None or _rank(found) > _rank(best):
                    best = found
        return best


def _rank(resemblance: Resemblance) -> tuple[bool, int, bool]:
    return (
        resemblance.severity == "block",
        resemblance.leading + resemblance.trailing,
        resemblance.tier == 1,
    )


def build(
    family: str,
    sources: Iterable[tuple[str, str]],
    older: Iterable[tuple[str, str]] = (),
) -> LookalikeIndex:
    """Index (address, label) pairs, `sources` in tier 1 and `older` in tier 2; the first
    label given for an address wins, and an address in both is tier 1."""
    trusted: dict[str, str] = {}
    for address, label in sources:
        trusted.setdefault(address, label)
    tier2: dict[str, str] = {}
    for address, label in older:
        if address not in trusted:
            tier2.setdefault(address, label)
    return LookalikeIndex(family, trusted, tier2)
