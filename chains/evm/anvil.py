"""The local devnet: anvil from the npm package `@foundry-rs/anvil`, run as a plain process.

The binary itself is run (not `npx anvil`, whose wrapper would survive a stop and leave
anvil running), bound to 127.0.0.1, with `--prune-history` and HOME pointed at the devnet's
own folder so anvil never fills `~/.foundry`. Stopping sends SIGTERM to exactly the recorded
pid, after checking that pid still is anvil.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from chains import processes
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
    process = processes.spawn(args, folder, folder / "anvil.log", environment)
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
    return processes.stop(pid, is_anvil, timeout)
