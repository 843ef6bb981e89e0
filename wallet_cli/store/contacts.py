"""contacts.json: names for addresses the user trusts, per chain family.

Contacts are trusted destinations for screening, and the names look-alike warnings show.
Written whole (atomically, under the home lock); format in docs/formats.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wallet_cli.errors import BadInput, HomeUnusable
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.documents import read_document
from wallet_cli.store.home import Home, validate_name

FORMAT = "wallet-contacts"
VERSION = 1


@dataclass(frozen=True)
class Contact:
    name: str
    chain: str
    address: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "chain": self.chain, "address": self.address}


def load(home: Home) -> list[Contact]:
    path = home.root / "contacts.json"
    # contacts are trusted destinations: no one else may edit them
    document = read_document(path, FORMAT, VERSION, "contacts")
    if document is None:
        return []
    try:
        return [Contact(c["name"], c["chain"], c["address"]) for c in document["contacts"]]
    except (KeyError, TypeError):
        raise HomeUnusable(f"{path} is malformed; it was left as it is") from None


def _save(home: Home, contacts: list[Contact]) -> None:
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "contacts": [c.to_json() for c in sorted(contacts, key=lambda c: (c.name, c.chain))],
    }
    home.ensure()
    write_atomic(home.root / "contacts.json", json.dumps(document, indent=2).encode() + b"\n")


def add(home: Home, contact: Contact) -> None:
    validate_name(contact.name)
    with home.lock():
        contacts = load(home)
        for existing in contacts:
            if existing.name == contact.name and existing.chain == contact.chain:
                raise BadInput(
                    f"a {contact.chain} contact named {contact.name!r} exists "
                    f"({existing.address}); remove it first"
                )
        _save(home, [*contacts, contact])


def remove(home: Home, name: str) -> list[Contact]:
    with home.lock():
        contacts = load(home)
        removed = [c for c in contacts if c.name == name]
        if not removed:
            raise BadInput(f"no contact named {name!r}")
        _save(home, [c for c in contacts if c.name != name])
        return removed
