"""All printing: one JSON object on stdout with --json, plain lines otherwise.

Messages for a person (notes, warnings, errors in text mode) go to stderr, so stdout stays
parseable for scripts even without --json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any


def emit(json_mode: bool, document: dict[str, Any], lines: Iterable[str]) -> None:
    if json_mode:
        sys.stdout.write(json.dumps(document, sort_keys=False) + "\n")
    else:
        for line in lines:
            sys.stdout.write(line + "\n")
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
    details: Iterable[str] = (),
) -> None:
    if json_mode:
        document = {"error": {"code": code, "exit": exit_code, "message": message, **(extra or {})}}
        sys.stdout.write(json.dumps(document) + "\n")
        sys.stdout.flush()
    else:
        for line in details:
            sys.stderr.write(line + "\n")
        sys.stderr.write(f"error: {message}\n")
        sys.stderr.flush()
