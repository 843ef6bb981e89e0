"""Talking to the person at the terminal: hidden prompts, confirmations, the word quiz.

"A terminal" means this process has a controlling terminal (/dev/tty opens). Prompts read
and write /dev/tty, never stdout, so `--json` output and piped stdin stay clean; with no
terminal, callers get `None` instead of a prompt and fail at once rather than hang.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import os
import secrets
from collections.abc import Callable, Iterator
from typing import TextIO

from wallet_cli.errors import NotConfirmed

MAX_ATTEMPTS = 3


def terminal_available() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


@contextlib.contextmanager
def _tty() -> Iterator[TextIO]:
    fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    # A terminal is not seekable, so text mode "r+" on it fails; wrap the raw descriptor.
    with io.TextIOWrapper(io.FileIO(fd, "r+"), encoding="utf-8", write_through=True) as stream:
        yield stream


def hidden(label: str) -> str:
    try:
        return getpass.getpass(label)
    except EOFError:
        raise NotConfirmed("input ended at the prompt") from None


def say(text: str) -> None:
    with _tty() as tty:
        tty.write(text)
        tty.flush()


def ask(label: str) -> str:
    with _tty() as tty:
        tty.write(label)
        tty.flush()
        answer = tty.readline()
    if not answer:
        raise NotConfirmed("input ended at the prompt")
    return answer.strip()


def passphrase_prompt(purpose: str) -> Callable[[], str] | None:
    if not terminal_available():
        return None
    return lambda: hidden(f"Passphrase for {purpose}: ")


def new_passphrase_prompt(purpose: str) -> Callable[[], str] | None:
    """Ask twice; give up after three mismatches or empty answers."""
    if not terminal_available():
        return None

    def prompt() -> str:
        for _ in range(MAX_ATTEMPTS):
            first = hidden(f"New passphrase for {purpose}: ")
            if not first:
                say("The passphrase must not be empty.\n")
                continue
            if hidden("Repeat it: ") == first:
                return first
            say("The two entries differ; try again.\n")
        from wallet_cli.types import NoPassphrase

        raise NoPassphrase("no matching passphrase after three attempts")

    return prompt


def show_mnemonic_and_quiz(words: list[str]) -> None:
    """Show the words once, then ask back three at random positions before saving."""
    lines = [f"{i:>2}. {word}" for i, word in enumerate(words, start=1)]
    say(
        "\nWrite these words down, in order, and keep them offline. They are the only "
        "backup of this wallet:\n\n" + "\n".join(lines) + "\n\n"
    )
    ask("Press Enter when you have written them down...")
    say("\x1b[2J\x1b[H")
    positions = sorted(secrets.SystemRandom().sample(range(1, len(words) + 1), 3))
    for position in positions:
        answer = ask(f"Word #{position}: ").lower()
        if answer != words[position - 1]:
            raise NotConfirmed(f"word #{position} does not match what was shown; nothing was saved")


def ask_code(session: object | None = None) -> str | None:
    """The second factor's code, typed on the terminal (shown: it is good for one use and
    seconds); None with no terminal, so the caller refuses at once. `session` names the
    wallet in the prompt when it has one selected."""
    if not terminal_available():
        return None
    name = getattr(session, "wallet_option", None)
    label = f"TOTP code for wallet '{name}': " if isinstance(name, str) and name else "TOTP code: "
    return ask(label)
