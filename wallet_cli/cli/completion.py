"""Shell completion, Typer's own: `--install-completion` and `--show-completion`.

The app is built without Typer's completion options so that `wallet --help` does not load
the shell-detection code; these callbacks load it only when asked. The shell is the one
Typer detects from the process tree, else $SHELL. Completions themselves are answered by
Typer when the shell sets _WALLET_COMPLETE (cli/__init__.py).
"""

from __future__ import annotations

import os
from typing import Any

from wallet_cli.errors import BadInput

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def shell_name() -> str:
    from typer._completion_shared import _get_shell_name

    name = _get_shell_name()
    if name not in SHELLS:
        name = os.path.basename(os.environ.get("SHELL", ""))
    if name not in SHELLS:
        raise BadInput(
            f"could not tell which shell this is; completion exists for {', '.join(SHELLS)}"
        )
    return name


def install(ctx: Any) -> None:
    from typer._completion_classes import completion_init
    from typer.completion import install_callback

    completion_init()
    install_callback(
        ctx, _param(ctx, "install_completion"), shell_name()
    )  # prints where it went, then exits 0


def show(ctx: Any) -> None:
    from typer._completion_classes import completion_init
    from typer.completion import show_callback

    completion_init()
    show_callback(
        ctx, _param(ctx, "show_completion"), shell_name()
    )  # prints the script, then exits 0


def _param(ctx: Any, name: str) -> Any:
    return next(p for p in ctx.command.params if p.name == name)
