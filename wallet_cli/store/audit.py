"""The operation and anomaly log: `audit/<wallet>.jsonl`, one event a line (an unlock, a failed
passphrase or code, a freeze, a hold and its outcome, an export, a policy change), with the time
and the command that did it.

It is a journal like the history (wallet_cli/store/history.py: hash-chained lines, a head
written after each append, appends under the home lock, interrupted appends rolled forward or
cut, files 0600 in a 0700 folder), so the same crash safety holds; it keeps no index. Events
that happen without the passphrase (a failed attempt, a freeze) can be written without it: the
keyed seal that an attacker cannot forge is added when the wallet is next unlocked.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from wallet_cli.store.history import Commit, History
from wallet_cli.store.home import Home

_VALUED = frozenset({"--network", "--wallet", "--home", "--passphrase-file"})


class AuditLog(History):
    def __init__(self, home: Home, wallet: str) -> None:
        super().__init__(home, wallet)
        self.folder = home.root / "audit"
        self.path = self.folder / f"{wallet}.jsonl"
        self.head_path = self.folder / f"{wallet}.head"

    def _index(self, commit: Commit) -> None:
        return None  # nothing reads the audit log by query


def command_line() -> str:
    """The command that is running, for the log: the program and its subcommand words, never
    option values (a path, an address or an amount is not the log's business, and a value
    could be a secret typed in the wrong place)."""
    words = [os.path.basename(sys.argv[0])] if sys.argv else []
    args = iter(sys.argv[1:])
    for arg in args:
        if arg in _VALUED:
            next(args, None)  # a global option's value
        elif arg.startswith("-"):
            continue
        elif arg.replace("-", "").isalpha() and arg.islower():
            words.append(arg)
        else:
            break  # the first argument: what follows is data
    return " ".join(words)


def record(home: Home, wallet: str, event: str, **fields: Any) -> dict[str, Any]:
    """Append one event (`unlock`, `unlock-failed`, `code-failed`, `freeze`, `unfreeze`,
    `hold`, `hold-approved`, `hold-cancelled`, `export`, `policy-change`, ...) with the
    command running; takes the home lock."""
    return AuditLog(home, wallet).append({"event": event, "command": command_line(), **fields})
