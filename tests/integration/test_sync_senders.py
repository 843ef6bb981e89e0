"""`wallet sync` lists as suspicious senders only real bait: never this wallet's own
addresses, never the zero address (mints), and the count it prints is the list's length."""

from __future__ import annotations

import secrets
from pathlib import Path

from chains.evm import abi
from chains.evm.address import to_checksum
from tests.conftest import ANVIL_ADDRESS_0, Devnet, load_vectors, run_wallet
from tests.evm_helpers import Chain
from tests.integration.test_screening_cli import impersonate_send

OWN_INDEX_1 = load_vectors("anvil_accounts.json")["vectors"][1]["address"]
ZERO = "0x" + "00" * 20


def test_own_addresses_and_mints_are_not_suspicious_senders(
    evm_home: Path, chain: Chain, devnet: Devnet
) -> None:
    zero_value = abi.transfer_call(ANVIL_ADDRESS_0, 0)
    impersonate_send(chain, OWN_INDEX_1, ANVIL_ADDRESS_0, value=1)  # dust between own addresses
    impersonate_send(chain, OWN_INDEX_1, devnet.token, zero_value)  # zero-value, own address
    impersonate_send(chain, ZERO, devnet.token, zero_value)  # a Transfer from 0x0: a mint's log
    bait = to_checksum(secrets.token_hex(20))
    impersonate_send(chain, bait, devnet.token, zero_value)
    impersonate_send(chain, bait, devnet.token, zero_value)  # twice: one sender, two transfers

    synced = run_wallet(["--json", "sync"], home=evm_home)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    result = synced.json()
    assert result["suspicious_senders"] == [bait]
    assert result["suspicious"] == len(result["suspicious_senders"]) == 1
    assert result["suspicious_transfers"] == 2
    assert result["recorded"] >= 5  # all are recorded (and the token's own mint); only bait flagged

    # The same transfers again, read as text: the count is the list's length.
    text = run_wallet(["sync", "--from-block", "0"], home=evm_home)
    assert text.returncode == 0
    assert text.stdout.splitlines()[0].endswith("0 transfers recorded; no suspicious senders")
    impersonate_send(chain, to_checksum(secrets.token_hex(20)), ANVIL_ADDRESS_0, value=1)
    impersonate_send(chain, OWN_INDEX_1, ANVIL_ADDRESS_0, value=1)
    lines = run_wallet(["sync"], home=evm_home).stdout.splitlines()
    assert lines[0].endswith("2 transfers recorded; 1 suspicious sender:"), lines
    assert len(lines) == 2
    assert OWN_INDEX_1 not in lines[1]

    # Screening does not learn the zero address or an own address as a poisoner.
    checked = run_wallet(["--json", "check", OWN_INDEX_1], home=evm_home).json()
    assert "seen-as-poisoner" not in [f["rule"] for f in checked["screening"]["findings"]]
