"""The one table from error kind to exit code (CONTRACT.md), and how an error is shown."""

from __future__ import annotations

EXIT_CODES: dict[str, int] = {
    "failed": 1,
    "input": 2,
    "refused": 3,
    "auth": 4,
    "unconfirmed": 5,
    "network": 6,
    "held": 7,
}
USAGE_EXIT = 2
INTERRUPTED_EXIT = 130


def exit_code_for(kind: str) -> int:
    return EXIT_CODES.get(kind, 1)
