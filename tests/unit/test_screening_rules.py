"""Every screening rule, on its own: it fires where it should and stays quiet elsewhere."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chains.base import Asset, Network, Output, Preview
from chains.evm.transfer import ETH
from tests.conftest import load_vectors
from wallet_cli import screening
from wallet_cli.screening import lookalike
from wallet_cli.screening.context import Context, Limits, dev_addresses, sending_figures
from wallet_cli.screening.lists import ListSet
from wallet_cli.screening.report import Report
from wallet_cli.screening.rules import RULES

DEVNET = Network("devnet", "evm", "http://127.0.0.1:1", 31337, is_devnet=True)
MAINNET = Network("mainnet", "evm", "http://127.0.0.1:1", 1)
ANVIL = load_vectors("anvil_accounts.json")["vectors"]
ME = ANVIL[0]["address"]
TREASURY = "0xd9A1b0B1e1aE382DbDc898Ea68012FfcB2853a91"
POISON = "0xd9A1C3788D81257612E2581A6ea0aDa244853a91"  # 4+6, the 2024 WBTC case
STRANGER = "0x1111111111111111111111111111111111111112"
TUSD = Asset("TUSD", 6, "0x5FbDB2315678afecb367f032d93F642f64180aa3")


def run(
    recipient: str,
    *,
    amount: int = 10**18,
    asset: Asset = ETH,
    sender: str = ME,
    typed: str = "",
    chain_id: int | None = None,
    **context: Any,
) -> Report:
    context.setdefault("network", DEVNET)
    preview = Preview(
        context["network"].name,
        31337,
        sender,
        (Output(recipient, asset, amount, typed),),
        0,
        ETH,
        domain_chain_id=chain_id,
    )
    return screening.check(preview, Context(**context))


def rules_of(report: Report) -> dict[str, str]:
    return {f.rule: f.severity for f in report.findings}


class FakeCode:
    def __init__(self, answers: dict[str, bool | None]) -> None:
        self.answers = answers

    def prefetch(self, addresses: list[str]) -> None:
        return None

    def is_contract(self, address: str) -> bool | None:
        return self.answers.get(address, False)


def test_registry_ids_are_unique_kebab_case_and_documented() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.id == rule.id.lower()
        assert " " not in rule.id
        assert rule.doc
        assert rule.example
        assert rule.severity in ("info", "warn", "block")


def test_docs_are_generated_from_the_registry() -> None:
    from pathlib import Path

    from wallet_cli.screening.docs import render

    current = (Path(__file__).resolve().parents[2] / "docs" / "screening.md").read_text()
    assert current == render(), "run: python -m wallet_cli.screening.docs > docs/screening.md"
    for rule in RULES:
        assert f"`{rule.id}`" in current


def test_lookalike_of_a_contact_blocks_and_marks_both() -> None:
    index = lookalike.build("evm", [(TREASURY, "contact 'treasury'")])
    report = run(POISON, contacts={TREASURY: "treasury"}, lookalikes=index)
    finding = next(f for f in report.findings if f.rule == "lookalike")
    assert finding.severity == "block"
    assert "contact 'treasury'" in finding.message
    assert "0x[d9A1]C3788D81257612E2581A6ea0aDa244[853a91]" in finding.message
    assert "0x[d9A1]b0B1e1aE382DbDc898Ea68012FfcB2[853a91]" in finding.message
    assert report.verdict == "block"


def test_trusted_address_itself_is_not_a_lookalike() -> None:
    index = lookalike.build("evm", [(TREASURY, "contact 'treasury'")])
    assert "lookalike" not in rules_of(run(TREASURY, contacts={TREASURY: "t"}, lookalikes=index))


@pytest.mark.parametrize(
    ("leading", "trailing", "expected"),
    [
        (3, 3, "block"),
        (4, 4, "block"),
        (2, 4, "warn"),
        (5, 1, "warn"),
        (1, 5, "warn"),
        (7, 0, "warn"),
        (2, 3, None),
        (3, 2, None),
        (0, 6, None),
        (6, 0, None),
    ],
)
def test_lookalike_thresholds(leading: int, trailing: int, expected: str | None) -> None:
    trusted = "ab" * 20
    middle = "".join("c" if trusted[i] != "c" else "d" for i in range(40))
    body = (
        trusted[:leading]
        + middle[leading : 40 - trailing]
        + (trusted[40 - trailing :] if trailing else "")
    )
    found = lookalike.build("evm", [("0x" + trusted, "t")]).strongest("0x" + body)
    assert (found.severity if found else None) == expected
    if found:
        assert (found.leading, found.trailing) == (leading, trailing)


def test_seen_as_poisoner_blocks() -> None:
    report = run(POISON, poisoners={POISON: "a zero-value TUSD transfer"})
    assert rules_of(report)["seen-as-poisoner"] == "block"
    assert "zero-value TUSD" in report.findings[0].message


@pytest.mark.parametrize(
    ("address", "rule", "label"),
    [
        ("0x000000000532b45f47779fce440748893b257865", "scam-listed", "Fake_Phishing3901"),
        ("0x8589427373D6D84E98730D7795D8f6f8731FDA16", "sanctioned", "ofac-sdn"),
    ],
)
def test_shipped_lists_block_with_their_label(address: str, rule: str, label: str) -> None:
    from chains.evm.address import parse

    report = run(parse(address), lists=ListSet.load(None))
    finding = next(f for f in report.findings if f.rule == rule)
    assert finding.severity == "block"
    assert label in finding.message


@pytest.mark.parametrize(
    ("recipient", "rule"),
    [
        ("0x" + "0" * 40, "zero-address"),
        ("0x000000000000000000000000000000000000dEaD", "burn-address"),
        ("0x0000000000000000000000000000000000000001", "precompile"),
        ("0x00000000000000000000000000000000000000fF", "precompile"),
    ],
)
def test_impossible_destinations_block(recipient: str, rule: str) -> None:
    assert rules_of(run(recipient))[rule] == "block"


def test_precompile_range_ends_at_ff() -> None:
    assert "precompile" not in rules_of(run("0x0000000000000000000000000000000000000100"))


def test_token_to_its_own_contract_blocks() -> None:
    report = run(TUSD.contract or "", asset=TUSD, amount=5)
    assert rules_of(report)["token-to-itself"] == "block"


def test_contract_recipient_warns_unless_contact_and_failed_lookup_warns() -> None:
    code = FakeCode({STRANGER: True, TREASURY: None})
    assert rules_of(run(STRANGER, code=code))["contract-recipient"] == "warn"
    assert "contract-recipient" not in rules_of(
        run(STRANGER, code=code, contacts={STRANGER: "vault"})
    )
    failed = run(TREASURY, code=code)
    assert rules_of(failed)["lookup-failed"] == "warn"
    assert "could not ask the node" in next(
        f.message for f in failed.findings if f.rule == "lookup-failed"
    )
    assert "contract-recipient" not in rules_of(run(STRANGER, code=code, asset=TUSD))


def test_dev_keys_on_a_real_network() -> None:
    assert ME in dev_addresses()
    assert len(dev_addresses()) == 20
    assert rules_of(run(STRANGER, network=MAINNET))["dev-key-sender"] == "block"
    assert (
        rules_of(run(ANVIL[3]["address"], sender=STRANGER, network=MAINNET))["dev-key-recipient"]
        == "warn"
    )
    on_devnet = rules_of(run(ANVIL[3]["address"]))
    assert "dev-key-sender" not in on_devnet
    assert "dev-key-recipient" not in on_devnet


def test_first_time_self_and_checksum_infos() -> None:
    first = run(STRANGER, amount=15 * 10**17)
    assert rules_of(first)["first-time-recipient"] == "info"
    assert "1.5 ETH" in first.findings[0].message
    assert "first-time-recipient" not in rules_of(run(STRANGER, sent_to=frozenset({STRANGER})))
    assert (
        rules_of(run(ANVIL[1]["address"], own_addresses=frozenset({ANVIL[1]["address"]})))[
            "self-transfer"
        ]
        == "info"
    )
    assert rules_of(run(TREASURY, typed=TREASURY.lower()))["no-checksum"] == "info"
    assert "no-checksum" not in rules_of(run(STRANGER, typed=STRANGER))  # digits only
    assert "no-checksum" not in rules_of(run(TREASURY, typed=TREASURY))


def test_spending_policy_blocks_with_figures() -> None:
    limits = {"ETH": Limits(Decimal("10"), Decimal("15"))}
    over = run(STRANGER, amount=12 * 10**18, limits=limits)
    finding = next(f for f in over.findings if f.rule == "spending-limit")
    assert finding.severity == "block"
    assert "12 ETH" in finding.message
    assert "max-per-transfer of 10 ETH" in finding.message
    daily = run(STRANGER, amount=6 * 10**18, limits=limits, spent_today={"native": 10 * 10**18})
    message = next(f.message for f in daily.findings if f.rule == "spending-limit")
    assert "10 ETH sent today plus 6" in message
    assert "max-per-day of 15 ETH" in message
    assert "spending-limit" not in rules_of(run(STRANGER, amount=5 * 10**18, limits=limits))


def test_unusual_amount_warns_with_figures() -> None:
    report = run(STRANGER, amount=21 * 10**18, largest_sent={"native": 2 * 10**18})
    finding = next(f for f in report.findings if f.rule == "unusual-amount")
    assert finding.severity == "warn"
    assert "21 ETH" in finding.message
    assert "(2 ETH)" in finding.message
    assert "unusual-amount" not in rules_of(
        run(STRANGER, amount=20 * 10**18, largest_sent={"native": 2 * 10**18})
    )


def test_sending_figures_count_only_accepted_transfers() -> None:
    entries = [
        {"event": "signed", "tx_hash": "a", "amount_base": "5", "token": None, "time": "2000"},
        {"event": "broadcast", "tx_hash": "a"},
        {"event": "signed", "tx_hash": "b", "amount_base": "900", "token": None, "time": "2000"},
    ]
    largest, _ = sending_figures(entries)
    assert largest == {"native": 5}


def test_typed_data_for_another_chain_warns() -> None:
    assert rules_of(run(STRANGER, chain_id=1))["typed-data-chain"] == "warn"
    assert "typed-data-chain" not in rules_of(run(STRANGER, chain_id=31337))
