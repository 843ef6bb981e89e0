"""Holds are the pipeline's, so every chain has them: a Bitcoin send (a local Esplora over
real transactions) and a Solana send (LiteSVM behind the local node) above `hold-above`
are held with --yes (exit 7, nothing broadcast, nothing journalled), and the owner's
approval on a terminal sends them with fresh fees (Bitcoin) or a fresh blockhash (Solana)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import PASSPHRASE, clean_env, run_wallet
from tests.integration.test_bitcoin_backends import served
from tests.integration.test_btc_pipeline import (
    NAME,
    btc_home,
    receive,
    verified,
)
from tests.integration.test_btc_pipeline import wallet as btc
from tests.integration.test_holds import approve_on_terminal
from tests.integration.test_psbt_cli import FOREIGN
from tests.sol_fixtures import LAMPORTS, SolNode, sol_home, sol_node

__all__ = ["btc_home", "served", "sol_home", "sol_node"]  # fixtures

SCRIPT = clean_env(WALLET_PASSPHRASE=PASSPHRASE)


def _policy(home: Path, wallet: str, symbol: str, limit: str) -> None:
    config = home / "config.toml"
    config.write_text(
        config.read_text() + f'\n[wallets.{wallet}.policy.{symbol}]\nhold-above = "{limit}"\n'
    )


def _signed(home: Path, wallet: str) -> list[dict[str, Any]]:
    path = home / "history" / f"{wallet}.jsonl"
    if not path.exists():
        return []
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [e for e in entries if e.get("event") == "signed"]


def test_a_bitcoin_send_is_held_then_approved(btc_home: Path, served: Any) -> None:
    (ours,) = receive(btc_home, 1)
    served.fund(ours, 500_000)
    _policy(btc_home, NAME, "BTC", "0.001")
    held = btc(btc_home, "--yes", "send", "--to", FOREIGN, "--amount", "0.0015")
    assert held.returncode == 7, held.stdout + held.stderr
    (hold,) = held.json()["error"]["holds"]
    assert hold["unit"] == "BTC"
    assert hold["to"] == FOREIGN
    assert served.chain.broadcasts == []
    assert _signed(btc_home, NAME) == []

    status, out = approve_on_terminal(btc_home, hold["id"], FOREIGN, "--network", "bitcoin-regtest")
    assert status == 0, out
    (raw,) = served.chain.broadcasts
    tx = verified(served.chain, raw)
    (entry,) = _signed(btc_home, NAME)
    assert entry["hold"] == hold["id"]
    assert entry["tx_hash"] == tx.txid


def test_a_solana_send_is_held_then_approved(sol_home: Path, sol_node: SolNode) -> None:
    from solders.keypair import Keypair

    recipient = str(Keypair().pubkey())
    _policy(sol_home, "dev", "SOL", "1")
    args = ["--json", "--yes", "--network", "solana-localnet", "send", "--to", recipient]
    held = run_wallet([*args, "--amount", "1.25"], home=sol_home, env=SCRIPT)
    assert held.returncode == 7, held.stdout + held.stderr
    (hold,) = held.json()["error"]["holds"]
    assert sol_node.balance(recipient) == 0
    assert _signed(sol_home, "dev") == []

    status, out = approve_on_terminal(
        sol_home, hold["id"], recipient, "--network", "solana-localnet"
    )
    assert status == 0, out
    assert sol_node.balance(recipient) == 125 * LAMPORTS // 100
    (entry,) = _signed(sol_home, "dev")
    assert entry["hold"] == hold["id"]
