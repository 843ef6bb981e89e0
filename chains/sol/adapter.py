"""The Solana `ChainAdapter` (chains/base.py): keys and addresses here, transfers through the
session `connect` opens (chains/sol/session.py).

Ed25519 derives hardened children only, so `public_accounts` returns an account with no
xpub and `addresses` serves only what the public record caches; the wallet layer derives
more while unlocked (`chains.base.SeedAddresses`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chains.base import Account, Family, Network, PublicAccount
from chains.errors import InvalidTxHash, UnsupportedChain
from chains.sol import address, keys, programs
from keystore.secret import PrivateKey, Seed

if TYPE_CHECKING:
    from chains.session import ChainSession

CACHED = 10  # addresses a restore (or the first unlock) writes to the public record


class NeedsUnlock(UnsupportedChain):
    """A Solana address the public record does not cache: only the seed derives it."""

    code = "needs-passphrase"


class SolAdapter:
    family: Family = "sol"

    def public_accounts(self, seed: Seed, account: int) -> list[PublicAccount]:
        return [PublicAccount("sol", "m/44'/501'", None, key="sol")]

    def seed_addresses(self, seed: Seed, account: int, indexes: Sequence[int]) -> list[Account]:
        """Addresses at `indexes` from the seed (the only way: ed25519 is hardened-only)."""
        result = []
        for i in indexes:
            private, _ = keys.derive(seed.reveal(), keys.path_for(i))
            result.append(Account(i, keys.path_for(i), address.encode(keys.public_key(private))))
        return result

    def account_key(self, network: Network, script: str | None) -> str:
        if script not in (None, "sol"):
            raise UnsupportedChain(f"script type {script!r} is for Bitcoin, not Solana networks")
        return "sol"

    def public_account_for_key(self, key: PrivateKey) -> PublicAccount:
        return PublicAccount("sol", None, None, self.address_of_key(key), key="sol")

    def addresses(self, public: PublicAccount, indexes: Sequence[int]) -> list[Account]:
        if public.single_address is not None and list(indexes) == [0]:
            return [Account(0, None, public.single_address)]
        raise NeedsUnlock(
            f"Solana addresses {min(indexes)} to {max(indexes)} are not all cached in public data: "
            "ed25519 keys derive only from the seed, so a passphrase is needed: "
            "'wallet --network solana address --index I --count N --unlock' derives and "
            "caches them"
        )

    def private_key(self, seed: Seed, account: int, index: int) -> PrivateKey:
        return keys.private_key(seed, index)

    def address_of_key(self, key: PrivateKey) -> str:
        return address.encode(keys.public_key(key.reveal()))

    def parse_address(self, text: str, network: Network) -> str:
        return address.normalise(text)

    def parse_tx_hash(self, text: str) -> str:
        stripped = text.strip()
        if not re.fullmatch(r"[1-9A-HJ-NP-Za-km-z]{64,88}", stripped):
            raise InvalidTxHash(f"not a Solana signature (base58): {stripped[:80]!r}")
        return stripped

    def well_known(self, address: str) -> str | None:
        return programs.well_known(address)

    def connect(
        self,
        network: Network,
        public: PublicAccount | None,
        index: int,
        sender: str,
        timeout: float | None = None,
        state: Path | None = None,
    ) -> ChainSession:
        from chains.sol.session import connect

        return connect(network, sender, index, timeout, state)
