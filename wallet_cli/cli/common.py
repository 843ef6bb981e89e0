"""Small steps several commands share: new passphrases, the vault KDF cost, address rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from chains.base import Account
from wallet_cli.cli import output
from wallet_cli.cli.session import Session
from wallet_cli.errors import WalletExists

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


def new_passphrase(session: Session, purpose: str, file: Path | None = None) -> str:
    from keystore.passphrase import resolve

    return resolve(session.new_passphrase_sources(purpose, file), purpose).value


def ensure_new_name(session: Session, name: str) -> None:
    from wallet_cli.store.home import validate_name

    home = session.home
    if home.wallet_dir(validate_name(name)).exists():
        raise WalletExists(f"a wallet named {name!r} already exists in {home.root}")


def vault_kdf(session: Session) -> Any:
    """The config's cost for a new vault, with the same warning as an unlock of a weak one."""
    from keystore.kdf import Argon2idParams

    params = session.config.vault_kdf()
    if params.below_default():
        output.note(
            f"warning: config.toml [vault] lowers the KDF cost below the default "
            f"({params.describe()}; default {Argon2idParams().describe()}): "
            "use such a home for tests only"
        )
    return params


def account_rows(accounts: list[Account]) -> list[dict[str, Any]]:
    return [{"index": a.index, "path": a.path, "address": a.address} for a in accounts]


def account_lines(accounts: list[Account]) -> list[str]:
    return [f"{a.index:>4}  {a.path or '(single key)':<22}  {a.address}" for a in accounts]
