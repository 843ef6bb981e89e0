"""`wallet keyring enable|disable|status`: keep a wallet's passphrase in the OS keyring.

Only wallets the user turned on here are looked up in the keyring (config.toml
[wallets.NAME] keyring = true). With no keyring backend, each command says so.
"""

from __future__ import annotations

import typer

from wallet_cli.cli import common, output

app = typer.Typer(help="Keep the keystore passphrase in the OS keyring.", no_args_is_help=True)


@app.command("enable")
def enable(ctx: typer.Context) -> None:
    """Check the passphrase against the vault, then store it in the OS keyring."""
    from wallet_cli import passphrases
    from wallet_cli.cli.prompts import passphrase_prompt

    session = common.session_of(ctx)
    wallet = session.wallet()
    purpose = f"wallet '{wallet.name}'"
    sources = passphrases.new_sources(
        session.passphrase_file, prompt=passphrase_prompt(purpose), notice=output.note
    )
    passphrases.keyring_enable(wallet, passphrases.resolve_passphrase(sources, purpose))
    output.emit(
        session.json,
        {"wallet": wallet.name, "keyring": True},
        [f"The passphrase of wallet '{wallet.name}' is now kept in the OS keyring."],
    )


@app.command("disable")
def disable(ctx: typer.Context) -> None:
    """Forget the passphrase in the OS keyring and stop looking there."""
    from wallet_cli.passphrases import keyring_disable
    from wallet_cli.types import KeyringUnavailable

    session = common.session_of(ctx)
    wallet = session.wallet()
    try:
        removed = keyring_disable(session.home, wallet.name)
    except KeyringUnavailable as exc:
        output.note(f"note: {exc.message}; nothing to remove there")
        removed = False
    output.emit(
        session.json,
        {"wallet": wallet.name, "keyring": False, "removed": removed},
        [f"Wallet '{wallet.name}' no longer uses the OS keyring."],
    )


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Which keyring backend is there, and whether this wallet uses it."""
    from wallet_cli.passphrases import keyring_status

    session = common.session_of(ctx)
    wallet = session.wallet()
    found = keyring_status(session.home, session.config, wallet.name)
    lines = [
        f"backend: {found.backend}"
        + ("" if found.available else " (no usable OS keyring: prompts instead)"),
        f"wallet '{wallet.name}': " + ("enabled" if found.enabled else "not enabled"),
    ]
    if found.enabled:
        lines.append("passphrase stored: " + ("yes" if found.stored else "no"))
    output.emit(
        session.json,
        {
            "wallet": wallet.name,
            "backend": found.backend,
            "available": found.available,
            "enabled": found.enabled,
            "stored": found.stored,
        },
        lines,
    )
