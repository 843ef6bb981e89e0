"""config.toml: networks, per-wallet settings and the vault KDF cost for new writes.

A person may edit the file; it is read with tomllib and written whole (atomically, under the
home lock) with tomli-w. Unknown keys are kept, so a newer version's settings survive.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

from chains.base import Network, family_of
from keystore.kdf import Argon2idParams
from wallet_cli.errors import HomeUnusable, UnknownNetwork
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.home import Home
from wallet_cli.store.permissions import check_file

DEVNET = Network("devnet", "evm", "http://127.0.0.1:8545", 31337, is_devnet=True)
BUILT_IN_NETWORKS = {
    DEVNET.name: DEVNET,
    # Bitcoin networks have no backend until config names one (an Esplora or bitcoind URL).
    **{
        name: Network(name, "btc", None, None, is_devnet=name == "bitcoin-regtest")
        for name in ("bitcoin", "bitcoin-testnet", "bitcoin-signet", "bitcoin-regtest")
    },
    # Solana: the localnet is `solana-test-validator`'s port, or `wallet devnet up --chain sol`.
    "solana": Network("solana", "sol", "https://api.mainnet-beta.solana.com"),
    "solana-devnet": Network("solana-devnet", "sol", "https://api.devnet.solana.com"),
    "solana-localnet": Network("solana-localnet", "sol", "http://127.0.0.1:8899", is_devnet=True),
}


@dataclass(frozen=True)
class RecipientWindow:
    """Which past recipients keep the look-alike rule's tier-1 thresholds ([screening] in
    config.toml): those of the last `recent_count` transfers that are also at most
    `recent_days` old, and the `frequent_count` sent to most often."""

    recent_count: int = 200
    recent_days: int = 90
    frequent_count: int = 50


# The floor for a lowered KDF cost: even a throwaway test home keeps a memory-hard KDF.
MIN_KDF_MEMORY_KIB = 8 * 1024


@dataclass
class Config:
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, home: Home) -> Config:
        path = home.config_path
        home.check_permissions()
        check_file(path)  # a config others can write could point the wallet at their node
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            raise HomeUnusable(f"cannot read {path}: {exc.strerror}") from None
        try:
            return cls(tomllib.loads(raw.decode("utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise HomeUnusable(f"{path} is not valid TOML: {exc}") from None

    def save(self, home: Home) -> None:
        import tomli_w

        home.ensure()
        write_atomic(home.config_path, tomli_w.dumps(self.data).encode())

    def wallet_settings(self, name: str) -> dict[str, Any]:
        wallets = self.data.setdefault("wallets", {})
        settings: dict[str, Any] = wallets.setdefault(name, {})
        return settings

    def keyring_enabled(self, name: str) -> bool:
        return bool(self.data.get("wallets", {}).get(name, {}).get("keyring", False))

    @property
    def default_wallet(self) -> str | None:
        value = self.data.get("default_wallet")
        return value if isinstance(value, str) else None

    @default_wallet.setter
    def default_wallet(self, name: str | None) -> None:
        """`wallet use NAME` sets it (under the home lock); None removes it."""
        if name is None:
            self.data.pop("default_wallet", None)
        else:
            self.data["default_wallet"] = name

    def network(self, name: str) -> Network:
        """The named network with its [networks.NAME] settings. A built-in network's table
        may hold only settings (say `max-fee`): it stays the built-in network."""
        entry = self._entry(name)
        if entry is None or ("chain" not in entry and name in BUILT_IN_NETWORKS):
            if name in BUILT_IN_NETWORKS:
                return self.with_settings(BUILT_IN_NETWORKS[name])
            known = sorted({*BUILT_IN_NETWORKS, *self.data.get("networks", {})})
            raise UnknownNetwork(f"unknown network {name!r}; known: {', '.join(known)}")
        if "chain" not in entry:
            raise HomeUnusable(
                f"network {name!r} in config.toml has no chain (evm, btc or sol); only a "
                "built-in network takes a table of settings alone"
            )
        family = family_of(entry.get("chain"))
        if family is None:
            raise HomeUnusable(
                f"network {name!r} in config.toml has an unknown chain {entry.get('chain')!r}"
            )
        chain_id = entry.get("chain_id")
        network = Network(
            name,
            family,
            entry.get("rpc"),
            int(chain_id) if chain_id is not None else None,
            bool(entry.get("devnet", False)),
            entry.get("backend"),
        )
        return self.with_settings(network)

    def with_settings(self, network: Network) -> Network:
        """`network` with the fee ceilings, RPC deadline and symbol of its config table."""
        from wallet_cli.store import network_settings

        entry = self._entry(network.name)
        if entry is None:
            return network
        try:
            return network_settings.apply(network, entry)
        except network_settings.SettingError as exc:
            raise HomeUnusable(f"config.toml [networks.{network.name}] {exc}") from None

    def _entry(self, name: str) -> dict[str, Any] | None:
        entry = self.data.get("networks", {}).get(name)
        if entry is not None and not isinstance(entry, dict):
            raise HomeUnusable(f"config.toml: networks.{name} must be a table")
        return entry

    def network_names(self) -> list[str]:
        return sorted({*BUILT_IN_NETWORKS, *self.data.get("networks", {})})

    def is_configured(self, name: str) -> bool:
        """Whether config.toml defines the network itself (not only settings for it)."""
        entry = self._entry(name)
        return entry is not None and "chain" in entry

    def add_network(self, network: Network, settings: dict[str, Any] | None = None) -> None:
        """Store `network`, replacing any entry, with `settings` (network_settings.KEYS)."""
        entry: dict[str, Any] = {"chain": network.family}
        if network.rpc_url:
            entry["rpc"] = network.rpc_url
        if network.chain_id is not None:
            entry["chain_id"] = network.chain_id
        if network.is_devnet:
            entry["devnet"] = True
        if network.backend:
            entry["backend"] = network.backend
        entry.update(settings or {})
        self.data.setdefault("networks", {})[network.name] = entry

    def remove_network(self, name: str) -> bool:
        return self.data.get("networks", {}).pop(name, None) is not None

    def tokens(self, network: str) -> dict[str, str]:
        """Symbol to contract address, from [tokens.NETWORK] (symbols compared in upper case)."""
        table = self.data.get("tokens", {}).get(network, {})
        return {str(k).upper(): str(v) for k, v in table.items()} if isinstance(table, dict) else {}

    def spending_policy(self, wallet: str) -> dict[str, Any]:
        policy = self.data.get("wallets", {}).get(wallet, {}).get("policy", {})
        return policy if isinstance(policy, dict) else {}

    def recipient_window(self) -> RecipientWindow:
        """[screening] recent-count, recent-days, frequent-count: whole numbers >= 0."""
        section = self.data.get("screening", {})
        if not isinstance(section, dict):
            raise HomeUnusable("config.toml [screening] must be a table")
        default = RecipientWindow()
        values = []
        for key, fallback in (
            ("recent-count", default.recent_count),
            ("recent-days", default.recent_days),
            ("frequent-count", default.frequent_count),
        ):
            value = section.get(key, fallback)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise HomeUnusable(f"config.toml [screening] {key} must be a whole number >= 0")
            values.append(value)
        return RecipientWindow(*values)

    def vault_kdf(self) -> Argon2idParams:
        """The cost for new vault writes: the default, or what [vault] lowers or raises."""
        section = self.data.get("vault", {})
        default = Argon2idParams()
        try:
            params = Argon2idParams(
                memory_kib=int(section.get("kdf_memory_kib", default.memory_kib)),
                iterations=int(section.get("kdf_iterations", default.iterations)),
                lanes=int(section.get("kdf_lanes", default.lanes)),
            )
        except (TypeError, ValueError):
            raise HomeUnusable("config.toml [vault] KDF settings must be whole numbers") from None
        if params.memory_kib < MIN_KDF_MEMORY_KIB or params.iterations < 1 or params.lanes < 1:
            raise HomeUnusable(
                f"config.toml [vault] KDF cost is below the floor ({MIN_KDF_MEMORY_KIB} KiB, "
                "1 iteration, 1 lane)"
            )
        problem = params.out_of_bounds()  # the caps a vault header is held to
        if problem is not None:
            raise HomeUnusable(f"config.toml [vault] KDF cost is out of range: {problem}")
        return params
