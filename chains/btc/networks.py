"""The Bitcoin networks the wallet knows, with what each needs: bdk's network, the BIP-44
coin type (0 on mainnet, 1 elsewhere) and whether keys serialise as xpub or tpub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chains.errors import UnsupportedChain

SCRIPTS = {"wpkh": 84, "tr": 86}  # script type -> BIP purpose (BIP-84, BIP-86)
DEFAULT_SCRIPT = "wpkh"


@dataclass(frozen=True)
class BitcoinNetwork:
    name: str
    bdk_name: str  # bdkpython.Network member
    mainnet: bool

    @property
    def coin_type(self) -> int:
        return 0 if self.mainnet else 1

    def bdk(self) -> Any:
        import bdkpython

        return getattr(bdkpython.Network, self.bdk_name)

    def bdk_kind(self) -> Any:
        import bdkpython

        return bdkpython.NetworkKind.MAIN if self.mainnet else bdkpython.NetworkKind.TEST


NETWORKS = {
    n.name: n
    for n in (
        BitcoinNetwork("bitcoin", "BITCOIN", True),
        BitcoinNetwork("bitcoin-testnet", "TESTNET", False),
        BitcoinNetwork("bitcoin-signet", "SIGNET", False),
        BitcoinNetwork("bitcoin-regtest", "REGTEST", False),
    )
}


def bitcoin_network(name: str) -> BitcoinNetwork:
    try:
        return NETWORKS[name]
    except KeyError:
        raise UnsupportedChain(
            f"{name!r} is not a Bitcoin network (known: {', '.join(NETWORKS)})"
        ) from None


def script_purpose(script: str | None) -> tuple[str, int]:
    chosen = script or DEFAULT_SCRIPT
    if chosen not in SCRIPTS:
        raise UnsupportedChain(f"script type {chosen!r} is not wpkh or tr")
    return chosen, SCRIPTS[chosen]
