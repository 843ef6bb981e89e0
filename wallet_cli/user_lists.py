"""`wallet lists add`: a user's own block list, validated and stored in the compact form.

Accepts a CSV whose header has an `address` column, or plain text with one address a
line (`#` comments allowed). Every line is validated; a bad one fails the whole list with
its line number, so a typo never silently leaves an address unblocked. The file may hold
at most 64 MiB: a million addresses one a line take 43 MB.
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
from wallet_cli.screening.lists import PACKAGED, ListInfo, key_of, read_infos, write_keys
from wallet_cli.store.atomic import make_private_dir, write_atomic
from wallet_cli.store.home import Home, validate_name

_EVM = re.compile(r"0x[0-9a-fA-F]{40}", re.ASCII)
MAX_FILE_BYTES = 64 * 1024 * 1024


def _addresses(text: str) -> list[tuple[int, str]]:
    """(line number, address) pairs: from the `address` column of a CSV, or one a line."""
    lines = text.splitlines()
    header = [h.strip().lower() for h in lines[0].split(",")] if lines else []
    if "address" in header:
        column = header.index("address")
        reader = csv.reader(io.StringIO(text))
        found = []
        try:
            next(reader)
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                cell = row[column].strip() if column < len(row) else ""
                found.append((reader.line_num, cell))
        except csv.Error as exc:  # a field longer than csv's limit, a stray NUL
            raise BadInput(f"near line {reader.line_num}: not valid CSV ({exc})") from None
        return found
    return [
        (number, line.split("#", 1)[0].strip())
        for number, line in enumerate(lines, start=1)
        if line.split("#", 1)[0].strip()
    ]


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
    keys = []
    for number, address in pairs:
        if not _EVM.fullmatch(address):
            raise BadInput(
                f"{file} line {number}: {address[:60]!r} is not an EVM address "
                "(user lists hold EVM addresses for now)"
            )
        body = address[2:]
        if body not in (body.lower(), body.upper()):
            from chains.evm.address import parse

            parse(address)  # a mixed-case address must pass its EIP-55 checksum
        keys.append(key_of("evm", address))
    if not keys:
        raise BadInput(f"{file} holds no addresses")
    folder = home.root / "lists"
    with home.lock():
        make_private_dir(folder)
        count = write_keys(folder / f"{name}.evm.bin", keys)
        info = ListInfo(
            name=name,
            kind="user",
            rule="user-listed",
            source=str(file.resolve()),
            date=datetime.now(UTC).date().isoformat(),
            counts={"evm": count},
            folder=folder,
        )
        meta = {**info.to_json(), "labels": None}
        meta.pop("total")
        write_atomic(folder / f"{name}.json", json.dumps(meta, indent=2).encode())
    return info
