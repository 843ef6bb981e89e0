"""`wallet lists add`: a user's own block list, validated and stored in the compact form.

Accepts a CSV whose header has an `address` column, or plain text with one address a
line (`#` comments allowed). A CSV `chain` column (evm, btc, sol; empty means evm) puts each
address in its family's key file; plain text holds EVM addresses. Every line is validated
(non-EVM ones by their chain's adapter, against every built-in network of it); a bad one
fails the whole list with its line number, so a typo never silently leaves an address
unblocked. The file may hold at most 64 MiB: a million addresses one a line take 43 MB.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from keystore.files import read_limited
from wallet_cli.errors import BadInput
from wallet_cli.screening.lists import (
    FAMILIES,
    PACKAGED,
    ListInfo,
    key_of,
    read_infos,
    write_keys,
)
from wallet_cli.store.atomic import make_private_dir, write_atomic
from wallet_cli.store.home import Home, validate_name

_EVM = re.compile(r"0x[0-9a-fA-F]{40}", re.ASCII)
MAX_FILE_BYTES = 64 * 1024 * 1024


def _addresses(text: str) -> list[tuple[int, str, str]]:
    """(line number, chain, address): from the `address` (and `chain`) columns of a CSV, or
    one a line; the chain is "" where the file does not say."""
    lines = text.splitlines()
    header = [h.strip().lower() for h in lines[0].split(",")] if lines else []
    if "address" in header:
        column = header.index("address")
        chain_column = header.index("chain") if "chain" in header else None
        reader = csv.reader(io.StringIO(text))
        found = []
        try:
            next(reader)
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                cell = row[column].strip() if column < len(row) else ""
                chain = ""
                if chain_column is not None and chain_column < len(row):
                    chain = row[chain_column].strip().lower()
                found.append((reader.line_num, chain, cell))
        except csv.Error as exc:  # a field longer than csv's limit, a stray NUL
            raise BadInput(f"near line {reader.line_num}: not valid CSV ({exc})") from None
        return found
    return [
        (number, "", line.split("#", 1)[0].strip())
        for number, line in enumerate(lines, start=1)
        if line.split("#", 1)[0].strip()
    ]


def _evm_key(file: Path, number: int, address: str) -> bytes:
    if not _EVM.fullmatch(address):
        raise BadInput(
            f"{file} line {number}: {address[:60]!r} is not an EVM address (a CSV's "
            "`chain` column names another chain: btc, sol)"
        )
    body = address[2:]
    if body not in (body.lower(), body.upper()):
        from chains.evm.address import parse

        parse(address)  # a mixed-case address must pass its EIP-55 checksum
    return key_of("evm", address)


def _other_key(file: Path, number: int, family: str, address: str) -> bytes:
    """The key of a non-EVM address, spelt as `check` spells it (the adapter normalises),
    valid on at least one built-in network of `family`."""
    from chains.errors import ChainError
    from chains.registry import adapter_for
    from wallet_cli.store.config import BUILT_IN_NETWORKS

    adapter = adapter_for(family)
    why = ""
    for network in BUILT_IN_NETWORKS.values():
        if network.family != family:
            continue
        try:
            return key_of(family, adapter.parse_address(address, network))
        except ChainError as exc:
            why = why or str(exc)
    raise BadInput(f"{file} line {number}: {address[:60]!r} is not a {family} address ({why})")


def add_list(home: Home, file: Path, name: str) -> ListInfo:
    validate_name(name)
    if any(info.name == name for info in read_infos(PACKAGED)):
        raise BadInput(f"{name!r} is the name of a shipped list; choose another")
    data = read_limited(file, MAX_FILE_BYTES, "list file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"cannot read {file}: not UTF-8 text") from None
    try:
        pairs = _addresses(text)
    except BadInput as exc:
        raise BadInput(f"{file} {exc.message}") from None
    keys: dict[str, list[bytes]] = {}
    for number, chain, address in pairs:
        family = chain or "evm"
        if family not in FAMILIES:
            raise BadInput(
                f"{file} line {number}: chain {chain[:20]!r} is not one of {', '.join(FAMILIES)}"
            )
        key = (
            _evm_key(file, number, address)
            if family == "evm"
            else _other_key(file, number, family, address)
        )
        keys.setdefault(family, []).append(key)
    if not keys:
        raise BadInput(f"{file} holds no addresses")
    folder = home.root / "lists"
    with home.lock():
        make_private_dir(folder)
        counts = {}
        for family in FAMILIES:
            path = folder / f"{name}.{family}.bin"
            if family in keys:
                counts[family] = write_keys(path, keys[family])
            else:
                path.unlink(missing_ok=True)  # a list of that name from before
        info = ListInfo(
            name=name,
            kind="user",
            rule="user-listed",
            source=str(file.resolve()),
            date=datetime.now(UTC).date().isoformat(),
            counts=counts,
            folder=folder,
        )
        meta = {**info.to_json(), "labels": None}
        meta.pop("total")
        write_atomic(folder / f"{name}.json", json.dumps(meta, indent=2).encode())
    return info
