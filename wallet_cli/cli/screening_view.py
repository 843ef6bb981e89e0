"""Showing screening findings to a person, and asking about warnings (CONTRACT.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wallet_cli.cli import output, prompts
from wallet_cli.cli.session import Session
from wallet_cli.screening import Report
from wallet_cli.transfer import Confirm

if TYPE_CHECKING:
    from wallet_cli.types import Preview

_MARK = {"info": "info ", "warn": "WARN ", "block": "BLOCK"}
# On a terminal: a symbol and a colour, so a block or a warning is not read past.
_SYMBOL = {"warn": "\N{WARNING SIGN}", "block": "\N{HEAVY MULTIPLICATION X}"}
_STYLE = {"warn": "bold yellow", "block": "bold red"}
_ADVICE_INDENT = " " * 10  # under the rule id, past `  [BLOCK] `


def finding_lines(report: Report) -> list[output.Line]:
    """One line per finding: `  [BLOCK] rule: message` piped; on a terminal a block is
    `  ✖ BLOCK rule: message` in red and a warning `  ⚠ WARN  …` in yellow. Under the first
    warning or block of each rule, its advice: the risk, the next step and the link
    (`          address poisoning: …; never copy … (docs/screening.md#lookalike)`)."""
    lines: list[output.Line] = []
    advised: set[str] = set()
    for f in report.findings:
        plain = f"  [{_MARK[f.severity]}] {f.rule}: {f.message}"
        if f.severity not in _SYMBOL:
            lines.append(plain)
            continue
        shown = f"  {_SYMBOL[f.severity]} {_MARK[f.severity]} {f.rule}: {f.message}"
        lines.append(output.Styled(plain, shown, _STYLE[f.severity]))
        if f.rule not in advised:
            advised.add(f.rule)
            lines.append(advice_line(f.advice, f.link))
    return lines


def advice_line(advice: str, link: str) -> str:
    """The advice under a finding (or a hold): indented past the mark, the link at the end."""
    return f"{_ADVICE_INDENT}{advice} ({link})"


def terminal_lines(lines: list[output.Line]) -> str:
    """`lines` as the controlling terminal shows them (prompts write there)."""
    return "\n".join(output.render_on_tty(line) for line in lines)


def confirmer(session: Session) -> Confirm:
    """`--yes` accepts warnings; a terminal asks for the destination's last 4 characters."""

    def confirm(report: Report, preview: Preview) -> bool:
        if session.yes:
            return True
        if not prompts.terminal_available():
            return False
        destination = preview.outputs[0].recipient
        prompts.say("Screening warnings:\n" + terminal_lines(finding_lines(report)) + "\n")
        answer = prompts.ask(f"To send to {destination} anyway, type its last 4 characters: ")
        return answer.lower() == destination[-4:].lower()

    return confirm
