"""Contract calls with data, and the allowances they leave, against a real anvil: `send
--data approve(...)` is planned with its grant decoded and journalled with its selector,
`approvals` finds it from the node's logs and confirms it with `allowance()`, `--risky`
keeps only the flagged ones, and `revoke` sets it to zero on chain through the pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import decode, encode
from eth_utils.abi import function_signature_to_4byte_selector

from chains.base import Network, Output
from chains.evm import abi
from chains.evm.address import keccak256, to_checksum
from chains.evm.call_intents import MAX_UINT256, allowance_call, approve_call
from chains.evm.session import connect
from chains.session import FeeChoice
from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, Devnet, Result, clean_env, run_wallet
from tests.evm_helpers import Chain
from tests.permit_fixtures import permit2, permit_token

__all__ = ["permit2", "permit_token"]  # fixtures, imported for pytest

BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil account 1
OWN = BOB  # the `dev` wallet is the anvil mnemonic: its address #1
STRANGER = to_checksum(keccak256(b"a stranger")[-20:].hex())
OTHER_STRANGER = to_checksum(keccak256(b"another stranger")[-20:].hex())
SCAM = "0x000000000532b45f47779fce440748893b257865"  # on the shipped scam list


def wallet(home: Path, *args: str) -> Result:
    return run_wallet(
        ["--json", "--yes", *args], home=home, env=clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    )


def allowance(chain: Chain, token: str, owner: str, spender: str) -> int:
    call = {"to": token, "data": "0x" + allowance_call(owner, spender).hex()}
    return abi.decode_uint(bytes.fromhex(chain.client.call("eth_call", [call, "latest"])[2:]))


def approve(home: Path, token: str, spender: str, amount: int) -> dict[str, Any]:
    data = "0x" + approve_call(spender, amount).hex()
    result = wallet(home, "send", "--to", token, "--data", data)
    assert result.returncode == 0, result.stdout + result.stderr
    document: dict[str, Any] = result.json()
    assert document["status"] == "success"
    return document


def listed(home: Path, *args: str) -> list[dict[str, Any]]:
    result = wallet(home, "approvals", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    found: list[dict[str, Any]] = result.json()["approvals"]
    return found


def test_a_call_plan_carries_its_data_value_and_decoded_grant(devnet: Devnet, chain: Chain) -> None:
    network = Network("devnet", "evm", devnet.url, 31337, is_devnet=True)
    session = connect(network, ANVIL_ADDRESS_0, 0, None)
    try:
        data = approve_call(SCAM, MAX_UINT256)
        native = network.native
        (plan,) = session.build([Output(devnet.token, native, 0, devnet.token, data)], FeeChoice())
    finally:
        session.close()
    tx: Any = plan.body
    assert tx.data == data
    assert tx.value == 0
    assert "0x" + tx.to.hex() == devnet.token.lower()
    assert tx.gas > 21_000  # estimated with the data: a storage write, not a plain transfer
    (grant,) = plan.preview.grants
    assert grant.spender.lower() == SCAM
    assert grant.token == devnet.token
    assert grant.unlimited
    assert grant.amount == MAX_UINT256
    assert plan.preview.call_target == devnet.token
    assert plan.preview.outputs[0].data == data


def test_an_unlimited_approval_to_a_listed_spender_is_refused(
    evm_home: Path, devnet: Devnet, chain: Chain
) -> None:
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    data = "0x" + approve_call(SCAM, MAX_UINT256).hex()
    result = wallet(evm_home, "send", "--to", devnet.token, "--data", data)
    assert result.returncode == 3, result.stdout + result.stderr
    error = result.json()["error"]
    assert error["code"] == "screening-blocked"
    blocked = [f for f in error["screening"]["findings"] if f["severity"] == "block"]
    assert [f["rule"] for f in blocked] == ["scam-listed"]
    assert "approve.spender" in blocked[0]["message"]  # the spender, not the token, is listed
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce  # nothing signed, nothing sent
    assert allowance(chain, devnet.token, ANVIL_ADDRESS_0, SCAM) == 0


def test_approvals_lists_what_send_data_granted_and_revoke_clears_it(
    evm_home: Path, devnet: Devnet, chain: Chain
) -> None:
    token, reverter = devnet.token, devnet.reverter
    sent = approve(evm_home, token, STRANGER, 5_000_000)
    assert sent["selector"] == "0x095ea7b3"
    history = (evm_home / "history" / "dev.jsonl").read_text().splitlines()
    signed = [json.loads(line) for line in history if '"signed"' in line]
    assert signed[-1]["selector"] == "0x095ea7b3"
    assert signed[-1]["to"] == token
    approve(evm_home, token, OTHER_STRANGER, MAX_UINT256)
    approve(evm_home, token, reverter, 1234)  # a contract spender, a bounded amount
    approve(evm_home, token, OWN, 10**6)  # one of this wallet's own addresses
    approve(evm_home, token, OTHER_STRANGER, MAX_UINT256 - 1)  # the latest log counts

    found = {a["spender"]: a for a in listed(evm_home)}
    assert set(found) == {STRANGER, OTHER_STRANGER, reverter, OWN}
    for spender, item in found.items():
        assert item["token"] == token
        assert item["owner"] == ANVIL_ADDRESS_0
        assert int(item["base_units"]) == allowance(chain, token, ANVIL_ADDRESS_0, spender)
    assert found[OTHER_STRANGER]["base_units"] == str(MAX_UINT256 - 1)
    assert found[STRANGER]["amount"] == "5"
    assert found[STRANGER]["symbol"] == "TUSD"
    assert found[STRANGER]["flags"] == ["spender-not-contract"]
    assert found[STRANGER]["contract"] is False
    assert found[OTHER_STRANGER]["unlimited"]
    assert set(found[OTHER_STRANGER]["flags"]) == {"unlimited-grant", "spender-not-contract"}
    assert found[reverter]["flags"] == []
    assert found[reverter]["contract"] is True
    assert found[OWN]["flags"] == []
    assert found[OWN]["label"] == "one of yours"
    assert {a["spender"] for a in listed(evm_home, "--risky")} == {STRANGER, OTHER_STRANGER}
    assert len(listed(evm_home, "--token", "TUSD", "--from-block", "0")) == 4
    not_a_token = wallet(evm_home, "approvals", "--token", reverter)
    assert not_a_token.returncode == 2
    assert not_a_token.json()["error"]["code"] == "unknown-token"

    revoked = wallet(evm_home, "revoke", token, STRANGER)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    assert revoked.json()["status"] == "success"
    assert revoked.json()["selector"] == "0x095ea7b3"
    assert allowance(chain, token, ANVIL_ADDRESS_0, STRANGER) == 0
    assert {a["spender"] for a in listed(evm_home)} == {OTHER_STRANGER, reverter, OWN}


def test_revoking_a_listed_spenders_allowance_is_not_stopped(
    evm_home: Path, devnet: Devnet, chain: Chain
) -> None:
    """A drainer's allowance granted before its address was listed must be revocable."""
    client = chain.client
    client.call("anvil_impersonateAccount", [ANVIL_ADDRESS_0])
    data = "0x" + approve_call(SCAM, 99).hex()
    tx_hash = client.call(
        "eth_sendTransaction", [{"from": ANVIL_ADDRESS_0, "to": devnet.token, "data": data}]
    )
    assert int(client.wait_for_receipts([tx_hash], 10)[tx_hash]["status"], 16) == 1
    client.call("anvil_stopImpersonatingAccount", [ANVIL_ADDRESS_0])
    (item,) = listed(evm_home, "--risky")
    assert item["spender"].lower() == SCAM
    assert "scam-listed" in item["flags"]
    assert item["screening"]["verdict"] == "block"
    revoked = wallet(evm_home, "revoke", "TUSD", SCAM)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    assert allowance(chain, devnet.token, ANVIL_ADDRESS_0, SCAM) == 0
    assert listed(evm_home) == []


def test_an_allowance_spent_to_zero_is_not_listed(
    evm_home: Path, devnet: Devnet, chain: Chain
) -> None:
    approve(evm_home, devnet.token, BOB, 7)
    client = chain.client
    client.call("anvil_impersonateAccount", [BOB])
    spend = function_signature_to_4byte_selector("transferFrom(address,address,uint256)")
    spend += encode(["address", "address", "uint256"], [ANVIL_ADDRESS_0, BOB, 7])
    tx_hash = client.call(
        "eth_sendTransaction", [{"from": BOB, "to": devnet.token, "data": "0x" + spend.hex()}]
    )
    assert int(client.wait_for_receipts([tx_hash], 10)[tx_hash]["status"], 16) == 1
    client.call("anvil_stopImpersonatingAccount", [BOB])
    assert allowance(chain, devnet.token, ANVIL_ADDRESS_0, BOB) == 0
    assert listed(evm_home) == []  # the log is still there; the allowance is not


@pytest.mark.parametrize(
    ("data", "needle"),
    [("0x095ea7b", "even"), ("095ea7b3", "0x"), ("0xzz5ea7b3", "even"), ("0x0102", "selector")],
)
def test_bad_call_data_is_refused_before_anything_is_signed(
    evm_home: Path, devnet: Devnet, chain: Chain, data: str, needle: str
) -> None:
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = wallet(evm_home, "send", "--to", devnet.token, "--data", data)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.json()["error"]["code"] == "bad-input"
    assert needle in result.json()["error"]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_call_data_past_128_kib_is_refused(devnet: Devnet) -> None:
    from wallet_cli.approvals import MAX_CALL_DATA, parse_call_data
    from wallet_cli.errors import BadInput

    network = Network("devnet", "evm", devnet.url, 31337, is_devnet=True)
    longest = "0x" + "ab" * MAX_CALL_DATA
    assert len(parse_call_data(longest, network, None)) == MAX_CALL_DATA
    with pytest.raises(BadInput, match="at most"):
        parse_call_data(longest + "ab", network, None)


def test_data_with_a_token_is_refused(evm_home: Path, devnet: Devnet, chain: Chain) -> None:
    data = "0x" + approve_call(BOB, 1).hex()
    result = wallet(evm_home, "send", "--to", devnet.token, "--data", data, "--token", "TUSD")
    assert result.returncode == 2
    assert result.json()["error"]["code"] == "bad-input"


@pytest.mark.parametrize(
    ("network", "to"),
    [
        ("bitcoin-regtest", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"),
        ("solana-localnet", "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"),
    ],
)
def test_data_on_bitcoin_or_solana_is_an_unsupported_chain(
    anvil_home: Path, network: str, to: str
) -> None:
    data = "0x" + approve_call(BOB, 1).hex()
    result = wallet(anvil_home, "--network", network, "send", "--to", to, "--data", data)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.json()["error"]["code"] == "unsupported-chain"
    for args in (["approvals"], ["revoke", to, to]):
        refused = wallet(anvil_home, "--network", network, *args)
        assert refused.returncode == 2, refused.stdout  # no node needed to say so
        assert refused.json()["error"]["code"] == "unsupported-chain"
        assert "EVM networks only" in refused.json()["error"]["message"]


def test_a_permit2_approve_is_decoded_screened_and_lands_as_shown(
    evm_home: Path, chain: Chain, permit2: str, permit_token: str
) -> None:
    selector = function_signature_to_4byte_selector("approve(address,address,uint160,uint48)")
    types = ["address", "address", "uint160", "uint48"]
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    drainer = "0x" + (selector + encode(types, [permit_token, SCAM, 2**160 - 1, 0])).hex()
    refused = wallet(evm_home, "send", "--to", permit2, "--data", drainer)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "scam-listed" in {f["rule"] for f in refused.json()["error"]["screening"]["findings"]}
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce  # nothing signed

    expiry = 2_000_000_000
    data = selector + encode(types, [permit_token, STRANGER, 25 * 10**18, expiry])
    sent = wallet(evm_home, "send", "--to", permit2, "--data", "0x" + data.hex())
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.json()["selector"] == "0x" + selector.hex()
    rules = {f["rule"] for f in sent.json()["screening"]["findings"]}
    assert "spender-not-contract" in rules  # the grant was screened, not only the contract
    assert "unlimited-grant" not in rules
    getter = function_signature_to_4byte_selector("allowance(address,address,address)")
    query = getter + encode(
        ["address", "address", "address"], [ANVIL_ADDRESS_0, permit_token, STRANGER]
    )
    answer = chain.client.call("eth_call", [{"to": permit2, "data": "0x" + query.hex()}, "latest"])
    amount, expiration, _ = decode(["uint160", "uint48", "uint48"], bytes.fromhex(answer[2:]))
    assert (amount, expiration) == (25 * 10**18, expiry)  # exactly what was decoded and shown


def test_approvals_of_an_openzeppelin_token_in_its_units(
    evm_home: Path, chain: Chain, permit_token: str
) -> None:
    approve(evm_home, permit_token, STRANGER, 3 * 10**18 // 2)
    (item,) = listed(evm_home, "--token", permit_token)
    assert item["symbol"] == "PTK"
    assert item["amount"] == "1.5"
    assert item["base_units"] == str(3 * 10**18 // 2)
    assert allowance(chain, permit_token, ANVIL_ADDRESS_0, STRANGER) == 3 * 10**18 // 2


def test_a_run_carries_on_where_the_last_stopped(
    evm_home: Path, devnet: Devnet, chain: Chain
) -> None:
    """The second run reads only the new blocks, yet still lists (and confirms on the node)
    what the first found; a run from an explicit block that misses the approval's block keeps
    it too, and one revoked meanwhile is gone."""
    token = devnet.token
    approve(evm_home, token, STRANGER, 7_000_000)
    first = wallet(evm_home, "approvals")
    assert first.returncode == 0, first.stdout + first.stderr
    assert [a["spender"] for a in first.json()["approvals"]] == [STRANGER]
    approve(evm_home, token, OTHER_STRANGER, 1_000_000)
    second = wallet(evm_home, "approvals")
    assert second.json()["from_block"] == first.json()["to_block"] + 1
    assert second.json()["to_block"] == second.json()["head"]
    assert {a["spender"] for a in second.json()["approvals"]} == {STRANGER, OTHER_STRANGER}
    head = second.json()["head"]
    late = wallet(evm_home, "approvals", "--from-block", str(head))
    assert {a["spender"] for a in late.json()["approvals"]} == {STRANGER, OTHER_STRANGER}
    assert wallet(evm_home, "revoke", token, STRANGER).returncode == 0
    third = wallet(evm_home, "approvals")
    assert [a["spender"] for a in third.json()["approvals"]] == [OTHER_STRANGER]
    state = evm_home / "wallets" / "dev" / "chains" / "approvals-devnet.json"
    assert oct(state.stat().st_mode & 0o777) == "0o600"
