"""Global options after the subcommand (argv.hoist) and secret-looking arguments (argv.scrub),
on the real command tree and on a small app whose command has options named like globals."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.main import get_command

from wallet_cli.cli import argv
from wallet_cli.cli.app import app

KEY = "ab" * 32
WORDS = ["abandon"] * 11 + ["about"]


def hoisted(*args: str) -> list[str]:
    return argv.hoist(get_command(app), list(args)).args


def test_global_options_move_before_the_command() -> None:
    assert hoisted("send", "--to", "X", "--amount", "1", "--yes", "--json") == [
        "--yes",
        "--json",
        "send",
        "--to",
        "X",
        "--amount",
        "1",
    ]
    assert hoisted("network", "list", "--home", "/h", "--network=btc") == [
        "--home",
        "/h",
        "--network=btc",
        "network",
        "list",
    ]
    assert argv.hoist(get_command(app), ["list", "--json"]).root_flags == {"--json"}


def test_values_and_everything_after_the_double_dash_stay() -> None:
    # `--name --json`: the value of --name, not the flag.
    assert hoisted("lists", "add", "f.csv", "--name", "--json") == [
        "lists",
        "add",
        "f.csv",
        "--name",
        "--json",
    ]
    assert argv.hoist(get_command(app), ["lists", "add", "--name", "--json"]).root_flags == set()
    assert hoisted("sign-message", "--", "--yes") == ["sign-message", "--", "--yes"]
    assert hoisted("--json", "nosuchcommand", "--yes") == ["--json", "nosuchcommand", "--yes"]


def _toy() -> Any:
    toy = typer.Typer()

    @toy.callback()
    def root(
        json_output: Annotated[bool, typer.Option("--json")] = False,
        network: Annotated[str, typer.Option("--network")] = "devnet",
        yes: Annotated[bool, typer.Option("--yes")] = False,
    ) -> None:
        pass

    @toy.command()
    def own(
        network: Annotated[str, typer.Option("--network")] = "",
        json_output: Annotated[str, typer.Option("--json")] = "",
    ) -> None:
        pass

    return get_command(toy)


def test_a_commands_own_option_of_the_same_name_is_not_stolen() -> None:
    result = argv.hoist(_toy(), ["own", "--network", "x", "--json", "y", "--yes"])
    assert result.args == ["--yes", "own", "--network", "x", "--json", "y"]
    assert result.root_flags == {"--yes"}


def test_secret_looking_arguments_are_never_echoed() -> None:
    for secret in (KEY, "0x" + KEY):
        message = f"Got unexpected extra argument ({secret})"
        scrubbed = argv.scrub(message, ["import-key", secret])
        assert secret not in scrubbed
        assert "not shown" in scrubbed
    message = f"Got unexpected extra arguments ({' '.join(WORDS)})"
    assert "abandon" not in argv.scrub(message, ["restore", *WORDS])
    assert "abandon" not in argv.scrub(message, ["restore", " ".join(WORDS)])
    # Eleven list words are not a mnemonic; other errors pass unchanged.
    short = "Got unexpected extra arguments (abandon abandon)"
    assert argv.scrub(short, ["restore", *WORDS[:11]]) == short
    assert argv.scrub("No such option: --x", ["send", "--x"]) == "No such option: --x"
