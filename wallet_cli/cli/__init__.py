"""The `wallet` command: the only code that prints, prompts or imports typer.

`main` catches every error at one place and maps its kind to an exit code (exits.py); an
unexpected exception becomes exit 1 with a one-line message, the traceback only with --debug.
Before Click parses, global options typed after the command are moved in front (argv.py);
a usage error never repeats an argument that looks like a key or mnemonic, and an error a
person can fix with one command gets a hint (hints.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

COMPLETE_VAR = "_WALLET_COMPLETE"


def main(argv: Sequence[str] | None = None) -> NoReturn:
    sys.exit(run(list(sys.argv[1:] if argv is None else argv)))


def run(args: list[str]) -> int:
    import os

    from typer import Abort, TyperException
    from typer._click.exceptions import NoArgsIsHelpError
    from typer.main import get_command

    from wallet_cli.cli import argv, output
    from wallet_cli.cli.exits import INTERRUPTED_EXIT, USAGE_EXIT, exit_code_for
    from wallet_cli.hardening import disable_core_dumps

    disable_core_dumps()  # before any secret is read: a crash must not write one to disk
    from wallet_cli.cli.app import app
    from wallet_cli.cli.session import forget

    forget()
    command = get_command(app)
    if os.environ.get(COMPLETE_VAR):  # the shell asks for completions (Typer's protocol)
        from typer._completion_classes import completion_init

        completion_init()
    hoisted = argv.hoist(command, args)
    json_mode = "--json" in hoisted.root_flags or (not hoisted.resolved and "--json" in args)
    debug = "--debug" in hoisted.root_flags or (not hoisted.resolved and "--debug" in args)
    try:
        result = command.main(
            args=hoisted.args, prog_name="wallet", standalone_mode=False, obj={"json": json_mode}
        )
        return result if isinstance(result, int) else 0
    except NoArgsIsHelpError as exc:
        # `wallet` or `wallet network` alone: the help, on stdout, exit 0 (JSON: a usage error).
        if json_mode:
            output.error(True, "usage", USAGE_EXIT, "missing command (see --help)")
            return USAGE_EXIT
        output.emit(False, {}, [exc.ctx.get_help()] if exc.ctx else [])
        return 0
    except TyperException as exc:
        # Click's usage errors (unknown option, missing argument, bad value) are exit 2.
        exit_code = USAGE_EXIT if exc.exit_code == USAGE_EXIT else exc.exit_code
        output.error(json_mode, "usage", exit_code, argv.scrub(exc.format_message(), args))
        return exit_code
    except Abort:
        output.error(json_mode, "aborted", exit_code_for("unconfirmed"), "aborted")
        return exit_code_for("unconfirmed")
    except KeyboardInterrupt:
        output.error(json_mode, "interrupted", INTERRUPTED_EXIT, "interrupted")
        return INTERRUPTED_EXIT
    except Exception as exc:
        return _report(exc, json_mode, debug)


def _report(exc: Exception, json_mode: bool, debug: bool) -> int:
    from wallet_cli.cli import output
    from wallet_cli.cli.exits import exit_code_for
    from wallet_cli.cli.hints import hint_for
    from wallet_cli.cli.session import current

    kind = getattr(exc, "kind", None)
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None)
    if isinstance(kind, str) and isinstance(code, str) and isinstance(message, str):
        exit_code = exit_code_for(kind)
        hint = hint_for(exc, current())
        report = getattr(exc, "report", None)
        held = getattr(exc, "holds", None)  # HeldForOwner: the hold ids, in the JSON error
        extra = {"holds": held} if isinstance(held, list) else None
        if report is not None:
            from wallet_cli.cli.screening_view import finding_lines

            output.error(
                json_mode,
                code,
                exit_code,
                message,
                {"screening": report.to_json(), **(extra or {})},
                finding_lines(report),
                hint,
            )
        else:
            output.error(json_mode, code, exit_code, message, extra, hint=hint)
        return exit_code
    if isinstance(exc, BrokenPipeError):
        return 1
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        text = f"{exc.strerror or type(exc).__name__}{where}"
    else:
        # Only the type: an unexpected exception's text could carry anything.
        text = f"unexpected {type(exc).__name__}; run again with --debug for the traceback"
    if debug:
        import traceback

        traceback.print_exc()
    output.error(json_mode, "internal-error", 1, text)
    return 1
