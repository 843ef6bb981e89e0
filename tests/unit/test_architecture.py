"""The dependency rules of DESIGN.md, enforced on the source itself.

wallet_cli.cli -> wallet_cli -> keystore, chains; keystore knows no chain; chain families never
import each other; only wallet_cli/cli imports typer/rich or prints; heavy libraries are
imported inside functions, so `wallet --help` loads none of them; wallet_cli/cli imports
nothing from chains/ or keystore/ (not even for type checking): it reaches them only through
the library (the `Wallet` facade, wallet_cli modules, wallet_cli.types).
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("wallet_cli", "keystore", "chains")
HEAVY = (
    "web3",
    "eth_account",
    "bip_utils",
    "bdkpython",
    "bdk",
    "solders",
    "safe_eth",
    "coincurve",
    "Crypto",
    "cryptography",
    "keyring",
    "rich",
)


# The CLI is a thin layer: it imports the standard library, Typer/Click/Rich, its display
# and prompt helpers (segno draws the receive QR code, zxcvbn rates a new passphrase), and
# wallet_cli modules. Never chains/ or keystore/: what it needs from them comes through the
# library (the `Wallet` facade, wallet_cli modules, and wallet_cli.types for value types).
# Checked everywhere in a file: module level, inside functions and `if TYPE_CHECKING:`
# blocks alike, so a type never pulls the layering apart.
CLI_LIBRARY_ONLY = ("chains", "keystore")
CLI_THIRD_PARTY = ("typer", "click", "rich", "segno", "zxcvbn")


def cli_may_import(name: str) -> bool:
    top = first(name)
    if top in CLI_LIBRARY_ONLY:
        return False
    return top == "wallet_cli" or top in CLI_THIRD_PARTY or top in sys.stdlib_module_names


def sources(root: Path = ROOT) -> Iterator[tuple[str, Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            yield module, path, ast.parse(path.read_text(), str(path))


def imported_names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def dynamic_imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """`importlib.import_module("a.b")` and `__import__("a.b")` with a literal name."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        target = node.args[0]
        if (
            called in ("import_module", "__import__")
            and isinstance(target, ast.Constant)
            and isinstance(target.value, str)
        ):
            yield node.lineno, target.value


def relative_imports(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            yield node.lineno


def top_level_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in tree.body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks do not run
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from imported_names(node)


def first(name: str) -> str:
    return name.split(".")[0]


def violations(root: Path = ROOT) -> list[str]:
    found = []
    for module, path, tree in sources(root):
        where = path.relative_to(root)
        in_cli = module.startswith("wallet_cli.cli")
        for line, name in imported_names(tree):
            top = first(name)
            if module.startswith(("keystore", "chains")) and top == "wallet_cli":
                found.append(f"{where}:{line} imports {name} (keystore/chains never import it)")
            if module.startswith("keystore") and top == "chains":
                found.append(f"{where}:{line} imports {name} (keystore knows no chain)")
            if not in_cli and top in ("typer", "rich", "click"):
                found.append(f"{where}:{line} imports {name} outside wallet_cli/cli")
            parts = module.split(".")
            if parts[0] == "chains" and len(parts) > 2 and name.startswith("chains."):
                family, target = parts[1], name.split(".")[1]
                if target in ("evm", "btc", "sol") and target != family:
                    found.append(f"{where}:{line} chains.{family} imports {name}")
        if in_cli:
            found += cli_violations(str(where), tree)
        for line, name in top_level_imports(tree):
            if first(name) in HEAVY:
                found.append(f"{where}:{line} imports {name} at module level (import it lazily)")
        if not in_cli:
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("print", "input")
                ):
                    found.append(f"{where}:{node.lineno} calls {node.func.id}() outside the CLI")
    return found


def cli_violations(where: str, tree: ast.AST) -> list[str]:
    found = []
    for line, name in sorted({*imported_names(tree), *dynamic_imports(tree)}):
        if first(name) in CLI_LIBRARY_ONLY:
            found.append(
                f"{where}:{line} imports {name} (the CLI goes through the library: "
                "the Wallet facade, wallet_cli modules, wallet_cli.types)"
            )
        elif not cli_may_import(name):
            found.append(
                f"{where}:{line} imports {name} (the CLI imports only the standard library, "
                f"wallet_cli and {', '.join(CLI_THIRD_PARTY)})"
            )
    for line in relative_imports(tree):
        found.append(f"{where}:{line} imports relatively (write the absolute wallet_cli name)")
    return found


def test_dependency_rules_hold() -> None:
    found = violations()
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("keystore", False),
        ("keystore.passphrase", False),
        ("keystore.mnemonic.to_seed", False),
        ("chains", False),
        ("chains.base", False),
        ("chains.registry", False),
        ("chains.evm.rpc.RpcClient", False),
        ("web3", False),
        ("bdkpython", False),
        ("keystored", False),
        ("wallet_cli.types", True),
        ("wallet_cli.wallet", True),
        ("typer._click.exceptions", True),
        ("rich.console", True),
        ("segno", True),
        ("json", True),
        ("importlib.metadata", True),
    ],
)
def test_cli_may_import(name: str, allowed: bool) -> None:
    assert cli_may_import(name) is allowed


PLANTED = {
    "keystore/planted.py": (
        "import wallet_cli.wallet\n",
        "keystore/planted.py:1 imports wallet_cli",
    ),
    "keystore/planted_chain.py": ("from chains.evm import rpc\n", "knows no chain"),
    "chains/evm/planted.py": ("from chains.btc import psbt\n", "chains.evm imports chains.btc"),
    "chains/btc/planted.py": ("import wallet_cli\n", "chains/btc/planted.py:1 imports wallet_cli"),
    "wallet_cli/planted.py": ("import typer\n", "imports typer outside wallet_cli/cli"),
    "wallet_cli/store/planted.py": ("def f():\n    print('x')\n", "calls print() outside"),
    "wallet_cli/screening/planted.py": ("import coincurve\n", "at module level"),
    "wallet_cli/cli/planted.py": (
        "def f():\n    from keystore.mnemonic import to_seed\n",
        "wallet_cli/cli/planted.py:2 imports keystore.mnemonic (the CLI goes through",
    ),
    "wallet_cli/cli/planted_top.py": (
        "import chains.registry\n",
        "wallet_cli/cli/planted_top.py:1 imports chains.registry (the CLI goes through",
    ),
    "wallet_cli/cli/planted_typing.py": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from chains import base\n",
        "wallet_cli/cli/planted_typing.py:4 imports chains (the CLI goes through",
    ),
    "wallet_cli/cli/planted_dynamic.py": (
        "import importlib\n\nvault = importlib.import_module('keystore.vault')\n",
        "wallet_cli/cli/planted_dynamic.py:3 imports keystore.vault (the CLI goes through",
    ),
    "wallet_cli/cli/planted_library.py": (
        "def f():\n    import web3\n",
        "wallet_cli/cli/planted_library.py:2 imports web3 (the CLI imports only",
    ),
    "wallet_cli/cli/planted_relative.py": (
        "from ..keyfiles import open_v3\n",
        "wallet_cli/cli/planted_relative.py:1 imports relatively",
    ),
}


def test_the_checker_catches_each_planted_violation(tmp_path: Path) -> None:
    """The same checker, run on a copy of the packages with one violation of each rule
    planted, reports every one: a rule that cannot fail proves nothing."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package)
    before = set(violations(tmp_path))  # what the tree has now: test_dependency_rules_hold
    for relative, (code, _) in PLANTED.items():
        (tmp_path / relative).write_text(code)
    found = [line for line in violations(tmp_path) if line not in before]
    for relative, (_, needle) in PLANTED.items():
        assert any(relative in line and needle in line for line in found), (relative, found)
    assert len(found) == len(PLANTED), found


@pytest.mark.parametrize("args", [["--help"], ["keyring", "--help"], ["init", "--help"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    probe = (
        "import io, json, sys, contextlib\n"
        "from wallet_cli.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run({args!r})\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = json.loads(out.stdout)
    assert result == {"code": 0, "heavy": []}


# safe-eth-py is installed for its bundled Safe contract JSON only (chains/evm/safe_abi.py reads
# it as package data); it brings web3 and eth-account, which the packages never import: they
# are heavy, and eth-account is what the tests check our own signing against.
NEVER_IMPORTED = ("web3", "eth_account", "safe_eth")


def never_imported(tree: ast.AST) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_names(tree) if first(name) in NEVER_IMPORTED]


def test_the_packages_never_import_web3_eth_account_or_safe_eth() -> None:
    found = [
        f"{module}:{line} imports {name}"
        for module, _, tree in sources()
        for line, name in never_imported(tree)
    ]
    assert not found, found


def test_the_never_imported_rule_catches_a_planted_import() -> None:
    planted = ast.parse("def f():\n    from eth_account import Account\n    import web3.main\n")
    assert [name for _, name in never_imported(planted)] == ["eth_account", "web3.main"]
