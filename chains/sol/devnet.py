"""The local Solana devnet: chains/sol/localnode.py run as a plain detached process, as
chains/evm/anvil.py runs anvil.

Started with this interpreter (`sys.executable -m chains.sol.localnode`), in its own process
group so it outlives the command that started it, its output in the devnet folder's log. It
is ready once it has written its port file, which it does only after binding the port: a node
already on that port cannot be taken for it. Stopping sends SIGTERM to exactly the recorded
pid, after checking that pid still runs the local node.
"""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chains import processes
from chains.errors import DevnetError

DEFAULT_PORT = 8899  # solana-test-validator's RPC port
READY_TIMEOUT = 20.0
MODULE = "chains.sol.localnode"
LOG = "localnode.log"
PORT_FILE = "localnode.port"


@dataclass(frozen=True)
class LocalnodeProcess:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start(port: int, folder: Path, fund: Sequence[tuple[str, int]] = ()) -> LocalnodeProcess:
    """Start the node on 127.0.0.1:`port`, each (address, lamports) of `fund` airdropped."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    port_file = folder / PORT_FILE
    port_file.unlink(missing_ok=True)
    args = [sys.executable, "-m", MODULE, "--port", str(port), "--port-file", str(port_file)]
    for address, lamports in fund:
        args += ["--fund", f"{address}:{lamports}"]
    log_path = folder / LOG
    process = processes.spawn(args, folder, log_path)
    _wait_ready(process, port, port_file, log_path)
    return LocalnodeProcess(process.pid, port)


def _wait_ready(process: subprocess.Popen[bytes], port: int, port_file: Path, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise DevnetError(
                f"the local Solana node exited at start (code {process.returncode}): "
                + " / ".join(tail)
            )
        with contextlib.suppress(OSError, ValueError):
            if int(port_file.read_text()) == port:
                return
        time.sleep(0.05)
    stop(process.pid)
    raise DevnetError(
        f"the local Solana node did not listen on port {port} within {READY_TIMEOUT:.0f} s "
        f"(its log: {log})"
    )


def is_localnode(pid: int) -> bool:
    """Whether `pid` runs `python -m chains.sol.localnode` (not merely any Python)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return (b"-m", MODULE.encode()) in itertools.pairwise(args)


def stop(pid: int, timeout: float = 5.0) -> bool:
    """Stop the node `pid`; False if no local node runs with that pid (nothing is signalled)."""
    return processes.stop(pid, is_localnode, timeout)
