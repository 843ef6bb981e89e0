"""The wallet-managed devnets: start and stop anvil (`--chain evm`) or the local Solana
node (`--chain sol`), remember each one's pid and port in the home.

State lives in `devnet/state.json` (anvil) and `devnet/sol-state.json` (Solana); the nodes'
own files and logs in `devnet/`. While one runs, its network (`devnet`, `solana-localnet`)
points at its port unless config.toml defines that network itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chains import processes
from chains.base import Network
from chains.evm import anvil
from chains.sol import devnet as sol_devnet
from wallet_cli.errors import BadInput, WalletError
from wallet_cli.store.atomic import make_private_dir, write_atomic
from wallet_cli.store.home import Home


class DevnetRunning(WalletError):
    code = "devnet-running"
    kind = "input"


class DevnetPortInUse(WalletError):
    code = "devnet-port-in-use"
    kind = "input"


CHAINS = ("evm", "sol")
NETWORKS = {"evm": "devnet", "sol": "solana-localnet"}  # the network each devnet serves
DEFAULT_PORTS = {"evm": anvil.DEFAULT_PORT, "sol": sol_devnet.DEFAULT_PORT}
SOL_FUNDED = 10  # the dev mnemonic's Solana addresses 0-9 ...
SOL_FUNDING = 100 * 10**9  # ... hold 100 SOL each


@dataclass(frozen=True)
class DevnetState:
    pid: int
    port: int
    chain_id: int | None  # EVM: anvil's chain id; Solana has none
    chain: str = "evm"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def network(self) -> str:
        return NETWORKS[self.chain]

    def to_json(self) -> dict[str, Any]:
        if self.chain == "evm":
            return {"pid": self.pid, "port": self.port, "chain_id": self.chain_id, "rpc": self.url}
        return {
            "chain": self.chain,
            "pid": self.pid,
            "port": self.port,
            "rpc": self.url,
            "network": self.network,
        }


def check_chain(chain: str) -> str:
    if chain not in CHAINS:
        raise BadInput(f"--chain must be evm or sol, not {chain[:20]!r}")
    return chain


def _state_path(home: Home, chain: str = "evm") -> Path:
    return home.root / "devnet" / ("state.json" if chain == "evm" else f"{chain}-state.json")


def _is_ours(state: DevnetState) -> bool:
    if state.chain == "evm":
        return anvil.is_anvil(state.pid)
    return sol_devnet.is_localnode(state.pid)


def read_state(home: Home, chain: str = "evm") -> DevnetState | None:
    """The recorded devnet of `chain`, if its pid still runs that node (anvil, localnode)."""
    try:
        data = json.loads(_state_path(home, chain).read_bytes())
        chain_id = int(data["chain_id"]) if chain == "evm" else None
        state = DevnetState(int(data["pid"]), int(data["port"]), chain_id, chain)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if _is_ours(state) else None


def sol_funded_addresses() -> list[str]:
    """The dev mnemonic's Solana addresses 0-9, which `up --chain sol` funds."""
    from chains.base import SeedAddresses
    from chains.registry import adapter_for
    from keystore import mnemonic

    adapter = adapter_for("sol")
    assert isinstance(adapter, SeedAddresses)  # ed25519: addresses derive from the seed
    seed = mnemonic.to_seed(mnemonic.parse(anvil.DEV_MNEMONIC))
    accounts = adapter.seed_addresses(seed, 0, range(SOL_FUNDED))
    return [account.address for account in accounts]


def up(home: Home, port: int, chain: str = "evm") -> DevnetState:
    check_chain(chain)
    with home.lock():
        running = read_state(home, chain)
        if running is not None:
            raise DevnetRunning(
                f"the {chain} devnet already runs at {running.url} (pid {running.pid})"
            )
        if not 1 <= port <= 65535:
            raise DevnetPortInUse(f"--port must be between 1 and 65535, not {port}")
        if not processes.port_is_free(port):
            raise DevnetPortInUse(
                f"port {port} on 127.0.0.1 is already in use (another devnet or program); "
                "nothing was started: choose another with --port P"
            )
        folder = home.root / "devnet"
        make_private_dir(folder)
        if chain == "evm":
            process = anvil.start(port, folder)
            state = DevnetState(process.pid, process.port, process.chain_id)
        else:
            fund = [(address, SOL_FUNDING) for address in sol_funded_addresses()]
            node = sol_devnet.start(port, folder, fund)
            state = DevnetState(node.pid, node.port, None, "sol")
        write_atomic(_state_path(home, chain), json.dumps(state.to_json()).encode())
        return state


def down(home: Home, chain: str = "evm") -> DevnetState | None:
    check_chain(chain)
    with home.lock():
        state = read_state(home, chain)
        if state is not None:
            (anvil.stop if chain == "evm" else sol_devnet.stop)(state.pid)
        _state_path(home, chain).unlink(missing_ok=True)
        return state


def network(home: Home, name: str = "devnet") -> Network | None:
    """The network `name` (`devnet`, `solana-localnet`) pointing at the running devnet that
    serves it; None if none runs."""
    chain = next((c for c, n in NETWORKS.items() if n == name), None)
    state = read_state(home, chain) if chain is not None else None
    if state is None:
        return None
    if state.chain == "evm":
        return Network("devnet", "evm", state.url, state.chain_id, is_devnet=True)
    return Network(name, "sol", state.url, is_devnet=True)
