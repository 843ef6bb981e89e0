"""Solana sends through the one pipeline, every transaction executed by LiteSVM (the Solana
runtime in solders) behind the local node: SOL and SPL balances move by exactly the amount,
the fee and the rent the preview showed; a blockhash that expires is signed again once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, clean_env, run_wallet
from tests.sol_fixtures import FUNDED, LAMPORTS, SolNode, dev_sol_address, sol_home, sol_node

__all__ = ["sol_home", "sol_node"]  # fixtures, imported for pytest

ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
LOCAL = ["--json", "--network", "solana-localnet"]
FEE = 5000  # lamports per signature


def _new_address() -> str:
    from solders.keypair import Keypair

    return str(Keypair().pubkey())


def _send(home: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = run_wallet([*LOCAL, "send", *args, "--yes"], home=home, env=clean_env(**ENV))
    return result.returncode, (json.loads(result.stdout) if result.stdout else {})


def _history(home: Path) -> list[dict[str, object]]:
    path = home / "history" / "dev.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_sol_send_moves_exactly_amount_and_fee(sol_home: Path, sol_node: SolNode) -> None:
    sender, recipient = dev_sol_address(sol_home), _new_address()
    code, sent = _send(sol_home, "--to", recipient, "--amount", "1.25")
    assert code == 0, sent
    assert sent["status"] == "success"
    assert sent["fee_cap"] == "0.000005"
    assert sent["fee_unit"] == "SOL"
    assert sol_node.balance(recipient) == 1_250_000_000
    assert sol_node.balance(sender) == FUNDED - 1_250_000_000 - FEE
    status = run_wallet([*LOCAL, "tx", "status", str(sent["tx_hash"])], home=sol_home)
    assert status.returncode == 0, status.stderr
    assert status.json()["status"] == "success"
    assert status.json()["in_history"] is True
    shown = run_wallet([*LOCAL, "balance", recipient], home=sol_home)
    assert shown.json()["balance"] == "1.25"


def test_spl_send_creates_the_recipient_account_once(sol_home: Path, sol_node: SolNode) -> None:
    sender, recipient = dev_sol_address(sol_home), _new_address()
    mint = sol_node.call("localnode_createMint", 6, sender, 1_000_000_000)["mint"]
    rent = sol_node.call("getMinimumBalanceForRentExemption", 165)
    code, sent = _send(sol_home, "--to", recipient, "--amount", "12.5", "--token", mint)
    assert code == 0, sent
    assert sent["token"] == mint
    assert sent["unit"] == f"{mint[:4]}…{mint[-4:]}"
    assert sol_node.token_balance(recipient, mint) == 12_500_000
    assert sol_node.token_balance(sender, mint) == 1_000_000_000 - 12_500_000
    assert sol_node.balance(sender) == FUNDED - FEE - rent  # the new account's rent
    code, again = _send(sol_home, "--to", recipient, "--amount", "0.5", "--token", mint)
    assert code == 0, again
    assert sol_node.token_balance(recipient, mint) == 13_000_000
    assert sol_node.balance(sender) == FUNDED - 2 * FEE - rent  # no second account
    held = run_wallet([*LOCAL, "balance", "--token", mint], home=sol_home)
    assert held.json()["base_units"] == str(1_000_000_000 - 13_000_000)


def test_token_named_in_config(sol_home: Path, sol_node: SolNode) -> None:
    sender = dev_sol_address(sol_home)
    mint = sol_node.call("localnode_createMint", 2, sender, 10_000)["mint"]
    config = sol_home / "config.toml"
    config.write_text(config.read_text() + f'\n[tokens.solana-localnet]\nUSDT = "{mint}"\n')
    code, sent = _send(sol_home, "--to", _new_address(), "--amount", "1.5", "--token", "USDT")
    assert code == 0, sent
    assert sent["unit"] == "USDT"
    assert sent["amount"] == "1.5"
    code, too_fine = _send(sol_home, "--to", _new_address(), "--amount", "0.001", "--token", mint)
    assert code == 2
    assert too_fine["error"]["code"] == "invalid-amount"


def test_batch_pays_identical_rows_twice(sol_home: Path, sol_node: SolNode, tmp_path: Path) -> None:
    recipient, other = _new_address(), _new_address()
    rows = tmp_path / "pay.csv"
    rows.write_text(f"{recipient},1\n{recipient},1\n{other},0.5\n")
    result = run_wallet([*LOCAL, "batch", str(rows), "--yes"], home=sol_home, env=clean_env(**ENV))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sol_node.balance(recipient) == 2 * LAMPORTS  # same payment twice, both run
    assert sol_node.balance(other) == LAMPORTS // 2
    sender = dev_sol_address(sol_home)
    assert sol_node.balance(sender) == FUNDED - 2_500_000_000 - 3 * FEE


def test_refused_blockhash_is_signed_again_once(sol_home: Path, sol_node: SolNode) -> None:
    recipient = _new_address()
    sol_node.call("localnode_refuseNext", 1)
    code, sent = _send(sol_home, "--to", recipient, "--amount", "1")
    assert code == 0, sent
    assert sent["status"] == "success"
    assert sol_node.balance(recipient) == LAMPORTS
    events = _history(sol_home)
    expired = [e for e in events if e["event"] == "expired"]
    renewed = [e for e in events if e["event"] == "signed" and e.get("renews")]
    assert len(expired) == 1
    assert len(renewed) == 1
    assert renewed[0]["renews"] == expired[0]["tx_hash"] != sent["tx_hash"]
    assert renewed[0]["tx_hash"] == sent["tx_hash"]


def test_blockhash_refused_twice_is_a_clear_error(sol_home: Path, sol_node: SolNode) -> None:
    sender, recipient = dev_sol_address(sol_home), _new_address()
    sol_node.call("localnode_refuseNext", 2)
    code, failed = _send(sol_home, "--to", recipient, "--amount", "1")
    assert code == 1
    assert failed["error"]["code"] == "transfer-expired"
    assert "nothing was paid" in failed["error"]["message"]
    assert sol_node.balance(recipient) == 0
    assert sol_node.balance(sender) == FUNDED
    shown = run_wallet([*LOCAL, "history"], home=sol_home)
    assert [row["status"] for row in shown.json()["transactions"]] == ["expired", "expired"]


def test_transaction_lost_until_its_blockhash_expired_is_signed_again(
    sol_home: Path, sol_node: SolNode
) -> None:
    recipient = _new_address()
    sol_node.call("localnode_dropNext", 1, True)
    code, sent = _send(sol_home, "--to", recipient, "--amount", "2")
    assert code == 0, sent
    assert sol_node.balance(recipient) == 2 * LAMPORTS  # paid once, by the second signing
    events = _history(sol_home)
    assert [e["event"] for e in events].count("expired") == 1
    # The index counts one transfer of 2 SOL: the expired one left the day's spending.
    from wallet_cli.store.history import History
    from wallet_cli.store.history_index import HistoryIndex
    from wallet_cli.store.home import Home

    index = HistoryIndex.current(History(Home(sol_home), "dev"))
    try:
        day = str(events[-1]["time"])[:10]
        assert index.spending("solana-localnet", day)[1] == {None: 2 * LAMPORTS}
        assert index.recent_recipients("solana-localnet", 10, None) == {recipient}
        transfers = index.db.execute("SELECT n FROM transfers WHERE network = ?",
                                     ("solana-localnet",)).fetchone()  # fmt: skip
        assert transfers == (1,)
    finally:
        index.close()


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "EVM"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin"),
        ("9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFi0", "base58"),  # 0 is not base58
        ("9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusV", "not 32"),  # too short
    ],
)
def test_bad_destinations_exit_2_before_the_node(anvil_home: Path, to: str, words: str) -> None:
    home = anvil_home
    config = home / "config.toml"
    config.write_text(
        config.read_text()
        + '\n[networks.solana-localnet]\nchain = "sol"\nrpc = "http://127.0.0.1:9"\n'
        + "devnet = true\n"
    )
    result = run_wallet([*LOCAL, "send", "--to", to, "--amount", "1", "--yes"], home=home)
    assert result.returncode == 2, result.stdout
    assert result.json()["error"]["code"] == "invalid-address"
    assert words.lower() in result.json()["error"]["message"].lower()


def test_bad_amounts_and_rent(sol_home: Path, sol_node: SolNode) -> None:
    recipient = _new_address()
    code, fine = _send(sol_home, "--to", recipient, "--amount", "0.0000000001")
    assert code == 2
    assert fine["error"]["code"] == "invalid-amount"
    code, small = _send(sol_home, "--to", recipient, "--amount", "1000lamports")
    assert code == 2
    assert "rent-exempt minimum" in small["error"]["message"]
    code, broke = _send(sol_home, "--to", recipient, "--amount", "11")
    assert code == 2
    assert broke["error"]["code"] == "insufficient-funds"
    assert sol_node.balance(recipient) == 0


def test_token_account_is_not_a_recipient(sol_home: Path, sol_node: SolNode) -> None:
    sender = dev_sol_address(sol_home)
    created = sol_node.call("localnode_createMint", 6, sender, 1000)
    code, refused = _send(
        sol_home, "--to", created["account"], "--amount", "1", "--token", created["mint"]
    )
    assert code == 2
    assert "token account, not a wallet" in refused["error"]["message"]


def test_node_down_is_exit_6(anvil_home: Path) -> None:
    config = anvil_home / "config.toml"
    config.write_text(
        config.read_text()
        + '\n[networks.solana-localnet]\nchain = "sol"\nrpc = "http://127.0.0.1:9"\n'
        + "devnet = true\n"
    )
    code, down = _send(anvil_home, "--to", _new_address(), "--amount", "1")
    assert code == 6
    assert down["error"]["code"] == "node-unreachable"


def test_wrong_cluster_is_refused(anvil_home: Path, sol_node: SolNode) -> None:
    config = anvil_home / "config.toml"
    config.write_text(
        config.read_text() + f'\n[networks.solana]\nchain = "sol"\nrpc = "{sol_node.url}"\n'
    )
    result = run_wallet(
        ["--json", "--network", "solana", "send", "--to", _new_address(), "--amount", "1",
         "--yes"],
        home=anvil_home,
        env=clean_env(**ENV),
    )  # fmt: skip
    assert result.returncode == 6, result.stdout
    assert result.json()["error"]["code"] == "chain-id-mismatch"
    assert "genesis hash" in result.json()["error"]["message"]


def test_mint_as_a_sol_destination_warns(sol_home: Path, sol_node: SolNode) -> None:
    sender = dev_sol_address(sol_home)
    mint = sol_node.call("localnode_createMint", 6, sender, 1000)["mint"]
    checked = run_wallet([*LOCAL, "check", mint], home=sol_home)
    assert checked.returncode == 5, checked.stdout
    rules = [f["rule"] for f in checked.json()["screening"]["findings"]]
    assert "contract-recipient" in rules
    program = run_wallet([*LOCAL, "check", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"],
                         home=sol_home)  # fmt: skip
    assert program.returncode == 3
    refused = run_wallet(
        [*LOCAL, "send", "--to", mint, "--amount", "1"], home=sol_home, env=clean_env(**ENV)
    )
    assert refused.returncode == 5  # a warning, not confirmed: nothing signed
    assert sol_node.balance(mint) < LAMPORTS
