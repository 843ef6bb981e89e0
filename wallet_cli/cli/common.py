"""Small steps several commands share: secret input, new passphrases, address rows."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from chains.base import Account
from wallet_cli.cli import output, prompts
from wallet_cli.cli.session import Session
from wallet_cli.errors import BadInput, WalletExists

__all__ = ["AllowOption", "Session"]

# The one way past a `block` finding, per rule; printed, and written to history.
AllowOption = Annotated[
    list[str] | None,
    typer.Option("--allow", help="DANGEROUS: let a blocking screening rule (by id) pass."),
]


def session_of(ctx: typer.Context) -> Session:
    session = ctx.obj
    assert isinstance(session, Session)
    return session


def read_secret_text(what: str) -> str:
    """A mnemonic or key: from stdin when it is not a terminal, else a hidden prompt."""
    stdin = sys.stdin
    if stdin is not None and not stdin.isatty():
        text = stdin.read()
        if not text.strip():
            raise BadInput(f"no {what} on standard input")
        return text
    if prompts.terminal_available():
        return prompts.hidden(f"{what[0].upper()}{what[1:]} (hidden): ")
    raise BadInput(f"no {what}: pipe it on standard input or run on a terminal")


def new_passphrase(session: Session, purpose: str, file: Path | None = None) -> str:
    from keystore.passphrase import resolve

    return resolve(session.new_passphrase_sources(purpose, file), purpose).value


def ensure_new_name(session: Session, name: str) -> None:
    from wallet_cli.store.home import validate_name

    home = session.home
    if home.wallet_dir(validate_name(name)).exists():
        raise WalletExists(f"a wallet named {name!r} already exists in {home.root}")


def vault_kdf(session: Session) -> Any:
    from keystore.kdf import Argon2idParams

    params = session.config.vault_kdf()
    default = Argon2idParams()
    if params.memory_kib < default.memory_kib or params.iterations < default.iterations:
        output.note(
            "warning: config.toml [vault] lowers the KDF cost below the default; "
            "use such a home for tests only"
        )
    return params


def account_rows(accounts: list[Account]) -> list[dict[str, Any]]:
    return [{"index": a.index, "path": a.path, "address": a.address} for a in accounts]


def account_lines(accounts: list[Account]) -> list[str]:
    return [f"{a.index:>4}  {a.path or '(single key)':<22}  {a.address}" for a in accounts]
