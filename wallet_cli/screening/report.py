"""Findings, severities and the verdict (CONTRACT.md "Screening verdicts").

Each finding also carries its rule's advice (the risk and the next step, one sentence)
and a stable link into docs/screening.md, so JSON readers and people see the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from wallet_cli.screening.advice import advice_for_rule

Severity = Literal["info", "warn", "block"]
_RANK = {"ok": 0, "info": 1, "warn": 2, "block": 3}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str

    @property
    def advice(self) -> str:
        """What the risk is and what a careful owner does next."""
        return advice_for_rule(self.rule)[0]

    @property
    def link(self) -> str:
        """Where docs/screening.md explains the rule (`docs/screening.md#RULE`)."""
        return advice_for_rule(self.rule)[1]

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "advice": self.advice,
            "link": self.link,
        }


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...] = ()

    @property
    def verdict(self) -> str:
        """`ok` with no finding, else the highest severity."""
        verdict = "ok"
        for finding in self.findings:
            if _RANK[finding.severity] > _RANK[verdict]:
                verdict = finding.severity
        return verdict

    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "block")

    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warn")

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "findings": [f.to_json() for f in self.findings]}
