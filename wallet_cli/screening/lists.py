"""Block lists in a compact form: sorted fixed-size 20-byte keys, searched by bisection
over a memory map, so a list of a million addresses costs a few page reads per check and
no start-up work (no Python set of strings is ever built).

Keys: an EVM address is its own 20 bytes; a Bitcoin or Solana address (case-sensitive text)
is the first 20 bytes of SHA-256("<family>:<address>"). One `.bin` file per list and chain
family, with a JSON description beside it. The lists shipped with the wallet are built by
scripts/build_lists.py from the sources in data/SOURCES.md; a user's own by `wallet lists add`.
"""

from __future__ import annotations

import csv
import hashlib
import mmap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEY_SIZE = 20
PACKAGED = Path(__file__).parent / "data"
FAMILIES = ("evm", "btc", "sol")


def key_of(family: str, address: str) -> bytes:
    if family == "evm":
        return bytes.fromhex(address[2:].lower())
    return hashlib.sha256(f"{family}:{address}".encode()).digest()[:KEY_SIZE]


def write_keys(path: Path, keys: Iterable[bytes]) -> int:
    """Sorted, de-duplicated keys to `path`; returns how many."""
    unique = sorted(set(keys))
    from wallet_cli.store.atomic import write_atomic

    write_atomic(path, b"".join(unique))
    return len(unique)


@dataclass(frozen=True)
class ListInfo:
    name: str
    kind: str  # sanctioned, scam, user
    rule: str  # the screening rule id its hits raise
    source: str
    date: str
    counts: dict[str, int]
    folder: Path
    labels: str | None = None  # CSV (chain,address,…,comment) read only on a hit

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "rule": self.rule,
            "source": self.source,
            "date": self.date,
            "counts": self.counts,
            "total": sum(self.counts.values()),
        }


class KeyFile:
    """One sorted key file, mapped into memory on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._size = 0

    def _mapped(self) -> mmap.mmap | None:
        if self._map is None:
            try:
                with self.path.open("rb") as handle:
                    self._size = self.path.stat().st_size // KEY_SIZE
                    if self._size == 0:
                        return None
                    self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except FileNotFoundError:
                return None
        return self._map

    def __contains__(self, key: bytes) -> bool:
        data = self._mapped()
        if data is None:
            return False
        low, high = 0, self._size
        while low < high:
            middle = (low + high) // 2
            probe = data[middle * KEY_SIZE : (middle + 1) * KEY_SIZE]
            if probe < key:
                low = middle + 1
            else:
                high = middle
        return low < self._size and data[low * KEY_SIZE : (low + 1) * KEY_SIZE] == key


@dataclass(frozen=True)
class Hit:
    info: ListInfo
    label: str


class ListSet:
    """Every list the wallet knows: the shipped ones and the user's, loaded lazily."""

    def __init__(self, infos: list[ListInfo]) -> None:
        self.infos = infos
        self._files: dict[tuple[str, str], KeyFile] = {}

    @classmethod
    def load(cls, user_folder: Path | None) -> ListSet:
        infos = read_infos(PACKAGED)
        if user_folder is not None and user_folder.is_dir():
            infos += read_infos(user_folder)
        return cls(infos)

    def hits(self, family: str, address: str) -> list[Hit]:
        key = key_of(family, address)
        found = []
        for info in self.infos:
            if not info.counts.get(family):
                continue
            file = self._files.setdefault(
                (info.name, family), KeyFile(info.folder / f"{info.name}.{family}.bin")
            )
            if key in file:
                found.append(Hit(info, _label(info, family, address)))
        return found


def read_infos(folder: Path) -> list[ListInfo]:
    """The lists described in `folder`; a description is a few hundred bytes (64 KiB at most),
    and its labels file, if any, must sit beside it."""
    from keystore.errors import KeystoreError
    from keystore.files import KEYSTORE_LIMIT, load_json, read_limited

    infos = []
    for meta in sorted(folder.glob("*.json")):
        try:
            data = load_json(read_limited(meta, KEYSTORE_LIMIT, "list description"))
            labels = data.get("labels")
            if labels is not None and Path(labels).name != labels:
                raise ValueError("labels must be a file beside the description")
            infos.append(
                ListInfo(
                    name=data["name"],
                    kind=data["kind"],
                    rule=data["rule"],
                    source=data["source"],
                    date=data["date"],
                    counts={k: int(v) for k, v in data["counts"].items()},
                    folder=folder,
                    labels=labels,
                )
            )
        except (KeystoreError, OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a damaged user list is skipped here and reported by `wallet lists`
    return infos


def _label(info: ListInfo, family: str, address: str) -> str:
    if info.labels is None:
        return info.name
    wanted = address.lower() if family == "evm" else address
    labels = []
    with (info.folder / info.labels).open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("chain") == family and row.get("address") == wanted:
                labels.append(row.get("comment") or row.get("list") or row.get("source") or "")
    text = "; ".join(dict.fromkeys(label for label in labels if label))
    return text or info.name


def rows_of(path: Path) -> Iterator[tuple[str, str]]:
    """(chain, address) rows of a shipped CSV list."""
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            yield row["chain"], row["address"]
