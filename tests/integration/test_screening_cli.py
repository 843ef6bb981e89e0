"""Screening end to end against a real anvil: `check`, contacts, lists, `sync` of poisoning
bait, and sends that screening stops before any signature (the nonce never moves)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from chains.evm import abi
from chains.evm.address import to_checksum
from tests.conftest import (
    ANVIL_ADDRESS_0,
    PASSPHRASE,
    Devnet,
    Result,
    clean_env,
    load_vectors,
    run_wallet,
)
from tests.evm_helpers import Chain

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
BOB = ANVIL[1]["address"]
SCAM = "0x000000000532b45f47779fce440748893b257865"


def lookalike_of(address: str, leading: int = 4, trailing: int = 6) -> str:
    body = address[2:].lower()
    middle = list(secrets.token_hex(20))
    for i in range(leading, 40 - trailing):
        if middle[i] == body[i]:
            middle[i] = "0" if body[i] != "0" else "1"
    mixed = body[:leading] + "".join(middle[leading : 40 - trailing]) + body[40 - trailing :]
    return to_checksum(mixed)


def wallet(home: Path, *args: str, yes: bool = False) -> Result:
    flags = ["--json", "--yes"] if yes else ["--json"]
    return run_wallet([*flags, *args], home=home, env=clean_env(WALLET_PASSPHRASE=PASSPHRASE))


def impersonate_send(chain: Chain, sender: str, to: str, data: bytes = b"", value: int = 0) -> None:
    client = chain.client
    client.call("anvil_impersonateAccount", [sender])
    client.call("anvil_setBalance", [sender, hex(10**18)])
    tx_hash = client.call(
        "eth_sendTransaction",
        [{"from": sender, "to": to, "data": "0x" + data.hex(), "value": hex(value)}],
    )
    receipt = client.wait_for_receipts([tx_hash], 10)[tx_hash]
    assert int(receipt["status"], 16) == 1
    client.call("anvil_stopImpersonatingAccount", [sender])


def test_check_exit_codes_and_shape(evm_home: Path, chain: Chain) -> None:
    ok = wallet(evm_home, "check", BOB)
    assert ok.returncode == 0
    document = ok.json()
    assert set(document) == {"network", "chain", "address", "screening"}
    assert document["screening"]["verdict"] in ("ok", "info")
    listed = wallet(evm_home, "check", SCAM)
    assert listed.returncode == 3
    assert listed.json()["screening"]["verdict"] == "block"
    assert wallet(evm_home, "contacts", "add", "bob", BOB).returncode == 0
    assert wallet(evm_home, "check", lookalike_of(BOB, 3, 3)).returncode == 3
    assert wallet(evm_home, "check", lookalike_of(BOB, 2, 4)).returncode == 5
    contract = wallet(
        evm_home,
        "check",
        chain.client.call("eth_accounts")[0] and "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    )
    assert contract.returncode == 5  # a contract: warn
    assert wallet(evm_home, "check", "0x12").returncode == 2


def test_check_with_the_node_down_warns_and_offline_does_not(anvil_home: Path) -> None:
    # A stranger's address: the wallet's own addresses need no contract lookup at all.
    stranger = "0x8ba1f109551bD432803012645Ac136ddd64DBA72"
    down = wallet(anvil_home, "check", stranger)
    assert down.returncode == 5
    assert "lookup-failed" in [f["rule"] for f in down.json()["screening"]["findings"]]
    assert wallet(anvil_home, "check", stranger, "--offline").returncode == 0
    own = wallet(anvil_home, "check", BOB)  # address #1 of this wallet: no lookup to fail
    assert "lookup-failed" not in [f["rule"] for f in own.json()["screening"]["findings"]]


def test_contacts(evm_home: Path, chain: Chain) -> None:
    assert wallet(evm_home, "contacts", "add", "bob", BOB.lower()).json()["address"] == BOB
    assert wallet(evm_home, "contacts", "add", "bob", BOB).returncode == 2
    assert wallet(evm_home, "contacts", "add", "eve", "0xnot").returncode == 2
    listed = wallet(evm_home, "contacts", "list").json()["contacts"]
    assert listed == [{"name": "bob", "chain": "evm", "address": BOB}]
    assert wallet(evm_home, "contacts", "remove", "bob").returncode == 0
    assert wallet(evm_home, "contacts", "remove", "bob").returncode == 2


def test_lists_show_and_user_lists_block(evm_home: Path, chain: Chain, tmp_path: Path) -> None:
    shown = {row["name"]: row for row in wallet(evm_home, "lists").json()["lists"]}
    assert shown["ofac-sdn"]["counts"] == {"evm": 156, "btc": 437}
    assert shown["scam"]["total"] == 7613
    assert shown["scam"]["date"] == "2023-01-26"
    plain = tmp_path / "mine.txt"
    plain.write_text(f"# my own\n{ANVIL[5]['address']}\n{ANVIL[6]['address'].lower()}\n")
    added = wallet(evm_home, "lists", "add", str(plain), "--name", "mine")
    assert added.returncode == 0, added.stdout
    assert added.json()["counts"] == {"evm": 2}
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text(f"address,note\n{ANVIL[7]['address']},x\n")
    assert wallet(evm_home, "lists", "add", str(csv_file), "--name", "csv").returncode == 0
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    for target in (ANVIL[6]["address"], ANVIL[7]["address"]):
        refused = wallet(evm_home, "send", "--to", target, "--amount", "1")
        assert refused.returncode == 3
        assert "user-listed" in [
            f["rule"] for f in refused.json()["error"]["screening"]["findings"]
        ]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{ANVIL[5]['address']}\n0x1234\n")
    failed = wallet(evm_home, "lists", "add", str(bad), "--name", "bad")
    assert failed.returncode == 2
    assert "line 2" in failed.json()["error"]["message"]
    assert wallet(evm_home, "lists", "add", str(plain), "--name", "scam").returncode == 2


def test_synced_poisoner_lookalike_is_refused(evm_home: Path, chain: Chain, devnet: Devnet) -> None:
    assert wallet(evm_home, "send", "--to", BOB, "--amount", "1").returncode == 0
    poisoner = lookalike_of(BOB, 4, 4)
    forger = lookalike_of(BOB, 3, 5)
    impersonate_send(chain, poisoner, devnet.token, abi.transfer_call(ANVIL_ADDRESS_0, 0))
    transfer_from = bytes.fromhex("23b872dd") + abi.address_word(ANVIL_ADDRESS_0)
    transfer_from += abi.address_word(forger) + abi.word(0)
    impersonate_send(chain, forger, devnet.token, transfer_from)
    duster = "0x" + secrets.token_hex(20)
    impersonate_send(chain, to_checksum(duster[2:]), ANVIL_ADDRESS_0, value=1)

    synced = wallet(evm_home, "sync")
    assert synced.returncode == 0, synced.stdout
    result = synced.json()
    assert result["suspicious"] >= 3
    assert {poisoner, forger, to_checksum(duster[2:])} <= set(result["suspicious_senders"])
    again = wallet(evm_home, "sync", "--from-block", "0").json()
    assert again["recorded"] == 0  # nothing recorded twice

    nonce = chain.nonce(ANVIL_ADDRESS_0)
    for target, rules in (
        (poisoner, {"lookalike", "seen-as-poisoner"}),
        (forger, {"lookalike", "seen-as-poisoner"}),
        (to_checksum(duster[2:]), {"seen-as-poisoner"}),
    ):
        refused = wallet(evm_home, "send", "--to", target, "--amount", "1", yes=True)
        assert refused.returncode == 3, refused.stdout
        found = {f["rule"] for f in refused.json()["error"]["screening"]["findings"]}
        assert rules <= found
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    rows = wallet(evm_home, "history").json()["transactions"]
    assert len(rows) == 1  # incoming bait is not listed as this wallet's transactions


def test_batch_with_a_lookalike_row_signs_nothing(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    wallet(evm_home, "contacts", "add", "bob", BOB)
    csv_file = tmp_path / "pay.csv"
    csv_file.write_text(f"to,amount\n{ANVIL[2]['address']},1\n{lookalike_of(BOB)},1\n")
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = wallet(evm_home, "batch", str(csv_file), yes=True)
    assert result.returncode == 3
    assert "row 3" in result.json()["error"]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def _policy(home: Path, text: str) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text() + text)


def test_spending_policy_blocks_and_allow_is_recorded(evm_home: Path, chain: Chain) -> None:
    _policy(evm_home, '\n[wallets.dev.policy.ETH]\nmax-per-transfer = "2"\nmax-per-day = "3"\n')
    over = wallet(evm_home, "send", "--to", BOB, "--amount", "2.5")
    assert over.returncode == 3
    assert "max-per-transfer of 2 ETH" in over.json()["error"]["message"]
    assert wallet(evm_home, "send", "--to", BOB, "--amount", "2").returncode == 0
    daily = wallet(evm_home, "send", "--to", BOB, "--amount", "1.5")
    assert daily.returncode == 3
    assert "2 ETH sent today plus 1.5" in daily.json()["error"]["message"]
    allowed = wallet(evm_home, "send", "--to", BOB, "--amount", "1.5", "--allow", "spending-limit")
    assert allowed.returncode == 0
    journal = [json.loads(x) for x in (evm_home / "history" / "dev.jsonl").read_text().splitlines()]
    assert journal[-3]["allowed_blocks"] == ["spending-limit"]


def test_unusual_amount_and_contract_recipient_need_confirmation(
    evm_home: Path, chain: Chain, devnet: Devnet
) -> None:
    assert wallet(evm_home, "send", "--to", BOB, "--amount", "1").returncode == 0
    unusual = wallet(evm_home, "send", "--to", BOB, "--amount", "11")
    assert unusual.returncode == 5
    assert "more than 10 times" in json.dumps(unusual.json())
    assert wallet(evm_home, "send", "--to", BOB, "--amount", "11", yes=True).returncode == 0
    to_contract = wallet(
        evm_home, "send", "--to", devnet.token, "--amount", "0.1", "--gas-limit", "100000"
    )
    assert to_contract.returncode == 5
    own_token = wallet(
        evm_home, "send", "--to", devnet.token, "--amount", "1", "--token", "TUSD", yes=True
    )
    assert own_token.returncode == 3
    assert "token-to-itself" in json.dumps(own_token.json())


@pytest.mark.parametrize("recipient_is_dev", [False, True])
def test_dev_keys_on_a_network_that_is_not_a_devnet(
    evm_home: Path, chain: Chain, devnet: Devnet, recipient_is_dev: bool
) -> None:
    wallet(
        evm_home,
        "network",
        "add",
        "stage",
        "--chain",
        "evm",
        "--rpc",
        devnet.url,
        "--chain-id",
        "31337",
    )
    stranger = to_checksum(secrets.token_hex(20))
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_NETWORK="stage")
    target = BOB if recipient_is_dev else stranger
    result = run_wallet(
        ["--json", "--yes", "send", "--to", target, "--amount", "1"], home=evm_home, env=env
    )
    assert result.returncode == 3
    rules = {f["rule"] for f in result.json()["error"]["screening"]["findings"]}
    assert "dev-key-sender" in rules
    assert ("dev-key-recipient" in rules) == recipient_is_dev


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (BOB[:10] + "\u200b" + BOB[10:], "character 11"),
        (BOB[:5] + "\u0430" + BOB[6:], "CYRILLIC"),
        (BOB[:-1] + ("8" if BOB[-1] != "8" else "9"), "EIP-55"),
    ],
)
def test_bad_text_is_exit_2_with_the_position(evm_home: Path, text: str, needle: str) -> None:
    for args in (["check", text, "--offline"], ["send", "--to", text, "--amount", "1"]):
        result = wallet(evm_home, *args)
        assert result.returncode == 2
        assert needle in result.json()["error"]["message"]


def test_sync_is_bounded(evm_home: Path, chain: Chain) -> None:
    duster = to_checksum(secrets.token_hex(20))
    impersonate_send(chain, duster, ANVIL_ADDRESS_0, value=5)
    head = int(chain.client.call("eth_blockNumber"), 16)
    no_native = wallet(evm_home, "sync", "--native-blocks", "0").json()
    assert duster not in no_native["suspicious_senders"]
    assert no_native["to_block"] == head
    one_block = wallet(evm_home, "sync", "--from-block", str(head), "--max-blocks", "1").json()
    assert (one_block["from_block"], one_block["to_block"]) == (head, head)
    assert duster in one_block["suspicious_senders"]
    assert wallet(evm_home, "sync", "--chunk", "0").returncode == 2
