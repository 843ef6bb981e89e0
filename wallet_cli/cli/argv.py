"""The command line before Click reads it: global options typed after the subcommand, and
arguments that look like secrets.

Click takes a group's options only before its subcommand; cast users type
`wallet send --to X --amount 1 --yes --json`. `hoist` moves the global options found after
the subcommand to the front. A command's own option of the same name stays with it, an
option's value is never taken for a flag (`--name --json` keeps `--json` as the name), and
nothing after `--` moves.

A key or mnemonic typed as an argument ends up in the shell history already; `scrub` makes
sure an error message does not print it a second time (on screen, in a CI log).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GLOBAL_OPTIONS = (
    "--home",
    "--wallet",
    "--network",
    "--passphrase-file",
    "--json",
    "--yes",
    "--debug",
)
_HEX_KEY = re.compile(r"(0x)?[0-9a-fA-F]{64}")
MNEMONIC_MIN_WORDS = 12


@dataclass(frozen=True)
class Hoisted:
    args: list[str]
    root_flags: frozenset[str]  # global flags in effect (after the move), e.g. {"--json"}
    resolved: bool  # whether a command was found (else the flags are a best guess)


def hoist(root: Any, args: list[str]) -> Hoisted:
    """`args` with every global option found after the subcommand moved before it."""
    root_options = _options(root)
    out: list[str] = []
    moved: list[str] = []
    flags: set[str] = set()
    command, at_root, insert_at = root, True, -1
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg.startswith("--"):
            name, inline = arg.split("=", 1)[0], "=" in arg
            own = _options(command).get(name)
            if own is not None:
                width = 1 + (0 if inline else _values(own))
                if at_root and name in GLOBAL_OPTIONS and width == 1:
                    flags.add(name)
                out.extend(args[i : i + width])
                i += width
                continue
            if not at_root and name in GLOBAL_OPTIONS and name in root_options:
                width = 1 + (0 if inline else _values(root_options[name]))
                if width == 1:
                    flags.add(name)
                moved.extend(args[i : i + width])
                i += width
                continue
            out.append(arg)  # unknown here: Click will say so
            i += 1
            continue
        commands = getattr(command, "commands", None)
        if isinstance(commands, dict) and not arg.startswith("-"):
            sub = commands.get(arg)
            if sub is None:  # an unknown command: Click reports it; leave the rest alone
                out.extend(args[i:])
                break
            if at_root:
                insert_at = len(out)
            out.append(arg)
            command, at_root = sub, False
            i += 1
            continue
        out.append(arg)
        i += 1
    if insert_at < 0:
        return Hoisted(out, frozenset(flags), resolved=False)
    return Hoisted(out[:insert_at] + moved + out[insert_at:], frozenset(flags), resolved=True)


def _options(command: Any) -> dict[str, Any]:
    table: dict[str, Any] = {"--help": None}
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") != "option":
            continue
        for name in (*param.opts, *param.secondary_opts):
            table[name] = param
    return table


def _values(option: Any) -> int:
    """How many tokens after the option's name are its value."""
    if option is None or getattr(option, "is_flag", False) or getattr(option, "count", False):
        return 0
    return max(int(getattr(option, "nargs", 1)), 1)


def secret_tokens(args: Iterable[str]) -> list[str]:
    """Arguments (or words of them) that look like a private key or a BIP-39 mnemonic."""
    args = list(args)
    found = [a for a in args if _HEX_KEY.fullmatch(a.strip())]
    words = [w.lower() for a in args for w in a.split()]
    if sum(w.isalpha() for w in words) >= MNEMONIC_MIN_WORDS:
        found.extend(_mnemonic_words(words))
    return found


def _mnemonic_words(words: list[str]) -> list[str]:
    """Words in runs of 12 or more consecutive BIP-39 list words."""
    from wallet_cli.mnemonics import english_words

    known = frozenset(english_words())
    found: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if word in known:
            run.append(word)
            continue
        if len(run) >= MNEMONIC_MIN_WORDS:
            found.extend(run)
        run = []
    return found


def scrub(message: str, args: Iterable[str]) -> str:
    """`message`, or a replacement when it would repeat a secret-looking argument."""
    lowered = message.lower()
    if not any(arg.lower() in lowered for arg in secret_tokens(args)):
        return message
    return (
        "an argument that looks like a private key or a mnemonic is not shown; this command "
        "does not take it there: pipe it on standard input or type it at the hidden prompt, "
        "and delete it from your shell history"
    )
