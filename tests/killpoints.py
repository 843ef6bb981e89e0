"""Run the real `wallet` with a hook that SIGKILLs it at one chosen file operation.

The operations counted are the ones that change files in the home: `os.write`, `os.fsync`,
`os.ftruncate`, `os.replace`, `os.rename`, `os.unlink`, `os.mkdir` and `os.rmdir`, when
their target lies under WALLET_HOME (lock files excluded: they hold no data). With
KILL_AT=0 nothing is killed and the operations' names are written to KILL_COUNT_FILE
(a JSON list) at exit; with
KILL_AT=k the process kills itself just before operation k, or, with KILL_HALF=1 and a
write, after writing the first half of its bytes (a torn write).

Usage: python -m tests.killpoints WALLET-ARGS...
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def _target_of_fd(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def install(scope: str, kill_at: int, half: bool, count_file: str | None) -> None:
    count = 0
    names: list[str] = []
    real_write = os.write

    def in_scope(target: str) -> bool:
        return target.startswith(scope) and not target.endswith(".lock")

    def point(target: str, name: str) -> bool:
        """Count one operation; True when this is the one to die at."""
        nonlocal count
        if not in_scope(target):
            return False
        count += 1
        names.append(name)
        return count == kill_at

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def on_fd(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(fd: int, *args: Any) -> Any:
            if point(_target_of_fd(fd), real.__name__):
                die()
            return real(fd, *args)

        return wrapped

    def on_path(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(path: Any, *args: Any, **kwargs: Any) -> Any:
            if point(os.path.abspath(os.fspath(path)), real.__name__):
                die()
            return real(path, *args, **kwargs)

        return wrapped

    def write(fd: int, data: Any) -> int:
        if point(_target_of_fd(fd), "write"):
            if half and len(data) > 1:
                real_write(fd, bytes(data)[: len(data) // 2])
            die()
        return real_write(fd, data)

    os.write = write
    os.fsync = on_fd(os.fsync)
    os.ftruncate = on_fd(os.ftruncate)
    for name in ("replace", "rename", "unlink", "mkdir", "rmdir"):
        setattr(os, name, on_path(getattr(os, name)))

    if count_file:

        def report() -> None:
            with open(count_file, "w") as handle:
                json.dump(names, handle)

        atexit.register(report)


def main() -> None:
    scope = os.path.realpath(os.environ["WALLET_HOME"]) + os.sep
    install(
        scope,
        int(os.environ.get("KILL_AT", "0")),
        os.environ.get("KILL_HALF") == "1",
        os.environ.get("KILL_COUNT_FILE"),
    )
    from wallet_cli.cli import run

    code = run(sys.argv[1:])
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
