"""The local devnet: anvil from the npm package `@foundry-rs/anvil`, run as a plain process.

The binary itself is run (not `npx anvil`, whose wrapper would survive a stop and leave
anvil running), bound to 127.0.0.1, with `--prune-history` and HOME pointed at the devnet's
own folder so anvil never fills `~/.foundry`. Stopping sends SIGTERM to exactly the recorded
pid, after checking that pid still is anvil.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from chains.errors import DevnetError, NodeUnreachable

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_CHAIN_ID = 31337
DEFAULT_PORT = 8545
READY_TIMEOUT = 20.0
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DevnetProcess:
    pid: int
    port: int
    chain_id: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def find_binary() -> str:
    """WALLET_ANVIL, then the project's node_modules (npm ci), then PATH."""
    explicit = os.environ.get("WALLET_ANVIL")
    if explicit:
        return explicit
    candidates = sorted((_PROJECT_ROOT / "node_modules" / "@foundry-rs").glob("anvil-*/bin/anvil"))
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    on_path = shutil.which("anvil")
    if on_path:
        return on_path
    raise DevnetError(
        "anvil was not found: run 'npm ci' in the project (package @foundry-rs/anvil), "
        "or set WALLET_ANVIL to its path"
    )


def port_is_free(port: int) -> bool:
    """Whether anvil could listen on 127.0.0.1:`port` now. Without this check a node already
    on the port answers the readiness probe while the new anvil dies failing to bind, and a
    dead pid is recorded as the running devnet."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As anvil binds: a port in TIME_WAIT is free, one with a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start(port: int, folder: Path, chain_id: int = DEV_CHAIN_ID) -> DevnetProcess:
    binary = find_binary()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    environment = {**os.environ, "HOME": str(folder)}
    args = [
        binary,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--prune-history",
        "--chain-id",
        str(chain_id),
        "--mnemonic",
        DEV_MNEMONIC,
    ]
    # 0600, also when the log was left by an older version: it is only the node's business.
    log_fd = os.open(folder / "anvil.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(log_fd, 0o600)
    with os.fdopen(log_fd, "ab") as log:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=folder,
            start_new_session=True,
        )
    devnet = DevnetProcess(process.pid, port, chain_id)
    _wait_ready(process, devnet, folder / "anvil.log")
    return devnet


def _wait_ready(process: subprocess.Popen[bytes], devnet: DevnetProcess, log: Path) -> None:
    from chains.evm.rpc import RpcClient

    client = RpcClient(devnet.url, timeout=2.0)
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                raise DevnetError(
                    f"anvil exited at start (code {process.returncode}): {' / '.join(tail)}"
                )
            try:
                client.chain_id()
            except NodeUnreachable:
                time.sleep(0.02)
                continue
            if process.poll() is None:  # the answer came from this anvil, not another node
                return
    finally:
        client.close()
    stop(process.pid)
    raise DevnetError(f"anvil did not answer on {devnet.url} within {READY_TIMEOUT:.0f} s")


def is_anvil(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    first = cmdline.split(b"\0", 1)[0]
    return first.endswith(b"anvil")


def stop(pid: int, timeout: float = 5.0) -> bool:
    """Stop anvil `pid`; False if no anvil runs with that pid (nothing is signalled)."""
    if not is_anvil(pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_anvil(pid) or _is_zombie(pid):
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
