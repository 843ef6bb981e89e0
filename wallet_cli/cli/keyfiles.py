"""`wallet import-keystore`, `export-keystore` (Web3 Secret Storage v3) and `passwd`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.cli import common, output, prompts
from wallet_cli.errors import BadInput, OutputExists

KeystorePassphraseOption = Annotated[
    Path | None,
    typer.Option(
        "--keystore-passphrase-file",
        help="The key file's own passphrase, first line (empty: the empty password, import only).",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("import-keystore")(import_keystore)
    app.command("export-keystore")(export_keystore)
    app.command("passwd")(passwd)


def import_keystore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A v3 key file (geth, cast wallet, MetaMask).")],
    name: Annotated[str, typer.Option("--name", help="Name of the new wallet.")] = "",
    keystore_passphrase_file: KeystorePassphraseOption = None,
) -> None:
    """Import a Web3 Secret Storage v3 file as a single-key wallet in this wallet's vault."""
    from wallet_cli import keyfiles
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    if name:
        common.ensure_new_name(session, name)
    document = keyfiles.read_v3(file)
    password = _keyfile_passphrase(keystore_passphrase_file, file, twice=False)
    key, address = keyfiles.open_v3(document, password)
    name = name or keyfiles.key_wallet_name(key)
    common.ensure_new_name(session, name)
    passphrase = common.new_passphrase(session, f"wallet '{name}'")
    wallet = Wallet.create(session.home, name, key, passphrase, kdf=common.vault_kdf(session))
    rows = common.account_rows(wallet.addresses("evm", [0]))
    output.emit(
        session.json,
        {"wallet": wallet.name, "kind": wallet.kind, "chain": "evm", "addresses": rows},
        [f"Imported {file} as wallet '{name}'.", f"   0  (single key)  {address}"],
    )


def export_keystore(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The new key file (must not exist).")],
    index: Annotated[int, typer.Option("--index", help="Address index to export.")] = 0,
    keystore_passphrase_file: KeystorePassphraseOption = None,
) -> None:
    """Write one key as a v3 file (scrypt) that geth, cast wallet and MetaMask read."""
    from wallet_cli.cli.twofa_cmds import code_for
    from wallet_cli.keyfiles import export_v3
    from wallet_cli.store.atomic import write_output

    session = common.session_of(ctx)
    if out.exists():
        raise OutputExists(f"{out} already exists; it was not overwritten")
    wallet = session.wallet()
    account = wallet.addresses("evm", [index])[0]
    wallet.unlock(session.unlock_sources(wallet))
    code = code_for(wallet, session)
    password = _keyfile_passphrase(keystore_passphrase_file, out, twice=True)
    document = export_v3(wallet, index, password, code)
    write_output(out, document)
    output.emit(
        session.json,
        {"wallet": wallet.name, "index": index, "address": account.address, "out": str(out)},
        [f"Wrote {account.address} (index {index}) to {out}."],
    )


def passwd(
    ctx: typer.Context,
    new_passphrase_file: Annotated[
        Path | None, typer.Option("--new-passphrase-file", help="The new passphrase, first line.")
    ] = None,
    lower_kdf: Annotated[
        bool,
        typer.Option(
            "--lower-kdf",
            help="Re-seal at config.toml's [vault] cost even if it is below the vault's.",
        ),
    ] = False,
) -> None:
    """Change the keystore passphrase: the vault is re-sealed and replaced atomically.

    The KDF cost never goes down unless asked: it is the higher of the vault's and config's.
    """
    import dataclasses

    from wallet_cli.cli.twofa_cmds import code_for
    from wallet_cli.second_factor import audit
    from wallet_cli.types import Argon2idParams

    session = common.session_of(ctx)
    wallet = session.wallet()
    wanted = session.config.vault_kdf()
    wallet.unlock(session.unlock_sources(wallet))
    code = code_for(wallet, session)
    new = common.replacement_passphrase(wallet.name, new_passphrase_file)
    cost = wallet.change_passphrase(new, kdf=wanted, lower=lower_kdf, code=code)
    audit(session.home, wallet.name, "passwd")
    if dataclasses.replace(cost, salt=b"") != wanted:
        output.note(
            f"note: kept the vault's KDF cost ({cost.describe()}), above config.toml's "
            f"({wanted.describe()}); pass --lower-kdf to lower it"
        )
    if cost.below_default():
        output.note(
            f"warning: wallet '{wallet.name}' is now sealed below the default KDF cost "
            f"({cost.describe()}; default {Argon2idParams().describe()}): "
            "use such a home for tests only"
        )
    _update_keyring(session, wallet.name, new)
    output.emit(
        session.json,
        {"wallet": wallet.name, "changed": True},
        [f"Changed the passphrase of wallet '{wallet.name}'."],
    )


def _update_keyring(session: common.Session, name: str, new: str) -> None:
    from wallet_cli.passphrases import keyring_update
    from wallet_cli.types import KeyringUnavailable

    try:
        keyring_update(session.home, session.config, name, new)
    except KeyringUnavailable as exc:
        output.note(f"warning: {exc.message}; run 'wallet keyring enable' again")


def _keyfile_passphrase(file: Path | None, keyfile: Path, *, twice: bool) -> str:
    """For import, an empty first line is the empty password (geth writes such files); an
    exported file always gets a passphrase."""
    from wallet_cli.passphrases import read_passphrase_file

    if file is not None:
        what = "keystore passphrase file"
        value = read_passphrase_file(file, what, allow_empty=True, notice=output.note)
        if not value and twice:
            raise BadInput(f"{what} {file} is empty: an exported key file needs a passphrase")
        return value
    ask = (
        prompts.new_passphrase_prompt(f"key file {keyfile}")
        if twice
        else prompts.passphrase_prompt(f"key file {keyfile}")
    )
    if ask is None:
        from wallet_cli.types import NoPassphrase

        raise NoPassphrase(
            f"no passphrase for key file {keyfile}: no terminal; use --keystore-passphrase-file"
        )
    return ask()
