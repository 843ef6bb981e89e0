"""Screening: every destination is checked here before anything is signed.

`check` runs every rule of the registry on every output of a `Preview`. The pipeline in
wallet_cli/transfer.py calls it between building and signing; no other path signs.
"""

from __future__ import annotations

from chains.base import Preview
from wallet_cli.screening.context import Context
from wallet_cli.screening.report import Finding, Report
from wallet_cli.screening.rules import checks, preview_checks

__all__ = ["Context", "Finding", "Report", "check"]


def check(preview: Preview, context: Context) -> Report:
    findings: list[Finding] = []
    if context.code is not None:
        context.code.prefetch([o.recipient for o in preview.outputs])
    for output in preview.outputs:
        for rule_check in checks():
            findings.extend(rule_check(output, preview, context))
    for whole_check in preview_checks():
        findings.extend(whole_check(preview, context))
    return Report(tuple(findings))
