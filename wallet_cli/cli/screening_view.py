"""Showing screening findings to a person, and asking about warnings (CONTRACT.md)."""

from __future__ import annotations

from chains.base import Preview
from wallet_cli.cli import prompts
from wallet_cli.cli.session import Session
from wallet_cli.screening import Report
from wallet_cli.transfer import Confirm

_MARK = {"info": "info ", "warn": "WARN ", "block": "BLOCK"}


def finding_lines(report: Report) -> list[str]:
    return [f"  [{_MARK[f.severity]}] {f.rule}: {f.message}" for f in report.findings]


def confirmer(session: Session) -> Confirm:
    """`--yes` accepts warnings; a terminal asks for the destination's last 4 characters."""

    def confirm(report: Report, preview: Preview) -> bool:
        if session.yes:
            return True
        if not prompts.terminal_available():
            return False
        destination = preview.outputs[0].recipient
        prompts.say("Screening warnings:\n" + "\n".join(finding_lines(report)) + "\n")
        answer = prompts.ask(f"To send to {destination} anyway, type its last 4 characters: ")
        return answer.lower() == destination[-4:].lower()

    return confirm
