"""public.json: what a wallet shows without its passphrase (format in docs/formats.md).

It holds, per chain family, the extended public key of the receive chain and the addresses
derived so far, so `address`, `list`, `check` and `balance` never unlock the vault. The
trade-off: anyone who can read the home learns every address of the wallet (privacy), but no
key; and someone who can write it could swap addresses, so unlocking checks it against the
vault and refuses a mismatch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chains.base import Account, PublicAccount, family_of, receive_path
from wallet_cli.errors import HomeUnusable

FORMAT = "wallet-public"
VERSION = 1


@dataclass
class ChainRecord:
    account: PublicAccount
    addresses: dict[int, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "path": self.account.path,
            "xpub": self.account.xpub,
            "addresses": {str(i): a for i, a in sorted(self.addresses.items())},
        }
        if self.account.network is not None:
            document["network"] = self.account.network
        if self.account.descriptors is not None:
            document["descriptors"] = list(self.account.descriptors)
        return document


@dataclass
class PublicRecord:
    name: str
    kind: str
    created_at: str
    chains: dict[str, ChainRecord]  # by account key: "evm", "btc:bitcoin:wpkh", ...

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "kind": self.kind,
            "created_at": self.created_at,
            "chains": {family: record.to_json() for family, record in self.chains.items()},
        }
        return json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"

    def cached(self, key: str, indexes: list[int]) -> list[Account] | None:
        record = self.chains.get(key)
        if record is None or any(i not in record.addresses for i in indexes):
            return None
        account = record.account
        return [Account(i, receive_path(account, i), record.addresses[i]) for i in indexes]

    @classmethod
    def read(cls, path: Path) -> PublicRecord:
        try:
            document = json.loads(path.read_bytes())
            if document.get("format") != FORMAT or document.get("version") != VERSION:
                raise HomeUnusable(f"{path} is not a version-{VERSION} wallet public file")
            chains: dict[str, ChainRecord] = {}
            for key, entry in document["chains"].items():
                family = family_of(key.split(":", 1)[0])
                if family is None:
                    raise ValueError(f"unknown chain family in account {key!r}")
                addresses = {int(i): str(a) for i, a in entry["addresses"].items()}
                single_key = entry["xpub"] is None and entry["path"] is None
                single = addresses.get(0) if single_key else None
                descriptors = entry.get("descriptors")
                account = PublicAccount(
                    family,
                    entry["path"],
                    entry["xpub"],
                    single,
                    key=key,
                    network=entry.get("network"),
                    descriptors=(descriptors[0], descriptors[1]) if descriptors else None,
                )
                chains[key] = ChainRecord(account, addresses)
            return cls(
                str(document["name"]), str(document["kind"]), str(document["created_at"]), chains
            )
        except FileNotFoundError:
            raise HomeUnusable(f"{path} is missing") from None
        except HomeUnusable:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise HomeUnusable(f"{path} is malformed; it was left as it is") from None
