"""Multisig accounts, whatever the chain: `create` and `info` dispatch on the chain family
to the family's module (wallet_cli/multisig_safe.py: a Safe on EVM; wallet_cli/multisig_btc.py:
m-of-n P2WSH on Bitcoin), which builds on the one transfer pipeline (a proposal is planned,
screened and previewed like a send; only signing and broadcasting differ). Nothing here prints
or prompts: results carry their JSON document and the lines a person reads.

A deviation from DESIGN's sketch: its `MultisigScheme` (propose, add_signature, is_complete,
finalize per chain) is not one Protocol here. The two families' cosigning files differ in
kind (a SafeTx JSON checked against the contract; a PSBT that bdk combines and finalizes),
so each keeps its own steps (`multisig propose/sign/exec`; `psbt create/sign/combine/finalize
--multisig`) over the same screening, enforcement, key hand-over and session pieces; only
`create` and `info` are shared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet_cli.errors import BadInput

if TYPE_CHECKING:
    from chains.base import Network
    from wallet_cli.store.config import Config
    from wallet_cli.transfer import Confirm
    from wallet_cli.wallet import Wallet


@dataclass
class MultisigView:
    """What a multisig command reports: its `--json` document and its text lines."""

    document: dict[str, Any]
    lines: list[str] = field(default_factory=list)


def network_of(record: dict[str, Any], given: Network | None, config: Config) -> Network:
    """The network a remembered multisig is on: the command's own when it is that one (a
    running devnet's port is known there only), else the one configured by that name."""
    name = str(record.get("network"))
    if given is not None and given.name == name:
        return given
    return config.network(name)


def create(
    wallet: Wallet,
    network: Network,
    config: Config,
    *,
    name: str,
    threshold: int,
    members: list[str],
    unlock: Callable[[], object],
    confirm: Confirm,
) -> MultisigView:
    """A new multisig of `members` (EVM: owner addresses; Bitcoin: cosigner keys with origin)
    needing `threshold` signatures, remembered in the home under `name`."""
    if network.family == "evm":
        from wallet_cli import multisig_safe

        return multisig_safe.create(
            wallet, network, config, name=name, threshold=threshold, members=members,
            unlock=unlock, confirm=confirm,
        )  # fmt: skip
    if network.family == "btc":
        from wallet_cli import multisig_btc

        return multisig_btc.create(
            wallet, network, config, name=name, threshold=threshold, members=members,
            unlock=unlock, confirm=confirm,
        )  # fmt: skip
    raise BadInput(f"no multisig on {network.family} networks")


def info(wallet: Wallet, network: Network, config: Config, name: str) -> MultisigView:
    """A remembered multisig as its chain sees it now (members, threshold, balance...)."""
    from wallet_cli.store import multisigs

    record = multisigs.load(wallet.home, name)
    if record.get("chain") == "evm":
        from wallet_cli import multisig_safe

        return multisig_safe.info(wallet, network, config, record)
    if record.get("chain") == "btc":
        from wallet_cli import multisig_btc

        return multisig_btc.info(wallet, network, config, record)
    raise BadInput(f"multisig {name!r} is of an unknown chain {record.get('chain')!r}")
