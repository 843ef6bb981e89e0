"""The project stands alone: nothing a user reads points outside the repository or holds a
path of a developer's machine, and the package metadata installs without deprecation."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_BY_USERS = ["README.md", "docs", "wallet_cli", "keystore", "chains", "scripts", "bench"]
OUTSIDE = re.compile(r"\.\./shared|(?<![\w.])/(?:work|home|root|Users)/[\w.-]+/")
SUFFIXES = {".md", ".py", ".sh", ".toml", ".txt"}


def files() -> list[Path]:
    found = []
    for name in READ_BY_USERS:
        path = ROOT / name
        found += (
            [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES)
        )
    return found


def test_nothing_points_outside_the_repository() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert hits == []


def test_the_checker_sees_a_planted_pointer() -> None:
    assert OUTSIDE.search("see ../shared/CONTRACT.md")
    assert OUTSIDE.search("python at /work/main/.venv/bin/python")
    assert not OUTSIDE.search("`~/.local/share/wallet` and /dev/zero")


def test_the_licence_is_an_spdx_expression() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
