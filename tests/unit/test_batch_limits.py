"""A batch file at a script's scale fits the limits: 20,000 rows (an airdrop) are read, and
MAX_ROWS rows written out in full (address, an 18-decimal amount, a token address) fit in
MAX_FILE_BYTES, so the row limit, not the byte limit, is what a real file meets first."""

from __future__ import annotations

from pathlib import Path

from wallet_cli.batch_rows import MAX_FILE_BYTES, MAX_ROWS, read_rows

TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def _rows(count: int) -> bytes:
    line = f"{TO},123456.123456789012345678,{TOKEN}\n".encode()
    return b"to,amount,token\n" + line * count


def test_a_20000_row_batch_is_accepted() -> None:
    data = _rows(20_000)
    assert len(data) <= MAX_FILE_BYTES
    assert len(read_rows(data, Path("airdrop.csv"))) == 20_000


def test_the_row_limit_is_met_before_the_byte_limit() -> None:
    assert MAX_ROWS >= 100_000
    assert len(_rows(MAX_ROWS)) <= MAX_FILE_BYTES
