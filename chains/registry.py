"""Chain family name to adapter, importing the adapter's package only on first use."""

from __future__ import annotations

from functools import cache

from chains.base import ChainAdapter
from chains.errors import UnsupportedChain


@cache
def adapter_for(family: str) -> ChainAdapter:
    if family == "evm":
        from chains.evm.adapter import EvmAdapter

        return EvmAdapter()
    if family == "btc":
        from chains.btc.adapter import BtcAdapter

        return BtcAdapter()
    if family == "sol":
        from chains.sol.adapter import SolAdapter

        return SolAdapter()
    raise UnsupportedChain(
        f"chain family {family!r} is not supported yet (supported: evm, btc, sol)"
    )
