"""The dependency rules of DESIGN.md, enforced on the source itself.

wallet_cli.cli -> wallet_cli -> keystore, chains; keystore knows no chain; chain families never
import each other; only wallet_cli/cli imports typer/rich or prints; heavy libraries are
imported inside functions, so `wallet --help` loads none of them; the CLI reaches key
derivation and chain RPC only through the library (the `Wallet` facade and wallet_cli modules).
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


# Modules the CLI must reach through the library, never itself: seeds, keys, raw chain calls.
CLI_FORBIDDEN = (
    "keystore.mnemonic",
    "chains.evm.rpc",
    "chains.evm.abi",
    "chains.btc.backends",
    "chains.btc.keys",
)


def cli_forbidden(name: str) -> bool:
    """`chains.*.keys` and the modules above, or anything inside them."""
    parts = name.split(".")
    if len(parts) >= 3 and parts[0] == "chains" and parts[2] == "keys":
        return True
    return any(name == bad or name.startswith(bad + ".") for bad in CLI_FORBIDDEN)


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


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Like `imported_names`, with `from a.b import c` also giving `a.b.c` (c may be a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


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
            reported = set()
            for line, name in imported_modules(tree):
                if cli_forbidden(name) and line not in reported:
                    reported.add(line)
                    found.append(
                        f"{where}:{line} imports {name} (the CLI goes through the library)"
                    )
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


def test_dependency_rules_hold() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("name", "forbidden"),
    [
        ("keystore.mnemonic", True),
        ("keystore.mnemonic.to_seed", True),
        ("chains.evm.rpc.RpcClient", True),
        ("chains.evm.abi", True),
        ("chains.btc.backends", True),
        ("chains.sol.keys", True),
        ("chains.evm.keys.derive", True),
        ("chains.evm.address", False),
        ("chains.registry", False),
        ("chains.amounts", False),
        ("keystore.passphrase", False),
        ("keystore.mnemonics_extra", False),
    ],
)
def test_cli_forbidden_names(name: str, forbidden: bool) -> None:
    assert cli_forbidden(name) is forbidden


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
    "wallet_cli/cli/planted_keys.py": (
        "def f():\n    from chains.btc import keys\n",
        "imports chains.btc.keys (the CLI goes through the library)",
    ),
}


def test_the_checker_catches_each_planted_violation(tmp_path: Path) -> None:
    """The same checker, run on a copy of the packages with one violation of each rule
    planted, reports every one: a rule that cannot fail proves nothing."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package)
    assert violations(tmp_path) == []
    for relative, (code, _) in PLANTED.items():
        (tmp_path / relative).write_text(code)
    found = violations(tmp_path)
    for relative, (_, needle) in PLANTED.items():
        assert any(relative in line and needle in line for line in found), (relative, found)
    assert len(found) == len(PLANTED)


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
