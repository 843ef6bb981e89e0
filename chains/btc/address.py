"""Bitcoin addresses: bech32/bech32m and base58 validated by bdk for the configured network.

A valid address for another Bitcoin network is refused and named (a testnet address on
mainnet), as is an EVM address; bech32 addresses are normalised to lower case.
"""

from __future__ import annotations

import re

from chains.btc.networks import NETWORKS, BitcoinNetwork
from chains.errors import InvalidAddress
from chains.text import refuse_hidden_characters

_EVM = re.compile(r"0[xX][0-9a-fA-F]{40}")


def _parsed(candidate: str, network: BitcoinNetwork) -> str | None:
    import bdkpython

    try:
        return str(bdkpython.Address(candidate, network.bdk()))
    except Exception:  # bdk raises one error type per parse failure, with no text
        return None


def parse(text: str, network: BitcoinNetwork) -> str:
    candidate = text.strip()
    refuse_hidden_characters(candidate)
    if _EVM.fullmatch(candidate):
        raise InvalidAddress(f"{candidate} is an EVM address, not a Bitcoin one")
    parsed = _parsed(candidate, network)
    if parsed is not None:
        return parsed
    for other in NETWORKS.values():
        if other.mainnet != network.mainnet and _parsed(candidate, other) is not None:
            kind = "mainnet" if other.mainnet else "test-network"
            raise InvalidAddress(
                f"{candidate} is a {kind} address; network {network.name!r} cannot send to it"
            )
    raise InvalidAddress(
        f"{candidate!r} is not a valid Bitcoin address (wrong checksum, length or characters)"
    )
