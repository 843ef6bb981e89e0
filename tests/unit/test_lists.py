"""Block lists: the shipped key files match their CSVs (and the source data), bisection
finds exactly what is listed, and user lists are parsed strictly."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pytest

from tests.conftest import SOURCE_DATA
from wallet_cli.errors import BadInput
from wallet_cli.screening.lists import (
    FAMILIES,
    KEY_SIZE,
    PACKAGED,
    KeyFile,
    ListSet,
    key_of,
    read_infos,
    rows_of,
    write_keys,
)
from wallet_cli.store.home import Home
from wallet_cli.user_lists import add_list


@pytest.mark.parametrize("info", read_infos(PACKAGED), ids=lambda i: i.name)
def test_shipped_key_files_match_their_csv(info: object) -> None:
    from wallet_cli.screening.lists import ListInfo

    assert isinstance(info, ListInfo)
    assert info.labels is not None
    rows = list(rows_of(PACKAGED / info.labels))
    for family in FAMILIES:
        expected = sorted({key_of(family, a) for chain, a in rows if chain == family})
        path = PACKAGED / f"{info.name}.{family}.bin"
        if not expected:
            assert not path.exists()
            continue
        assert path.read_bytes() == b"".join(expected)
        assert info.counts[family] == len(expected)


@pytest.mark.skipif(SOURCE_DATA is None, reason="WALLET_SOURCE_DATA (source CSVs) not given")
@pytest.mark.parametrize("name", ["sanctioned-addresses.csv", "scam-addresses.csv"])
def test_shipped_csvs_are_the_source_data(name: str) -> None:
    assert SOURCE_DATA is not None
    shipped = hashlib.sha256((PACKAGED / name).read_bytes()).hexdigest()
    assert shipped == hashlib.sha256((SOURCE_DATA / name).read_bytes()).hexdigest()


def test_bisection_finds_every_key_and_nothing_else(tmp_path: Path) -> None:
    keys = [secrets.token_bytes(KEY_SIZE) for _ in range(5000)]
    path = tmp_path / "x.evm.bin"
    assert write_keys(path, keys + keys[:10]) == 5000
    file = KeyFile(path)
    assert all(key in file for key in keys)
    assert not any(secrets.token_bytes(KEY_SIZE) in file for _ in range(2000))
    assert b"\0" * KEY_SIZE not in file
    assert b"\xff" * KEY_SIZE not in file
    assert b"x" * KEY_SIZE not in KeyFile(tmp_path / "missing.bin")


def test_btc_keys_are_hashed_per_family() -> None:
    assert key_of("btc", "1abc") != key_of("sol", "1abc")
    assert len(key_of("btc", "bc1qxyz")) == KEY_SIZE
    hits = ListSet.load(None).hits("btc", "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX")
    assert [hit.info.name for hit in hits] == ["ofac-sdn"]


def test_user_list_csv_header_is_case_insensitive_and_lines_are_exact(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    good = "0x" + "11" * 20
    csv_file = tmp_path / "list.csv"
    csv_file.write_text(f" Address ,note\n{good},x\n\n0x12,bad\n")
    with pytest.raises(BadInput, match="line 4"):
        add_list(home, csv_file, "mine")
    csv_file.write_text(f"Address,note\n{good},x\n")
    info = add_list(home, csv_file, "mine")
    assert info.counts == {"evm": 1}
    assert ListSet.load(home.root / "lists").hits("evm", good)[0].info.name == "mine"


def test_user_list_refuses_bad_checksums_and_empty_files(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    bad_checksum = tmp_path / "a.txt"
    bad_checksum.write_text("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\n")
    with pytest.raises(Exception, match="EIP-55"):
        add_list(home, bad_checksum, "a")
    empty = tmp_path / "b.txt"
    empty.write_text("# nothing\n\n")
    with pytest.raises(BadInput, match="no addresses"):
        add_list(home, empty, "b")
