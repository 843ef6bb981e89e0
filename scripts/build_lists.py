"""Build the shipped block lists (wallet_cli/screening/data) from a folder of source CSVs.

Run: .venv/bin/python scripts/build_lists.py DATA_DIR, where DATA_DIR holds the refreshed
sanctioned-addresses.csv and scam-addresses.csv (sources in
wallet_cli/screening/data/SOURCES.md): copies the CSVs (labels, read only on a hit) and
writes one sorted 20-byte key file per list and chain family. tests/unit/test_lists.py
checks that the shipped files match their CSVs (and DATA_DIR, given as WALLET_SOURCE_DATA).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wallet_cli.screening.lists import FAMILIES, PACKAGED, key_of, rows_of, write_keys  # noqa: E402

LISTS = [
    {
        "name": "ofac-sdn",
        "kind": "sanctioned",
        "rule": "sanctioned",
        "csv": "sanctioned-addresses.csv",
        "source": "OFAC SDN digital currency addresses, via "
        "github.com/0xB10C/ofac-sanctioned-digital-currency-addresses (MIT)",
        "date": "2024-09-27",
    },
    {
        "name": "scam",
        "kind": "scam",
        "rule": "scam-listed",
        "csv": "scam-addresses.csv",
        "source": "MyEtherWallet darklist and Forta labelled datasets (MIT)",
        "date": "2023-01-26",
    },
]


def main(data_dir: Path) -> None:
    PACKAGED.mkdir(exist_ok=True)
    for spec in LISTS:
        source = data_dir / spec["csv"]
        target_csv = PACKAGED / spec["csv"]
        shutil.copyfile(source, target_csv)
        rows = list(rows_of(target_csv))
        counts = {}
        for family in FAMILIES:
            keys = [key_of(family, address) for chain, address in rows if chain == family]
            path = PACKAGED / f"{spec['name']}.{family}.bin"
            if keys:
                counts[family] = write_keys(path, keys)
            elif path.exists():
                path.unlink()
        meta = {
            "name": spec["name"],
            "kind": spec["kind"],
            "rule": spec["rule"],
            "source": spec["source"],
            "date": spec["date"],
            "counts": counts,
            "labels": spec["csv"],
        }
        (PACKAGED / f"{spec['name']}.json").write_text(json.dumps(meta, indent=2) + "\n")
        print(f"{spec['name']}: {counts}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_lists.py DATA_DIR (the folder with the source CSVs)")
    main(Path(sys.argv[1]))
