"""Where `wallet approvals` got to on a network: the blocks its `Approval` log scans have
covered (one contiguous range) and the allowances found in them, kept in the wallet's chain
folder (`wallets/NAME/chains/approvals-NETWORK.json`, 0600). The next run reads only the
blocks after the range and confirms every known allowance again, so a scan from
`--from-block 0` completes over several runs and a daily run costs only the new blocks.

The file is the wallet's own notes, not the truth: the node's `allowance()` is asked again for
every pair each run, and a file that cannot be read is set aside and the scan starts over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from wallet_cli.store.atomic import make_private_dir, write_atomic
from wallet_cli.store.home import Home

MAX_BYTES = 4 * 1024 * 1024
Pair = tuple[str, str, str, int]  # owner, token, spender, block of its last Approval log


@dataclass(frozen=True)
class ScanState:
    owners: tuple[str, ...]
    first_block: int
    last_block: int
    pairs: tuple[Pair, ...]

    def covers(self, owners: list[str]) -> bool:
        return set(owners) <= set(self.owners)

    def extended(self, owners: list[str], first: int, last: int, pairs: list[Pair]) -> ScanState:
        """This state after the next scan, `first`..`last` (it starts where this one ends):
        one range; pairs are the allowances found now (earlier ones confirmed again). A scan
        from an explicit `--from-block` replaces the range instead: the next run carries on
        from its end, so a whole chain is read over several runs."""
        if first <= self.last_block + 1:
            first = min(first, self.first_block)
        return ScanState(tuple(owners), first, max(last, self.last_block), tuple(pairs))


def state_path(folder: Path, network: str) -> Path:
    return folder / f"approvals-{network}.json"


def load(path: Path) -> ScanState | None:
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read(MAX_BYTES + 1)[:MAX_BYTES])
        return ScanState(
            tuple(str(o) for o in data["owners"]),
            int(data["first_block"]),
            int(data["last_block"]),
            tuple((str(o), str(t), str(s), int(b)) for o, t, s, b in data["pairs"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(home: Home, path: Path, state: ScanState) -> None:
    document = {
        "owners": list(state.owners),
        "first_block": state.first_block,
        "last_block": state.last_block,
        "pairs": [list(pair) for pair in state.pairs],
    }
    with home.lock():
        make_private_dir(path.parent)
        write_atomic(path, json.dumps(document).encode())
