"""All printing: one JSON object on stdout with --json, plain lines otherwise.

Messages for a person (notes, warnings, errors in text mode) go to stderr, so stdout stays
parseable for scripts even without --json. A `Styled` line (a screening finding) gets its
symbol on a terminal and its colour too unless NO_COLOR is set; piped, it is plain text.
rich is imported only when a coloured line is actually printed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any, TextIO


class Styled(str):
    """A line that is its plain text everywhere (join it, compare it), and is shown as
    `terminal` in `style` when it is written to a terminal."""

    terminal: str
    style: str

    def __new__(cls, plain: str, terminal: str, style: str) -> Styled:
        line = super().__new__(cls, plain)
        line.terminal = terminal
        line.style = style
        return line


Line = str  # a plain str or a Styled one


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def colour_allowed() -> bool:
    """https://no-color.org: a non-empty NO_COLOR turns colour off; so does TERM=dumb."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def render(line: Line, stream: TextIO) -> str:
    if not isinstance(line, Styled) or not is_terminal(stream):
        return str(line)
    text = line.terminal
    try:
        text.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        text = str(line)
    return _coloured(text, line.style) if colour_allowed() else text


def render_on_tty(line: Line) -> str:
    """`line` for the controlling terminal, which prompts write to (UTF-8)."""
    if not isinstance(line, Styled):
        return line
    return _coloured(line.terminal, line.style) if colour_allowed() else line.terminal


def _coloured(text: str, style: str) -> str:
    from rich.console import Console
    from rich.text import Text

    console = Console(force_terminal=True, color_system="standard", no_color=False, highlight=False)
    with console.capture() as captured:
        console.print(Text(text, style=style), end="", soft_wrap=True)
    return captured.get()


def emit(json_mode: bool, document: dict[str, Any], lines: Iterable[Line]) -> None:
    if json_mode:
        sys.stdout.write(json.dumps(document, sort_keys=False) + "\n")
    else:
        for line in lines:
            sys.stdout.write(render(line, sys.stdout) + "\n")
    sys.stdout.flush()


def note(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def error(
    json_mode: bool,
    code: str,
    exit_code: int,
    message: str,
    extra: dict[str, Any] | None = None,
    details: Iterable[Line] = (),
    hint: str | None = None,
) -> None:
    """The error object (with `hint` when there is one) or `error: …` and `hint: …` lines."""
    if json_mode:
        body: dict[str, Any] = {"code": code, "exit": exit_code, "message": message}
        if hint:
            body["hint"] = hint
        sys.stdout.write(json.dumps({"error": {**body, **(extra or {})}}) + "\n")
        sys.stdout.flush()
    else:
        for line in details:
            sys.stderr.write(render(line, sys.stderr) + "\n")
        sys.stderr.write(f"error: {message}\n")
        if hint:
            sys.stderr.write(f"hint: {hint}\n")
        sys.stderr.flush()
