"""scripts/tour.sh runs every command the README's tour shows (CI runs the script itself on the
README's install, with no test extras)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUPS = {"network", "devnet", "psbt", "contacts", "keyring", "lists", "tx", "multisig"}
VALUED = {"--network", "--wallet", "--home", "--passphrase-file"}
FLAGS = {"--json", "--yes", "--debug"}


def command_of(words: list[str]) -> tuple[str, ...]:
    """The command a `wallet ...` line runs: global options skipped, group and subcommand."""
    rest = list(words)
    while rest and rest[0].startswith("--"):
        rest = rest[2:] if rest[0] in VALUED else rest[1:]
    if not rest:
        return ()
    if rest[0] in GROUPS and len(rest) > 1 and not rest[1].startswith("-"):
        return (rest[0], rest[1])
    return (rest[0],)


def readme_commands() -> set[tuple[str, ...]]:
    text = (ROOT / "README.md").read_text()
    tour = text[text.index("## A tour") :]
    block = tour[tour.index("```sh") + 5 : tour.index("```", tour.index("```sh") + 5)]
    found = set()
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("wallet "):
            found.add(command_of(line.split()[1:]))
    return found


def tour_commands() -> set[tuple[str, ...]]:
    found = set()
    for line in (ROOT / "scripts" / "tour.sh").read_text().splitlines():
        match = re.search(r"(?:^|\$\()\s*(?:run|json)\s+(?:--expect\s+\d+\s+)?([^|)]*)", line)
        inner = re.search(r"\bwallet ((?:--\S+ \S+ )*[a-z-]+(?: [a-z-]+)?)", line)
        if match and not line.lstrip().startswith(("run()", "json()")):
            words = match.group(1).rstrip("\\").split()
            found.add(command_of(words))
        elif inner:
            found.add(command_of(inner.group(1).split()))
    return found


def test_the_readme_tour_is_found() -> None:
    commands = readme_commands()
    assert ("send",) in commands
    assert ("psbt", "create") in commands
    assert len(commands) >= 25


def test_the_tour_script_runs_every_readme_command() -> None:
    missing = readme_commands() - tour_commands()
    assert not missing, f"scripts/tour.sh does not run: {sorted(missing)}"
