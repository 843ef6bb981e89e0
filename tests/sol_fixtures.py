"""A Solana node for tests: chains/sol/localnode.py (LiteSVM behind Solana's JSON-RPC) in a
thread of the test process, fresh for each test, and a home whose `solana-localnet` is it.

Import the fixtures into a test module: `from tests.sol_fixtures import sol_home, sol_node`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ANVIL_MNEMONIC, run_wallet

LAMPORTS = 10**9
FUNDED = 10 * LAMPORTS  # what the dev wallet's Solana address 0 starts with


@dataclass
class SolNode:
    url: str
    node: Any  # chains.sol.localnode.LocalNode: its runtime is `node.svm`

    def balance(self, address: str) -> int:
        from solders.pubkey import Pubkey

        with self.node.lock:
            return int(self.node.svm.get_balance(Pubkey.from_string(address)) or 0)

    def token_balance(self, owner: str, mint: str) -> int:
        from solders.pubkey import Pubkey
        from solders.token.associated import get_associated_token_address

        from chains.sol.transfer import token_amount

        ata = get_associated_token_address(Pubkey.from_string(owner), Pubkey.from_string(mint))
        with self.node.lock:
            account = self.node.svm.get_account(ata)
        return 0 if account is None else token_amount(bytes(account.data))

    def call(self, method: str, *params: Any) -> Any:
        return self.node.handle(method, list(params))


@pytest.fixture
def sol_node() -> Iterator[SolNode]:
    from chains.sol.localnode import LocalNode, serve

    node = LocalNode()
    server = serve(node, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SolNode(f"http://127.0.0.1:{server.server_address[1]}", node)
    finally:
        server.shutdown()
        server.server_close()


def bip_utils_addresses(count: int) -> list[str]:
    """The dev mnemonic's Solana addresses, derived by another library than the wallet's."""
    from bip_utils import Bip39SeedGenerator, Bip44, Bip44Changes, Bip44Coins

    seed = Bip39SeedGenerator(ANVIL_MNEMONIC).Generate()
    coin = Bip44.FromSeed(seed, Bip44Coins.SOLANA).Purpose().Coin()
    return [
        str(coin.Account(i).Change(Bip44Changes.CHAIN_EXT).PublicKey().ToAddress())
        for i in range(count)
    ]


def dev_sol_address(home: Path, index: int = 0) -> str:
    listed = run_wallet(
        ["--json", "--network", "solana", "address", "--index", str(index)], home=home
    )
    assert listed.returncode == 0, listed.stderr
    return str(listed.json()["addresses"][0]["address"])


@pytest.fixture
def sol_home(anvil_home: Path, sol_node: SolNode) -> Path:
    """Wallet 'dev' (the anvil mnemonic), its Solana address 0 funded with 10 SOL on the
    fixture's node, which is this home's `solana-localnet`."""
    config = anvil_home / "config.toml"
    config.write_text(
        config.read_text()
        + f'\n[networks.solana-localnet]\nchain = "sol"\nrpc = "{sol_node.url}"\n'
        + "devnet = true\n"
    )
    sol_node.call("requestAirdrop", dev_sol_address(anvil_home), FUNDED)
    return anvil_home
