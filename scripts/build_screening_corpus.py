"""Build the labelled look-alike corpus in tests/data/screening/ (corpus.csv and README.md).

Deterministic: every random choice comes from `random.Random` seeded with a fixed string
per kind of case, so re-running this script gives byte-identical files;
tests/unit/test_screening_corpus.py checks that the files in the repository are current.

Inputs: DATA_DIR/poisoning-pairs.csv (real address-poisoning pairs, sources in
wallet_cli/screening/data/SOURCES.md) and the block lists shipped with the wallet
(wallet_cli/screening/data). DATA_DIR is a folder holding the source files SOURCES.md names.

Run: .venv/bin/python scripts/build_screening_corpus.py DATA_DIR
"""

from __future__ import annotations

import csv
import io
import random
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chains.evm.address import to_checksum  # noqa: E402
from wallet_cli.screening.lists import PACKAGED  # noqa: E402

TARGET = ROOT / "tests" / "data" / "screening"
COLUMNS = ("case_id", "kind", "trusted", "candidate", "leading", "trailing", "expect", "source")
SEED = "wallet screening corpus v1"
HEX = "0123456789abcdef"
LENGTH = 40  # hex digits after 0x

# (leading, trailing) -> (cases, expect). Every 3..6 x 3..6 split is a block shape; the
# warn shapes of wallet_cli/screening/lookalike.py are added with expect "flag" as well;
# 2+2 and 1+1 are below every shape ("any": recorded, no requirement).
GENERATED: dict[tuple[int, int], tuple[int, str]] = {
    **{(k, m): (12, "flag") for k in range(3, 7) for m in range(3, 7)},
    **{shape: (6, "flag") for shape in ((1, 5), (2, 4), (4, 2), (5, 1), (7, 0), (0, 7))},
    (2, 2): (6, "any"),
    (1, 1): (6, "any"),
}
RANDOM_CASES = 120
LISTED = {"scam-addresses.csv": ("scam-listed", 20), "sanctioned-addresses.csv": ("sanctioned", 10)}


def rng_for(kind: str) -> random.Random:
    return random.Random(f"{SEED}:{kind}")


def random_hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            break
        count += 1
    return count


def other_digit(rng: random.Random, digit: str) -> str:
    return rng.choice([d for d in HEX if d != digit])


def lookalike_of(rng: random.Random, trusted: str, leading: int, trailing: int) -> str:
    """A body sharing exactly `leading` first and `trailing` last hex digits with `trusted`:
    the digit after the prefix and the one before the suffix differ, the middle is random."""
    body = [rng.choice(HEX) for _ in range(LENGTH)]
    body[:leading] = trusted[:leading]
    body[leading] = other_digit(rng, trusted[leading])
    if trailing:
        body[LENGTH - trailing :] = trusted[LENGTH - trailing :]
    body[LENGTH - trailing - 1] = other_digit(rng, trusted[LENGTH - trailing - 1])
    text = "".join(body)
    assert common_prefix(text, trusted) == leading, (text, trusted)
    assert common_prefix(text[::-1], trusted[::-1]) == trailing, (text, trusted)
    return text


def real_cases(data_dir: Path) -> Iterator[dict[str, str]]:
    with (data_dir / "poisoning-pairs.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=1):
        intended, lookalike = row["intended"][2:].lower(), row["lookalike"][2:].lower()
        leading, trailing = int(row["prefix_match"]), int(row["suffix_match"])
        measured = (
            common_prefix(intended, lookalike),
            common_prefix(intended[::-1], lookalike[::-1]),
        )
        if measured != (leading, trailing):
            raise SystemExit(
                f"poisoning-pairs.csv row {number + 1}: counts say "
                f"{leading}+{trailing}, the addresses share {measured}"
            )
        yield {
            "case_id": f"real-{number:04d}",
            "kind": "real",
            "trusted": to_checksum(intended),
            "candidate": to_checksum(lookalike),
            "leading": str(leading),
            "trailing": str(trailing),
            "expect": "flag" if leading >= 3 and trailing >= 3 else "any",
            "source": row["source"],
        }


def generated_cases() -> Iterator[dict[str, str]]:
    rng = rng_for("generated")
    for (leading, trailing), (count, expect) in GENERATED.items():
        for number in range(1, count + 1):
            trusted = random_hex(rng)
            yield {
                "case_id": f"gen-{leading}+{trailing}-{number:02d}",
                "kind": "generated",
                "trusted": to_checksum(trusted),
                "candidate": to_checksum(lookalike_of(rng, trusted, leading, trailing)),
                "leading": str(leading),
                "trailing": str(trailing),
                "expect": expect,
                "source": f"generated: random trusted address and a look-alike sharing exactly "
                f"{leading} leading and {trailing} trailing hex digits (seed {SEED!r})",
            }


def random_cases() -> Iterator[dict[str, str]]:
    rng = rng_for("random")
    for number in range(1, RANDOM_CASES + 1):
        yield {
            "case_id": f"random-{number:03d}",
            "kind": "random",
            "trusted": "",
            "candidate": to_checksum(random_hex(rng)),
            "leading": "",
            "trailing": "",
            "expect": "quiet",
            "source": f"generated: uniformly random address (seed {SEED!r})",
        }


def contact_cases(trusted: list[tuple[str, str]]) -> Iterator[dict[str, str]]:
    for number, (address, first_case) in enumerate(trusted, start=1):
        yield {
            "case_id": f"contact-{number:04d}",
            "kind": "contact",
            "trusted": address,
            "candidate": address,
            "leading": str(LENGTH),
            "trailing": str(LENGTH),
            "expect": "quiet",
            "source": f"the trusted address of {first_case}",
        }


def listed_cases(packaged: Path) -> Iterator[dict[str, str]]:
    rng = rng_for("listed")
    number = 0
    for name, (rule, count) in LISTED.items():
        labels: dict[str, list[str]] = {}
        with (packaged / name).open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row["chain"] == "evm":
                    label = row.get("list") or f"{row['source']} ({row.get('comment') or '-'})"
                    labels.setdefault(row["address"].lower(), []).append(label)
        for address in rng.sample(sorted(labels), count):
            number += 1
            yield {
                "case_id": f"listed-{number:03d}",
                "kind": "listed",
                "trusted": "",
                "candidate": to_checksum(address[2:]),
                "leading": "",
                "trailing": "",
                "expect": "block",
                "source": f"{rule}: shipped {name}: {'; '.join(labels[address])}",
            }


def cases(data_dir: Path, packaged: Path = PACKAGED) -> list[dict[str, str]]:
    found = [*real_cases(data_dir), *generated_cases(), *random_cases()]
    trusted: dict[str, str] = {}
    for case in found:
        if case["trusted"]:
            trusted.setdefault(case["trusted"], case["case_id"])
    found += contact_cases(list(trusted.items()))
    found += listed_cases(packaged)
    return found


def corpus_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def readme(rows: list[dict[str, str]]) -> str:
    kinds = Counter(r["kind"] for r in rows)
    expects = Counter((r["kind"], r["expect"]) for r in rows)
    tags = Counter(r["source"].split(":", 1)[0] for r in rows if r["kind"] == "real")
    listed = Counter(r["source"].split(":", 1)[0] for r in rows if r["kind"] == "listed")
    shapes = Counter((r["leading"], r["trailing"]) for r in rows if r["kind"] == "generated")
    table = "\n".join(
        f"| `{kind}` | {kinds[kind]} | "
        + ", ".join(f"{e} {n}" for (k, e), n in sorted(expects.items()) if k == kind)
        + " |"
        for kind in ("real", "generated", "random", "contact", "listed")
    )
    shape_text = textwrap.fill(
        ", ".join(f"{a}+{b}:{n}" for (a, b), n in shapes.items()),
        width=88,
        initial_indent="  ",
        subsequent_indent="  ",
    ).strip()
    return f"""# Look-alike screening corpus

Generated by `scripts/build_screening_corpus.py` (do not edit by hand; re-run it). The
script is deterministic (each kind of case draws from
`random.Random("{SEED}:<kind>")`), and `tests/unit/test_screening_corpus.py` fails
if these files are not what it builds. That test runs every case against a
`LookalikeIndex` of all the corpus's trusted addresses (padded with seeded random ones
to 1,000) and the shipped block lists.

`corpus.csv`: {len(rows)} cases, one a row, columns
`case_id,kind,trusted,candidate,leading,trailing,expect,source`. Addresses are EIP-55
checksummed (`chains.evm.address.to_checksum` of the lower-case hex). `leading` and
`trailing` count the hex digits after `0x` that `candidate` shares with `trusted` at the
start and at the end (case-insensitive); empty when there is no trusted address.

`expect`:

- `flag`: the look-alike rule must flag the candidate (warn or block; every case with
  leading >= 3 and trailing >= 3 must block);
- `quiet`: no look-alike finding;
- `block`: `wallet_cli.screening.check` with the shipped lists loaded must return a block
  finding of the rule named at the start of `source` (`sanctioned` or `scam-listed`);
- `any`: recorded, no requirement (resemblances below every flagged shape).

| kind | cases | expect |
|---|---|---|
{table}

- `real`: every row of `poisoning-pairs.csv`, in order (trusted = `intended`,
  candidate = `lookalike`; leading/trailing = `prefix_match`/`suffix_match`, checked
  against the addresses). `source` keeps that file's `source` text verbatim, so each pair
  names where it was read: {", ".join(f"`{t}:` {n}" for t, n in sorted(tags.items()))}
  (news reports; CMU CyLab's poisoning tracker of Tsuchiya et al., USENIX Security 2025;
  Guan & Li, ACM CCS 2024; see `wallet_cli/screening/data/SOURCES.md`). Pairs below 3+3
  expect `any`.
- `generated`: a uniformly random trusted address and a look-alike sharing exactly
  `leading` first and `trailing` last hex digits: the digit after the prefix and the one
  before the suffix are drawn to differ, the middle is random. Shapes:
  {shape_text}.
  Every 3..6 x 3..6 split is a block shape; 1+5, 2+4, 4+2, 5+1, 7+0 and 0+7 are the warn
  shapes; 2+2 and 1+1 are below every shape.
- `random`: uniformly random addresses, expected quiet. By the arithmetic in
  docs/screening.md one random address is flagged against 1,000 trusted with probability
  about 0.029 %, so these are a sample; the test measures the false-positive rate on
  100,000 fresh seeded random addresses besides.
- `contact`: each distinct trusted address of the cases above, itself: an exact trusted
  address is never a look-alike.
- `listed`: EVM addresses drawn from the lists shipped in `wallet_cli/screening/data`
  ({", ".join(f"`{r}` {n}" for r, n in sorted(listed.items()))}): the OFAC SDN list via
  github.com/0xB10C/ofac-sanctioned-digital-currency-addresses, and the MyEtherWallet
  darklist and Forta labelled datasets; `source` gives the rule, the file and the list's
  own labels for the address.
"""


def build(data_dir: Path, packaged: Path = PACKAGED) -> dict[str, str]:
    """File name -> content of every file in tests/data/screening/."""
    rows = cases(data_dir, packaged)
    return {"corpus.csv": corpus_csv(rows), "README.md": readme(rows)}


def main(data_dir: Path) -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    files = build(data_dir)
    for name, text in files.items():
        (TARGET / name).write_text(text, encoding="utf-8")
    count = files["corpus.csv"].count("\n") - 1
    print(f"{TARGET.relative_to(ROOT)}: {count} cases")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_screening_corpus.py DATA_DIR (the folder with poisoning-pairs.csv)")
    main(Path(sys.argv[1]))
