"""`wallet 2fa enable|disable|status`: a TOTP code asked besides the passphrase.

Enrolment needs a terminal: the secret is shown there once (a QR code of the otpauth URI and
the key as text), never on stdout, and is sealed into the vault only after the app returns a
valid code. `code_for` is what every guarded command calls after unlocking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from wallet_cli.cli import common, output, prompts

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet

app = typer.Typer(help="A second factor (TOTP code) besides the passphrase.", no_args_is_help=True)

ENROL_ATTEMPTS = 3


def code_for(wallet: Wallet, session: object | None = None) -> str | None:
    """After unlocking: the code, asked on the terminal only if the vault holds a TOTP
    secret (None otherwise, or with no terminal: `second_factor.require` then refuses)."""
    if wallet.totp_secret() is None:
        return None
    return prompts.ask_code(session)


@app.command("enable")
def enable(ctx: typer.Context) -> None:
    """Enrol an authenticator app: scan the QR code, type one code to confirm."""
    from wallet_cli import second_factor
    from wallet_cli.cli.receive_cmds import qr_text
    from wallet_cli.errors import BadInput

    session = common.session_of(ctx)
    wallet = session.wallet()
    if not prompts.terminal_available():
        raise BadInput("'wallet 2fa enable' needs a terminal: it shows a QR code and asks a code")
    passphrase = _passphrase(session, wallet)
    if wallet.totp_secret() is not None:
        raise BadInput(f"wallet '{wallet.name}' already has a second factor")
    secret = second_factor.new_secret()
    uri = second_factor.provisioning_uri(secret, wallet.name)
    key = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    prompts.say(
        f"\n{qr_text(uri)}\n\nScan this with an authenticator app, or type the key:\n  {key}\n"
        "Keep a copy offline: without the app, guarded commands cannot run.\n\n"
    )
    for attempt in range(1, ENROL_ATTEMPTS + 1):
        code = prompts.ask("TOTP code from the app: ")
        try:
            second_factor.enable(wallet, secret, code, passphrase)
            break
        except second_factor.CodeWrong as exc:
            if attempt == ENROL_ATTEMPTS:
                raise
            prompts.say(f"{exc.message}\n")
    prompts.say("\x1b[2J\x1b[H")  # the key leaves the screen
    output.emit(
        session.json,
        {"wallet": wallet.name, "second_factor": True},
        [f"Wallet '{wallet.name}' now asks a TOTP code for guarded commands."],
    )


@app.command("disable")
def disable(ctx: typer.Context) -> None:
    """Remove the second factor (needs the passphrase and a current code)."""
    from wallet_cli import second_factor

    session = common.session_of(ctx)
    wallet = session.wallet()
    passphrase = _passphrase(session, wallet)
    second_factor.disable(wallet, code_for(wallet, session), passphrase)
    output.emit(
        session.json,
        {"wallet": wallet.name, "second_factor": False},
        [f"Wallet '{wallet.name}' no longer asks a TOTP code."],
    )


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Whether this wallet asks a code (no passphrase needed)."""
    from wallet_cli.second_factor import enabled

    session = common.session_of(ctx)
    wallet = session.wallet()
    on = enabled(session.home, wallet.name)
    output.emit(
        session.json,
        {"wallet": wallet.name, "second_factor": on},
        [f"wallet '{wallet.name}': second factor " + ("enabled" if on else "not enabled")],
    )


def _passphrase(session: common.Session, wallet: Wallet) -> str:
    """Resolved to a string (file, keyring or prompt) and checked by unlocking: re-sealing
    the vault needs the passphrase itself."""
    from wallet_cli.passphrases import resolve_passphrase

    passphrase = resolve_passphrase(session.unlock_sources(wallet), f"wallet '{wallet.name}'")
    wallet.unlock(passphrase)
    return passphrase
