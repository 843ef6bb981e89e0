"""Keep secrets out of core dumps: a crash of a process that holds a mnemonic, a key or a
passphrase must not write them to disk (or let a debugger of the same user read them).

`RLIMIT_CORE` 0 stops the kernel writing a core file; on Linux, `PR_SET_DUMPABLE` 0 also
stops core handlers that ignore the limit (a piped core_pattern) and ptrace by other
processes of the same user. Both are inherited by nothing that matters: they reset on exec.
Call it before any secret is read; it is cheap and may be called again.
"""

from __future__ import annotations

import contextlib
import sys

PR_SET_DUMPABLE = 4


def disable_core_dumps() -> None:
    import resource

    with contextlib.suppress(ValueError, OSError):  # lowering a limit is always allowed
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
