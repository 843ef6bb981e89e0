"""The wallet-managed devnet: start and stop anvil, remember its pid and port in the home.

State lives in `devnet/state.json`; anvil's own files (its HOME) in `devnet/`. While it
runs, the `devnet` network points at its port unless config.toml defines `devnet` itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chains.base import Network
from chains.evm import anvil
from wallet_cli.errors import WalletError
from wallet_cli.store.atomic import make_private_dir, write_atomic
from wallet_cli.store.home import Home


class DevnetRunning(WalletError):
    code = "devnet-running"
    kind = "input"


class DevnetPortInUse(WalletError):
    code = "devnet-port-in-use"
    kind = "input"


@dataclass(frozen=True)
class DevnetState:
    pid: int
    port: int
    chain_id: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def to_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "port": self.port, "chain_id": self.chain_id, "rpc": self.url}


def _state_path(home: Home) -> Any:
    return home.root / "devnet" / "state.json"


def read_state(home: Home) -> DevnetState | None:
    """The recorded devnet, if its pid is still an anvil process."""
    try:
        data = json.loads(_state_path(home).read_bytes())
        state = DevnetState(int(data["pid"]), int(data["port"]), int(data["chain_id"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if anvil.is_anvil(state.pid) else None


def up(home: Home, port: int) -> DevnetState:
    with home.lock():
        running = read_state(home)
        if running is not None:
            raise DevnetRunning(f"a devnet already runs at {running.url} (pid {running.pid})")
        if not 1 <= port <= 65535:
            raise DevnetPortInUse(f"--port must be between 1 and 65535, not {port}")
        if not anvil.port_is_free(port):
            raise DevnetPortInUse(
                f"port {port} on 127.0.0.1 is already in use (another devnet or program); "
                "nothing was started: choose another with --port P"
            )
        folder = home.root / "devnet"
        make_private_dir(folder)
        process = anvil.start(port, folder)
        state = DevnetState(process.pid, process.port, process.chain_id)
        write_atomic(_state_path(home), json.dumps(state.to_json()).encode())
        return state


def down(home: Home) -> DevnetState | None:
    with home.lock():
        state = read_state(home)
        if state is not None:
            anvil.stop(state.pid)
        _state_path(home).unlink(missing_ok=True)
        return state


def network(home: Home) -> Network | None:
    state = read_state(home)
    if state is None:
        return None
    return Network("devnet", "evm", state.url, state.chain_id, is_devnet=True)
