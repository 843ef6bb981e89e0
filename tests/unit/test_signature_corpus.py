"""The signature cases of the screening corpus (tests/data/signatures/cases.json): typed
data from published fixtures and drainer-style payloads built on them, each with the source it
comes from, screened as `wallet sign-typed-data` screens it (wallet_cli.messages) with the
shipped block lists, offline. Each case names the verdict and the rules that must (and must
not) fire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chains.base import Network
from wallet_cli.messages import screen_signature, typed_preview
from wallet_cli.screening.context import Context
from wallet_cli.screening.lists import ListSet

CASES = Path(__file__).resolve().parents[1] / "data" / "signatures" / "cases.json"
DEVNET = Network("devnet", "evm", None, 31337, is_devnet=True)
LISTS = ListSet.load(None)


def cases() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(CASES.read_text())["cases"]
    return loaded


def test_the_corpus_has_each_kind_of_signature() -> None:
    kinds = {case["typed_data"]["primaryType"] for case in cases()}
    assert {"Permit", "PermitSingle", "PermitBatch", "PermitTransferFrom"} <= kinds
    assert "OrderComponents" in kinds
    assert all(case["source"] for case in cases())
    assert sum(case["expect"]["verdict"] == "block" for case in cases()) >= 4


@pytest.mark.parametrize("case", cases(), ids=lambda case: str(case["case"]))
def test_signature_case(case: dict[str, Any]) -> None:
    preview, _ = typed_preview(case["typed_data"], DEVNET, case["signer"])
    report = screen_signature(preview, Context(network=DEVNET, lists=LISTS))
    rules = {finding.rule for finding in report.findings}
    expect = case["expect"]
    assert report.verdict == expect["verdict"], sorted(rules)
    assert set(expect["rules"]) <= rules
    assert not set(expect["not_rules"]) & rules
