"""docs/cli.md, the user's copy of the command-line contract, stays true: every command of
the app is on it, and every error code of the code is in its table with the exit code the
CLI gives it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "cli.md").read_text()
CLI_CODES = {"usage": 2, "aborted": 5, "internal-error": 1, "interrupted": 130}


def error_codes() -> dict[str, str]:
    """code -> kind of every error class in the packages (kind inherited where not set)."""
    classes: dict[str, tuple[list[str], dict[str, str]]] = {}
    for package in ("wallet_cli", "keystore", "chains"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.ClassDef):
                    continue
                fields = {
                    target.id: statement.value.value
                    for statement in node.body
                    if isinstance(statement, ast.Assign)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                    for target in statement.targets
                    if isinstance(target, ast.Name) and target.id in ("code", "kind")
                }
                bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
                classes[node.name] = (bases, fields)

    def field(name: str, key: str) -> str | None:
        bases, fields = classes.get(name, ([], {}))
        if key in fields:
            return fields[key]
        return next((v for b in bases if (v := field(b, key)) is not None), None)

    codes = {}
    for name, (_, fields) in classes.items():
        code = fields.get("code")
        kind = field(name, "kind")
        if code and kind:
            codes[code] = kind
    return codes


def documented() -> dict[str, int]:
    return {m[0]: int(m[1]) for m in re.findall(r"^\| `([a-z0-9-]+)` \| (\d+) \|", DOC, re.M)}


def test_every_error_code_is_documented_with_its_exit_code() -> None:
    from wallet_cli.cli.exits import exit_code_for

    expected = {code: exit_code_for(kind) for code, kind in error_codes().items()}
    expected.update(CLI_CODES)
    # Base classes' own codes (wallet-error, chain-error, keystore-error) are never raised.
    expected = {
        c: e
        for c, e in expected.items()
        if not c.endswith(("-error",)) or c in ("rpc-error", "devnet-error", "internal-error")
    }
    table = documented()
    missing = sorted(set(expected) - set(table))
    assert not missing, f"error codes missing from docs/cli.md: {missing}"
    wrong = {c: (table[c], e) for c, e in expected.items() if table[c] != e}
    assert not wrong, f"docs/cli.md gives the wrong exit (doc, code): {wrong}"
    stale = sorted(set(table) - set(expected))
    assert not stale, f"docs/cli.md lists codes the code no longer has: {stale}"


def test_every_command_is_documented() -> None:
    import typer.main

    from wallet_cli.cli.app import app

    group = typer.main.get_command(app)
    names = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        names += [f"{name} {sub}" for sub in subcommands] if subcommands else [name]

    def named(command: str) -> bool:
        words = command.split()
        if len(words) == 1:
            return f"wallet {command}" in DOC or f"`{command}`" in DOC
        return re.search(rf"`(wallet )?{words[0]}\b[^`\n]*\b{words[1]}\b", DOC) is not None

    missing = [n for n in names if not named(n)]
    assert not missing, f"commands missing from docs/cli.md: {missing}"
    assert len(names) >= 30
