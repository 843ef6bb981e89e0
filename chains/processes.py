"""Local node processes the wallet starts for testing (anvil, the Solana local node): whether
a port is free, and stopping exactly the process that was recorded, never another that took
its pid."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def port_is_free(port: int) -> bool:
    """Whether a node could listen on 127.0.0.1:`port` now. Without this check a node already
    on the port answers the readiness probe while the new one dies failing to bind, and a
    dead pid is recorded as the running devnet."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As nodes bind: a port in TIME_WAIT is free, one with a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def stop(pid: int, is_ours: Callable[[int], bool], timeout: float = 5.0) -> bool:
    """Stop `pid` (TERM, then KILL after `timeout`) if `is_ours(pid)`; False, and nothing
    signalled, if not."""
    if not is_ours(pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_ours(pid) or _is_zombie(pid):
            _reap(pid)
            return True
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)
    return True


def _is_zombie(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return status.rsplit(")", 1)[-1].split()[0] == "Z"


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def spawn(
    args: list[str], folder: Path, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a node detached in its own session (a Ctrl-C in the shell does not reach it),
    its output appended to `log`: 0600, also when an older version left it, as it is only the
    node's business."""
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(log_fd, 0o600)
    with os.fdopen(log_fd, "ab") as out:
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
            start_new_session=True,
        )
