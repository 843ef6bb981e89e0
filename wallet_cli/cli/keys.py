"""`wallet init`, `wallet restore`, `wallet import-key`: new wallets from new or known secrets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wallet_cli.cli import common, output, prompts
from wallet_cli.errors import BadInput, OutputExists

if TYPE_CHECKING:
    from wallet_cli.types import Mnemonic

DEFAULT_NAME = "main"

NameOption = Annotated[str, typer.Option("--name", help="Name of the new wallet.")]
Bip39FileOption = Annotated[
    Path | None,
    typer.Option("--bip39-passphrase-file", help="Optional BIP-39 passphrase (25th word) file."),
]
Bip39PromptOption = Annotated[
    bool, typer.Option("--bip39-passphrase", help="Prompt for a BIP-39 passphrase (25th word).")
]


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("restore")(restore)
    app.command("import-key")(import_key)


def init(
    ctx: typer.Context,
    name: NameOption = DEFAULT_NAME,
    words: Annotated[int, typer.Option("--words", help="12 or 24 words.")] = 12,
    mnemonic_out: Annotated[
        Path | None,
        typer.Option(
            "--mnemonic-out",
            help="Without a terminal: write the new words to this new file (0600).",
        ),
    ] = None,
    bip39_passphrase_file: Bip39FileOption = None,
    bip39_passphrase: Bip39PromptOption = False,
) -> None:
    """Create a wallet from a fresh mnemonic; on a terminal, show it once and ask some back."""
    from wallet_cli import mnemonics as bip39
    from wallet_cli.store.atomic import write_new_file
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    if words not in (12, 24):
        raise BadInput("--words must be 12 or 24")
    common.ensure_new_name(session, name)
    on_terminal = prompts.terminal_available()
    if mnemonic_out is None and not on_terminal:
        raise BadInput(
            "no terminal to show the new mnemonic on: pass --mnemonic-out FILE to write it"
        )
    if mnemonic_out is not None and mnemonic_out.exists():
        raise OutputExists(f"{mnemonic_out} already exists; it was not overwritten")
    extra = _bip39_passphrase(bip39_passphrase_file, bip39_passphrase)
    passphrase = common.new_passphrase(session, f"new wallet '{name}'")
    phrase = bip39.generate(words, extra)
    if mnemonic_out is not None:
        write_new_file(mnemonic_out, (phrase.reveal_phrase() + "\n").encode())
    else:
        prompts.show_mnemonic_and_quiz(phrase.reveal_phrase().split())
    try:
        wallet = Wallet.create(
            session.home, name, phrase, passphrase, kdf=common.vault_kdf(session)
        )
    except BaseException:
        if mnemonic_out is not None:
            mnemonic_out.unlink(missing_ok=True)
        raise
    _report_created(session.json, wallet, f"Created wallet '{name}' from {words} new words.")


def restore(
    ctx: typer.Context,
    name: NameOption = DEFAULT_NAME,
    bip39_passphrase_file: Bip39FileOption = None,
    bip39_passphrase: Bip39PromptOption = False,
) -> None:
    """Restore a wallet from its mnemonic, read from stdin or a hidden prompt."""
    from wallet_cli import mnemonics as bip39
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    common.ensure_new_name(session, name)
    phrase = _parse_mnemonic(session.json)
    extra = _bip39_passphrase(bip39_passphrase_file, bip39_passphrase)
    if extra:
        phrase = bip39.parse(phrase.reveal_phrase(), extra)
    passphrase = common.new_passphrase(session, f"wallet '{name}'")
    wallet = Wallet.create(session.home, name, phrase, passphrase, kdf=common.vault_kdf(session))
    _report_created(session.json, wallet, f"Restored wallet '{name}' ({phrase.word_count} words).")


def import_key(ctx: typer.Context, name: NameOption = "") -> None:
    """Make a single-key wallet from a hex private key read from stdin or a hidden prompt."""
    from wallet_cli import keyfiles
    from wallet_cli.wallet import Wallet

    session = common.session_of(ctx)
    if name:
        common.ensure_new_name(session, name)
    key = keyfiles.parse_private_key(_read_secret("private key")[0])
    if not name:
        name = keyfiles.key_wallet_name(key)
        common.ensure_new_name(session, name)
    passphrase = common.new_passphrase(session, f"wallet '{name}'")
    wallet = Wallet.create(session.home, name, key, passphrase, kdf=common.vault_kdf(session))
    _report_created(session.json, wallet, f"Imported a private key as wallet '{name}'.")


def _read_secret(what: str) -> tuple[str, bool]:
    """A mnemonic or key, and whether a person typed it: from stdin when that is not a
    terminal (at most 64 KiB of it), else from a hidden prompt."""
    from wallet_cli.keyfiles import read_secret_text

    stdin = sys.stdin
    if stdin is not None and not stdin.isatty():
        return read_secret_text(stdin.buffer, what), False
    if prompts.terminal_available():
        return prompts.hidden(f"{what[0].upper()}{what[1:]} (hidden): "), True
    raise BadInput(f"no {what}: pipe it on standard input or run on a terminal")


def _parse_mnemonic(json_mode: bool) -> Mnemonic:
    """The error names a wrong word's position only; close list words are offered on the
    terminal the phrase was typed at, never in --json output, stderr or a piped run."""
    from wallet_cli import mnemonics as bip39
    from wallet_cli.types import InvalidMnemonic

    text, typed = _read_secret("mnemonic")
    try:
        return bip39.parse(text)
    except InvalidMnemonic as exc:
        if typed and not json_mode and exc.position is not None:
            close = bip39.suggestions(text, exc.position)
            if close:
                prompts.say(f"Closest list words to word {exc.position}: {', '.join(close)}\n")
        raise


def _bip39_passphrase(file: Path | None, prompt: bool) -> str:
    if file is not None:
        from wallet_cli.passphrases import read_passphrase_file

        return read_passphrase_file(file, "BIP-39 passphrase file", notice=output.note)
    if prompt:
        ask = prompts.new_passphrase_prompt("the BIP-39 passphrase (25th word)")
        if ask is None:
            raise BadInput("--bip39-passphrase needs a terminal; use --bip39-passphrase-file")
        return ask()
    return ""


def _report_created(json_mode: bool, wallet: object, headline: str) -> None:
    from wallet_cli.wallet import Wallet

    assert isinstance(wallet, Wallet)
    first = wallet.addresses("evm", [0])
    output.emit(
        json_mode,
        {
            "wallet": wallet.name,
            "kind": wallet.kind,
            "chain": "evm",
            "addresses": common.account_rows(first),
        },
        [headline, *common.account_lines(first)],
    )
