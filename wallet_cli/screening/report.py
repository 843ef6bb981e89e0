"""Findings, severities and the verdict (CONTRACT.md "Screening verdicts")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["info", "warn", "block"]
_RANK = {"ok": 0, "info": 1, "warn": 2, "block": 3}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message}


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
