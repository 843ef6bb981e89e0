"""Screening: every destination is checked here before anything is signed.

`check` runs every rule of the registry on every output of a `Preview`. The pipeline in
wallet_cli/transfer.py calls it between building and signing; no other path signs.
"""

from __future__ import annotations

from chains.base import Preview
from wallet_cli.screening.report import Finding, Report
from wallet_cli.screening.rules import RULES, Context

__all__ = ["Context", "Finding", "Report", "check"]


def check(preview: Preview, context: Context) -> Report:
    findings: list[Finding] = []
    for output in preview.outputs:
        for rule in RULES:
            findings.extend(rule.check(output, preview, context))
    return Report(tuple(findings))
