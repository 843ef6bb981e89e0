"""Education at the moment of risk (issue 15): every rule, hold reason and the freeze has one
sentence of risk and next step, and a link whose anchor exists in docs/screening.md."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from wallet_cli.cli.screening_view import finding_lines
from wallet_cli.screening.advice import (
    DOC,
    HOLD_ADVICE,
    RULE_ADVICE,
    advice_for_freeze,
    advice_for_hold,
    advice_for_rule,
)
from wallet_cli.screening.docs import render
from wallet_cli.screening.report import Finding, Report
from wallet_cli.screening.rules import RULES


def github_anchors(markdown: str) -> set[str]:
    """The ids GitHub gives the headings: lower case, punctuation dropped, spaces to
    hyphens, a repeated heading suffixed -1, -2, ..."""
    seen: Counter[str] = Counter()
    anchors = set()
    for line in markdown.splitlines():
        match = re.match(r"^#{1,6} (.+)$", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        anchors.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return anchors


ANCHORS = github_anchors(render())


def fragment(link: str) -> str:
    page, _, anchor = link.partition("#")
    assert page == DOC
    return anchor


def assert_one_sentence(advice: str) -> None:
    """Risk, a colon, the next step: one sentence, short enough to read at the prompt."""
    assert advice.endswith("."), advice
    assert ". " not in advice[:-1], f"more than one sentence: {advice}"
    risk, _, step = advice.partition(": ")
    assert risk, f"say the risk first ('risk: next step'): {advice}"
    assert step, f"say the risk first ('risk: next step'): {advice}"
    assert len(advice) <= 220, f"{len(advice)} characters: {advice}"


def test_the_slugs_follow_github() -> None:
    assert github_anchors("# Screening rules\n## The look-alike thresholds, and their x\n") == {
        "screening-rules",
        "the-look-alike-thresholds-and-their-x",
    }
    assert github_anchors("### a\n### a\n") == {"a", "a-1"}


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_has_advice_and_an_anchor_in_the_docs(rule: object) -> None:
    from wallet_cli.screening.rules import Rule

    assert isinstance(rule, Rule)
    assert rule.advice, f"rule {rule.id} has no advice in wallet_cli/screening/advice.py"
    assert_one_sentence(rule.advice)
    assert fragment(rule.link) == rule.anchor
    assert rule.anchor in ANCHORS, f"docs/screening.md has no heading for #{rule.anchor}"
    assert rule.advice in render()


def test_no_advice_for_a_rule_that_is_not_registered() -> None:
    assert set(RULE_ADVICE) == {rule.id for rule in RULES}


def test_anchors_do_not_collide() -> None:
    anchors = [r.anchor for r in RULES] + list(HOLD_ADVICE) + ["frozen", "holds"]
    assert len(anchors) == len(set(anchors))


@pytest.mark.parametrize("reason", sorted(HOLD_ADVICE))
def test_every_hold_reason_has_advice_and_an_anchor(reason: str) -> None:
    sentence, link = advice_for_hold(reason)
    assert_one_sentence(sentence)
    assert fragment(link) == reason
    assert reason in ANCHORS
    assert sentence in render()


def test_an_unknown_hold_reason_still_gets_advice_and_a_live_link() -> None:
    sentence, link = advice_for_hold("hold-something-new")
    assert sentence == HOLD_ADVICE["hold-above"]
    assert fragment(link) in ANCHORS


def test_the_freeze_has_advice_and_an_anchor() -> None:
    sentence, link = advice_for_freeze()
    assert_one_sentence(sentence)
    assert fragment(link) in ANCHORS
    assert "unfreeze" in sentence


def test_the_issue_s_example_is_what_a_lookalike_says() -> None:
    sentence, link = advice_for_rule("lookalike")
    assert sentence.startswith("address poisoning: compare the full address")
    assert "never copy an address from history" in sentence
    assert link == "docs/screening.md#lookalike"


def test_a_finding_carries_advice_and_link_in_json() -> None:
    document = Finding("zero-address", "block", "0x00… burns what it receives").to_json()
    assert document["advice"] == RULE_ADVICE["zero-address"]
    assert document["link"] == "docs/screening.md#zero-address"
    assert {"rule", "severity", "message"} <= set(document)


def test_a_finding_of_an_unregistered_rule_is_not_left_without_a_next_step() -> None:
    finding = Finding("something-new", "warn", "x")
    assert finding.advice
    assert fragment(finding.link) in ANCHORS


def test_text_shows_the_advice_once_per_rule_under_warnings_and_blocks() -> None:
    report = Report(
        (
            Finding("sanctioned", "block", "0xaa… is on the sanctioned list 'ofac-sdn'"),
            Finding("sanctioned", "block", "0xbb… is on the sanctioned list 'ofac-sdn'"),
            Finding("unusual-amount", "warn", "50 ETH is more than 10 times..."),
            Finding("first-time-recipient", "info", "never sent to 0xaa… before"),
        )
    )
    lines = [str(line) for line in finding_lines(report)]
    text = "\n".join(lines)
    assert text.count(RULE_ADVICE["sanctioned"]) == 1
    assert "(docs/screening.md#sanctioned)" in text
    assert RULE_ADVICE["unusual-amount"] in text
    assert "docs/screening.md#unusual-amount" in text
    # an info finding is shown, not lectured about
    assert RULE_ADVICE["first-time-recipient"] not in text
    # the advice follows its finding
    first = next(i for i, line in enumerate(lines) if "[BLOCK] sanctioned" in line)
    assert RULE_ADVICE["sanctioned"] in lines[first + 1]
