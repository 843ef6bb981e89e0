"""Small steps several commands share: new passphrases, the vault KDF cost, address rows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wallet_cli.cli import output
from wallet_cli.cli.session import Session
from wallet_cli.errors import WalletExists

if TYPE_CHECKING:
    from wallet_cli.types import Account, Argon2idParams

__all__ = ["AllowOption", "NoWaitOption", "ScriptOption", "Session", "TimeoutOption"]


def known_rules(values: list[str] | None) -> list[str] | None:
    """`--allow` takes rule ids of the screening registry only: a typo must not look like
    an override that silently does nothing (exit 2, listing the ids)."""
    if not values:
        return values
    from wallet_cli.screening.rules import RULES

    ids = [rule.id for rule in RULES]
    unknown = [value for value in values if value not in ids]
    if unknown:
        raise typer.BadParameter(f"unknown rule id {unknown[0]!r}; rule ids: {', '.join(ids)}")
    return values


# The one way past a `block` finding, per rule; printed, and written to history.
# Which Bitcoin account: address, receive and descriptors take the same choice.
ScriptOption = Annotated[
    str | None,
    typer.Option("--script", help="Bitcoin: wpkh (BIP-84, the default) or tr (BIP-86)."),
]
NoWaitOption = Annotated[bool, typer.Option("--no-wait", help="Return once broadcast.")]
TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds to wait for a receipt; also the longest any call to the node may take.",
        min=0.1,
    ),
]
AllowOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow",
        help="DANGEROUS: let a blocking screening rule (by id) pass.",
        callback=known_rules,
    ),
]


def session_of(ctx: typer.Context) -> Session:
    session = ctx.obj
    assert isinstance(session, Session)
    return session


def new_passphrase(session: Session, purpose: str, file: Path | None = None) -> str:
    """A new vault passphrase (init, restore, import-key, import-keystore), with a warning
    on stderr when the estimator finds it weak."""
    from wallet_cli.passphrases import resolve_passphrase

    value = resolve_passphrase(session.new_passphrase_sources(purpose, file), purpose)
    warn_if_weak(value, purpose)
    return value


def replacement_passphrase(wallet_name: str, file: Path | None) -> str:
    """`passwd`'s new passphrase: from --new-passphrase-file, else asked twice on the
    terminal; without either, the error names the option."""
    from wallet_cli import passphrases
    from wallet_cli.cli import prompts
    from wallet_cli.types import NoPassphrase

    purpose = f"wallet '{wallet_name}'"
    if file is not None:
        sources = passphrases.new_sources(file, environ={}, notice=output.note)
    else:
        prompt = prompts.new_passphrase_prompt(purpose)
        if prompt is None:
            raise NoPassphrase(
                f"no new passphrase for {purpose}: no terminal to ask on; "
                "pass --new-passphrase-file FILE"
            )
        sources = passphrases.new_sources(None, environ={}, prompt=prompt)
    value = passphrases.resolve_passphrase(sources, f"the new passphrase of {purpose}")
    warn_if_weak(value, purpose)
    return value


# zxcvbn scores 0-4; below 3 is "somewhat guessable" or worse. It reads the first 72
# characters only (its limit); a longer passphrase is judged by those.
WEAK_SCORE = 3
ESTIMATOR_MAX_LENGTH = 72


def warn_if_weak(passphrase: str, purpose: str) -> None:
    """Say so on stderr when zxcvbn finds the new passphrase easy to guess; never refuse
    (a person may have reasons) and never print the passphrase or any part of it."""
    from zxcvbn import zxcvbn

    estimate = zxcvbn(passphrase[:ESTIMATOR_MAX_LENGTH])
    if estimate["score"] >= WEAK_SCORE:
        return
    offline = estimate["crack_times_display"]["offline_slow_hashing_1e4_per_second"]
    advice = estimate["feedback"]["warning"] or "It is easy to guess."
    if passphrase.strip().lower() in advice.lower():  # its templates quote examples ("aaa")
        advice = "It is easy to guess."
    output.note(
        f"warning: the new passphrase for {purpose} is weak (strength {estimate['score']} of 4; "
        f"guessed in {offline} by a well-equipped attacker who has the vault file): {advice} "
        "A longer passphrase of several uncommon words is stronger."
    )


def ensure_new_name(session: Session, name: str) -> None:
    from wallet_cli.store.home import validate_name

    home = session.home
    if home.wallet_dir(validate_name(name)).exists():
        raise WalletExists(f"a wallet named {name!r} already exists in {home.root}")


def vault_kdf(session: Session) -> Argon2idParams:
    """The config's cost for a new vault, with the same warning as an unlock of a weak one."""
    from wallet_cli.types import Argon2idParams

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
