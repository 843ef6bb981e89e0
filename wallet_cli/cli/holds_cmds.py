"""`wallet holds`, `wallet holds approve ID`, `wallet holds cancel ID`: transfers held for
their owner (holds.py) listed, released or dropped.

Approval is for a person at the terminal only: the passphrase is asked there (never taken
from a file, the environment or the keyring, which a script could reach), then the second
factor, and the owner types the destination's last 4 characters after the fresh preview.
`--yes` plays no part.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wallet_cli.cli import common, output

if TYPE_CHECKING:
    from wallet_cli.screening import Report
    from wallet_cli.types import Preview
    from wallet_cli.wallet import Wallet

app = typer.Typer(
    help="Transfers held for the owner: list, approve, cancel.", invoke_without_command=True
)


@app.callback()
def holds(
    ctx: typer.Context,
    every: Annotated[
        bool, typer.Option("--all", help="Also approved, cancelled and expired holds.")
    ] = False,
) -> None:
    """List held transfers and why they are held."""
    if ctx.invoked_subcommand is not None:
        return
    from wallet_cli.hold_approval import listing

    session = common.session_of(ctx)
    wallet = session.wallet()
    found = listing(session.home, wallet.name, every=every)
    lines: list[output.Line] = [] if found else ["no held transfers"]
    for held in found:
        lines += _hold_lines(held)
    output.emit(session.json, {"wallet": wallet.name, "holds": found}, lines)


def _hold_lines(held: dict[str, Any]) -> list[output.Line]:
    lines: list[output.Line] = [
        f"{held['id']}  {held['status']}  {held['amount']} {held['unit']} -> {held['to']} "
        f"on {held['network']}",
        f"  held {held['created']}; approvable from {held['release_after']}; "
        f"expires {held['expires']}",
    ]
    for reason in held.get("reasons", []):
        lines.append(f"  why: {reason['message']}")
        lines.append(f"  advice: {reason['advice']} ({reason['link']})")
    return lines


@app.command("approve")
def approve(
    ctx: typer.Context,
    hold_id: Annotated[str, typer.Argument(metavar="ID", help="The hold (see 'wallet holds').")],
    no_wait: common.NoWaitOption = False,
    timeout: common.TimeoutOption = 120,
) -> None:
    """Release a held transfer: planned again with fresh nonce and fees, screened again,
    shown, then sent once you type the destination's last 4 characters, the passphrase and
    the second factor (on a terminal only)."""
    from wallet_cli.cli import prompts
    from wallet_cli.cli.send_cmds import finish_transfer
    from wallet_cli.errors import NotConfirmed
    from wallet_cli.hold_approval import approve as release
    from wallet_cli.hold_approval import open_hold

    session = common.session_of(ctx)
    wallet = session.wallet()
    if not prompts.terminal_available():
        raise NotConfirmed(
            f"approving hold {hold_id} needs its owner at a terminal (passphrase, second "
            "factor, the destination's last 4 characters); --yes does not approve a hold"
        )
    held = open_hold(session.home, wallet.name, hold_id)  # closed or early: before any prompt
    if held.get("kind"):  # a PSBT or SafeTx: approved here, signed by its own command again
        _approve_document(session, wallet, hold_id)
        return

    def check(preview: Preview, report: Report) -> None:
        from wallet_cli.cli.screening_view import finding_lines, terminal_lines
        from wallet_cli.cli.send_cmds import _show_preview

        _show_preview(preview, report)
        if report.findings:
            prompts.say("Screening:\n" + terminal_lines(finding_lines(report)) + "\n")
        destination = preview.outputs[0].recipient
        answer = prompts.ask(f"To approve, type the last 4 characters of {destination}: ")
        if answer.lower() != destination[-4:].lower():
            raise NotConfirmed(f"hold {hold_id} was not approved: nothing was signed")

    result = release(
        wallet, session.network(), session.config, hold_id,
        unlock=lambda: _unlock_at_terminal(wallet), check=check,
        wait=not no_wait, timeout=timeout,
    )  # fmt: skip
    lines: list[output.Line] = [
        f"hold {hold_id} approved: {result.amount} {result.unit} to {result.to}"
    ]
    finish_transfer(session, result, lines)


def _approve_document(session: common.Session, wallet: Wallet, hold_id: str) -> None:
    from wallet_cli.cli import prompts
    from wallet_cli.errors import NotConfirmed
    from wallet_cli.hold_approval import approve_document

    def check(held: Mapping[str, Any]) -> None:
        lines = [f"Approve signing this {held['kind']}:"]
        lines += [f"  {o['amount']} {o['unit']} -> {o['to']}" for o in held.get("outputs", [])]
        prompts.say("\n".join(lines) + "\n" + terminal_text(held))
        destination = str(held["to"])
        answer = prompts.ask(f"To approve, type the last 4 characters of {destination}: ")
        if answer.lower() != destination[-4:].lower():
            raise NotConfirmed(f"hold {hold_id} was not approved: nothing was signed")

    held = approve_document(
        wallet, hold_id, unlock=lambda: _unlock_at_terminal(wallet), check=check
    )
    output.emit(
        session.json,
        {"wallet": wallet.name, "hold": hold_id, "status": held["status"], "kind": held["kind"]},
        [f"hold {hold_id} approved: sign the same {held['kind']} again to sign it (once)"],
    )


def terminal_text(held: Mapping[str, Any]) -> str:
    reasons = held.get("reasons", [])
    return "".join(f"  why: {r['message']}\n  advice: {r['advice']}\n" for r in reasons)


def _unlock_at_terminal(wallet: Wallet) -> None:
    """The passphrase typed now, then the second factor the vault asks for."""
    from wallet_cli import second_factor
    from wallet_cli.cli import prompts

    wallet.unlock(prompts.hidden(f"Passphrase for wallet '{wallet.name}': "))
    code = None
    if second_factor.enabled(wallet.home, wallet.name):
        code = prompts.ask_code(None)
    second_factor.require(wallet, code)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    hold_id: Annotated[str, typer.Argument(metavar="ID", help="The hold (see 'wallet holds').")],
) -> None:
    """Drop a held transfer: it will never be sent (no passphrase needed)."""
    from wallet_cli.hold_approval import cancel as drop

    session = common.session_of(ctx)
    wallet = session.wallet()
    held = drop(session.home, wallet.name, hold_id)
    output.emit(
        session.json,
        {"wallet": wallet.name, "hold": hold_id, "status": held["status"]},
        [f"hold {hold_id} cancelled: {held['amount']} {held['unit']} to {held['to']} not sent"],
    )
