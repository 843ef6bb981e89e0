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
    import os

    from keystore.passphrase import PassphraseSources, keyring_set, resolve
    from wallet_cli.cli.prompts import passphrase_prompt
    from wallet_cli.wallet import keyring_account

    session = common.session_of(ctx)
    wallet = session.wallet()
    sources = PassphraseSources(
        file=session.passphrase_file,
        environ=os.environ,
        prompt=passphrase_prompt(f"wallet '{wallet.name}'"),
        notice=output.note,
    )
    passphrase = resolve(sources, f"wallet '{wallet.name}'").value
    wallet.unlock(passphrase)
    keyring_set(keyring_account(session.home, wallet.name), passphrase)
    _set_enabled(session, wallet.name, True)
    output.emit(
        session.json,
        {"wallet": wallet.name, "keyring": True},
        [f"The passphrase of wallet '{wallet.name}' is now kept in the OS keyring."],
    )


@app.command("disable")
def disable(ctx: typer.Context) -> None:
    """Forget the passphrase in the OS keyring and stop looking there."""
    from keystore.errors import KeyringUnavailable
    from keystore.passphrase import keyring_delete
    from wallet_cli.wallet import keyring_account

    session = common.session_of(ctx)
    wallet = session.wallet()
    _set_enabled(session, wallet.name, False)
    try:
        removed = keyring_delete(keyring_account(session.home, wallet.name))
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
    from keystore.errors import KeyringUnavailable
    from keystore.passphrase import keyring_backend, keyring_get
    from wallet_cli.wallet import keyring_account

    session = common.session_of(ctx)
    wallet = session.wallet()
    available, backend = keyring_backend()
    enabled = session.config.keyring_enabled(wallet.name)
    stored = False
    if available and enabled:
        try:
            stored = keyring_get(keyring_account(session.home, wallet.name)) is not None
        except KeyringUnavailable:
            stored = False
    lines = [
        f"backend: {backend}" + ("" if available else " (no usable OS keyring: prompts instead)"),
        f"wallet '{wallet.name}': " + ("enabled" if enabled else "not enabled"),
    ]
    if enabled:
        lines.append("passphrase stored: " + ("yes" if stored else "no"))
    output.emit(
        session.json,
        {
            "wallet": wallet.name,
            "backend": backend,
            "available": available,
            "enabled": enabled,
            "stored": stored,
        },
        lines,
    )


def _set_enabled(session: common.Session, name: str, enabled: bool) -> None:
    from wallet_cli.store.config import Config

    home = session.home
    with home.lock():
        config = Config.load(home)
        config.wallet_settings(name)["keyring"] = enabled
        config.save(home)
