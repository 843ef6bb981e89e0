"""The `wallet` command: the only code that prints, prompts or imports typer.

`main` catches every error at one place and maps its kind to an exit code (exits.py); an
unexpected exception becomes exit 1 with a one-line message, the traceback only with --debug.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn


def main(argv: Sequence[str] | None = None) -> NoReturn:
    sys.exit(run(list(sys.argv[1:] if argv is None else argv)))


def run(args: list[str]) -> int:
    from typer import Abort, TyperException
    from typer.main import get_command

    from keystore.hardening import disable_core_dumps
    from wallet_cli.cli import output
    from wallet_cli.cli.exits import INTERRUPTED_EXIT, USAGE_EXIT, exit_code_for

    disable_core_dumps()  # before any secret is read: a crash must not write one to disk
    json_mode = "--json" in args
    try:
        from wallet_cli.cli.app import app

        result = get_command(app).main(args=args, prog_name="wallet", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except TyperException as exc:
        # Click's usage errors (unknown option, missing argument, bad value) are exit 2.
        exit_code = USAGE_EXIT if exc.exit_code == USAGE_EXIT else exc.exit_code
        output.error(json_mode, "usage", exit_code, exc.format_message())
        return exit_code
    except Abort:
        output.error(json_mode, "aborted", exit_code_for("unconfirmed"), "aborted")
        return exit_code_for("unconfirmed")
    except KeyboardInterrupt:
        output.error(json_mode, "interrupted", INTERRUPTED_EXIT, "interrupted")
        return INTERRUPTED_EXIT
    except Exception as exc:
        return _report(exc, json_mode, "--debug" in args)


def _report(exc: Exception, json_mode: bool, debug: bool) -> int:
    from wallet_cli.cli import output
    from wallet_cli.cli.exits import exit_code_for

    kind = getattr(exc, "kind", None)
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None)
    if isinstance(kind, str) and isinstance(code, str) and isinstance(message, str):
        exit_code = exit_code_for(kind)
        report = getattr(exc, "report", None)
        if report is not None:
            from wallet_cli.cli.screening_view import finding_lines

            output.error(
                json_mode,
                code,
                exit_code,
                message,
                {"screening": report.to_json()},
                finding_lines(report),
            )
        else:
            output.error(json_mode, code, exit_code, message)
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
