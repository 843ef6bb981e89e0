"""Reading the home's small JSON documents (contacts.json, multisigs.json): trusted only
while no one else can write them, refused whole when malformed or of another format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wallet_cli.errors import HomeUnusable
from wallet_cli.store.permissions import check_file


def read_document(path: Path, fmt: str, version: int, what: str) -> dict[str, Any] | None:
    """The document at `path`, or None when there is none yet."""
    check_file(path)
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise HomeUnusable(f"{path} is not valid JSON; it was left as it is") from None
    if not isinstance(document, dict) or document.get("format") != fmt:
        raise HomeUnusable(f"{path} is not a version-{version} {what} file")
    if document.get("version") != version:
        raise HomeUnusable(f"{path} is not a version-{version} {what} file")
    return document
