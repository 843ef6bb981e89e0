"""multisigs.json: the multisig accounts this home knows by name (a Safe on an EVM network,
an m-of-n P2WSH descriptor on Bitcoin). Each record is a dict with `name`, `chain`
(`evm`/`btc`), `network` and the fields its chain's module keeps (wallet_cli/multisig_*.py).
Written whole (atomically, under the home lock), 0600; format in docs/formats.md."""

from __future__ import annotations

import json
from typing import Any

from wallet_cli.errors import BadInput, HomeUnusable
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.documents import read_document
from wallet_cli.store.home import Home, validate_name

FORMAT = "wallet-multisigs"
VERSION = 1


def _path(home: Home) -> Any:
    return home.root / "multisigs.json"


def load_all(home: Home) -> list[dict[str, Any]]:
    path = _path(home)
    # a multisig's members decide what may be signed: no one else may edit it
    document = read_document(path, FORMAT, VERSION, "multisigs")
    if document is None:
        return []
    records = document.get("multisigs")
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and isinstance(r.get("name"), str) for r in records
    ):
        raise HomeUnusable(f"{path} is malformed; it was left as it is")
    return records


def load(home: Home, name: str) -> dict[str, Any]:
    for record in load_all(home):
        if record["name"] == name:
            return record
    known = ", ".join(sorted(r["name"] for r in load_all(home))) or "none"
    raise BadInput(f"no multisig named {name!r} in this home (known: {known})")


def add(home: Home, record: dict[str, Any]) -> None:
    """Remember a new multisig; a name already taken is refused (remove it by hand first)."""
    validate_name(str(record.get("name", "")))
    with home.lock():
        records = load_all(home)
        if any(r["name"] == record["name"] for r in records):
            raise BadInput(f"a multisig named {record['name']!r} exists in this home")
        document = {
            "format": FORMAT,
            "version": VERSION,
            "multisigs": sorted([*records, record], key=lambda r: str(r["name"])),
        }
        home.ensure()
        write_atomic(_path(home), json.dumps(document, indent=2).encode() + b"\n")
