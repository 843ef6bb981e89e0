"""`wallet sign-typed-data` on the shared anvil, against real contracts (tests/permit_fixtures.py):
the whole message is shown decoded before the verdict, a drainer-style signature is refused
with nothing signed, and a benign Permit the wallet signs sets on chain exactly the
allowance it showed (submitted to OpenZeppelin's ERC20Permit by another account)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import PASSPHRASE, clean_env, run_wallet
from tests.evm_helpers import Chain
from tests.permit_fixtures import (
    anvil_address,
    anvil_key,
    block_time,
    erc2612_permit,
    eth_call,
    permit2,
    permit_single,
    permit_token,
    seaport,
    seaport_order,
    transact,
)

__all__ = ["permit2", "permit_token", "seaport"]  # fixtures, imported for pytest

ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
MAX = 2**256 - 1
SANCTIONED = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"  # on the shipped OFAC list
NATIVE = "0x" + "0" * 40
OWNER, RELAYER = 0, 1
# Accounts that are none of the wallet's own (it caches its first addresses), with no code.
FRIEND = "0x1111111111111111111111111111111111111112"
STRANGER = "0x2222222222222222222222222222222222222223"


def sign(home: Path, tmp_path: Path, document: dict[str, Any], *flags: str) -> Any:
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(document))
    return run_wallet(
        ["--json", *flags, "sign-typed-data", str(path)], home=home, env=clean_env(**ENV)
    )


def test_drainer_permit_to_a_sanctioned_spender_is_refused_and_shown(
    evm_home: Path, tmp_path: Path, chain: Chain, permit_token: str
) -> None:
    owner = anvil_address(OWNER)
    document = erc2612_permit(permit_token, owner, SANCTIONED, MAX, 0, 2**255)
    result = sign(evm_home, tmp_path, document, "--yes")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "signature" not in result.json()
    error = result.json()["error"]
    assert error["code"] == "screening-blocked"
    findings = {f["rule"]: f for f in error["screening"]["findings"]}
    assert findings["sanctioned"]["message"].startswith("message.spender: ")
    assert findings["unlimited-grant"]["severity"] == "warn"
    shown = result.stderr
    assert "ERC-2612 Permit" in shown
    assert f"spender: {SANCTIONED} (LISTED ofac-sdn" in shown
    assert f"owner: {owner} (you" in shown
    assert f"value: {MAX} = UNLIMITED PTK" in shown  # PTK asked of the node
    assert f"lets {SANCTIONED}" in shown
    assert "Sign it?" not in shown


def test_benign_permit_signed_sets_exactly_the_allowance_shown(
    evm_home: Path, tmp_path: Path, chain: Chain, permit_token: str
) -> None:
    from eth_abi.abi import decode, encode
    from eth_utils.abi import function_signature_to_4byte_selector

    owner, relayer = anvil_address(OWNER), FRIEND
    added = run_wallet(["contacts", "add", "relayer", relayer], home=evm_home)
    assert added.returncode == 0, added.stderr
    value, deadline = 1234 * 10**18 + 5 * 10**17, block_time(chain) + 3600
    document = erc2612_permit(permit_token, owner, relayer, value, 0, deadline)
    result = sign(evm_home, tmp_path, document, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"value: {value} = 1234.5 PTK" in result.stderr
    assert f"spender: {relayer} (contact 'relayer')" in result.stderr
    out = result.json()
    assert out["decoded"] == "ERC-2612 Permit"
    assert out["message"] == document["message"]
    (grant,) = out["grants"]
    assert grant["spender"] == relayer
    assert grant["token"] == permit_token
    assert (grant["amount"], grant["unlimited"]) == (str(value), False)
    rules = {f["rule"] for f in out["screening"]["findings"]}
    assert "spender-not-contract" not in rules  # a contact is not asked about
    assert "unlimited-grant" not in rules
    signature = bytes.fromhex(out["signature"][2:])
    r, s, v = signature[:32], signature[32:64], signature[64]
    selector = function_signature_to_4byte_selector(
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"
    )
    args = encode(
        ["address", "address", "uint256", "uint256", "uint8", "bytes32", "bytes32"],
        [owner, relayer, value, deadline, v, r, s],
    )
    assert transact(chain, anvil_key(RELAYER), permit_token, selector + args)
    query = function_signature_to_4byte_selector("allowance(address,address)") + encode(
        ["address", "address"], [owner, relayer]
    )
    (allowance,) = decode(["uint256"], eth_call(chain, permit_token, query))
    assert allowance == int(grant["amount"]) == value


def test_permit_to_an_account_without_code_warns(
    evm_home: Path, tmp_path: Path, chain: Chain, permit_token: str
) -> None:
    stranger = STRANGER  # an ordinary account on the node, in no contact or list
    document = erc2612_permit(permit_token, anvil_address(OWNER), stranger, 10**18, 0, 2**40)
    result = sign(evm_home, tmp_path, document)  # no terminal, no --yes: the warning stops it
    assert result.returncode == 5, result.stdout + result.stderr
    findings = {f["rule"]: f for f in result.json()["error"]["screening"]["findings"]}
    assert findings["spender-not-contract"]["severity"] == "warn"
    assert stranger in findings["spender-not-contract"]["message"]
    assert "signature" not in result.json()


def test_permit2_single_to_a_listed_spender_is_refused(
    evm_home: Path, tmp_path: Path, chain: Chain, permit2: str, permit_token: str
) -> None:
    details = {"token": permit_token, "amount": 2**160 - 1, "expiration": 0, "nonce": 0}
    document = permit_single(permit2, details, SANCTIONED, block_time(chain) + 600)
    result = sign(evm_home, tmp_path, document, "--yes")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "signature" not in result.json()
    findings = {f["rule"] for f in result.json()["error"]["screening"]["findings"]}
    assert {"sanctioned", "unlimited-grant"} <= findings
    assert "Permit2 PermitSingle" in result.stderr
    assert "amount: 1461501637330902918203684832716283019655932542975 = UNLIMITED" in (
        result.stderr
    )


def test_seaport_order_paying_a_stranger_is_refused(
    evm_home: Path, tmp_path: Path, chain: Chain, seaport: str, permit_token: str
) -> None:
    owner, stranger = anvil_address(OWNER), STRANGER
    now = block_time(chain)
    item = {"token": permit_token, "identifierOrCriteria": 0}
    components = {
        "offerer": owner,
        "zone": NATIVE,
        "offer": [{"itemType": 1, **item, "startAmount": 10**21, "endAmount": 10**21}],
        "consideration": [
            {
                "itemType": 0,
                "token": NATIVE,
                "identifierOrCriteria": 0,
                "startAmount": 1,
                "endAmount": 1,
                "recipient": stranger,
            }
        ],
        "orderType": 0,
        "startTime": now,
        "endTime": now + 10 * 365 * 86400,
        "zoneHash": "0x" + "00" * 32,
        "salt": 1,
        "conduitKey": "0x" + "00" * 32,
        "counter": 0,
    }
    result = sign(evm_home, tmp_path, seaport_order(seaport, components), "--yes")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "signature" not in result.json()
    findings = {f["rule"]: f for f in result.json()["error"]["screening"]["findings"]}
    assert findings["order-pays-stranger"]["message"].startswith(
        f"message.consideration[0] pays {stranger}"
    )
    assert findings["order-for-nothing"]["severity"] == "warn"
    assert "startAmount: 1000000000000000000000 = 1000 PTK" in result.stderr
    assert f"pays 0.000000000000000001 ETH to {stranger}" in result.stderr


def test_sign_message_of_a_hash_warns_and_is_signed_with_yes(evm_home: Path) -> None:
    digest = "0x" + "ab" * 32
    refused = run_wallet(["--json", "sign-message", digest], home=evm_home, env=clean_env(**ENV))
    assert refused.returncode == 5, refused.stdout + refused.stderr
    findings = refused.json()["error"]["screening"]["findings"]
    assert [f["rule"] for f in findings] == ["blind-signing"]
    signed = run_wallet(
        ["--json", "--yes", "sign-message", digest], home=evm_home, env=clean_env(**ENV)
    )
    assert signed.returncode == 0, signed.stderr
    assert signed.json()["screening"]["verdict"] == "warn"


def test_sign_message_of_a_transaction_to_a_listed_address_is_refused(
    evm_home: Path,
) -> None:
    from chains.evm.tx import Eip1559Tx, Signer
    from keystore.secret import PrivateKey

    tx = Eip1559Tx(31337, 0, 10**9, 10**10, 21000, bytes.fromhex(SANCTIONED[2:]), 1, b"")
    raw = Signer(PrivateKey(bytes.fromhex(anvil_key(3)[2:]))).sign(tx).raw_hex
    result = run_wallet(
        ["--json", "--yes", "sign-message", "--hex", raw], home=evm_home, env=clean_env(**ENV)
    )
    assert result.returncode == 3, result.stdout + result.stderr
    rules = {f["rule"] for f in result.json()["error"]["screening"]["findings"]}
    assert {"disguised-message", "sanctioned"} <= rules
    assert "signature" not in result.json()


def _spawn(home: Path, *args: str) -> Any:
    import pexpect

    from tests.conftest import WALLET_BIN

    env = clean_env(WALLET_HOME=str(home))
    return pexpect.spawn(WALLET_BIN, list(args), env=env, encoding="utf-8", timeout=30)


def test_on_a_terminal_the_decoded_permit_comes_before_the_question(
    evm_home: Path, tmp_path: Path, chain: Chain, permit_token: str
) -> None:
    import pexpect

    added = run_wallet(["contacts", "add", "friend", FRIEND], home=evm_home)
    assert added.returncode == 0, added.stderr
    document = erc2612_permit(permit_token, anvil_address(OWNER), FRIEND, 5 * 10**18, 0, 2**40)
    path = tmp_path / "permit.json"
    path.write_text(json.dumps(document))
    child = _spawn(evm_home, "sign-typed-data", str(path))
    child.expect("Message:")
    child.expect(f"spender: {FRIEND} \\(contact 'friend'\\)")
    child.expect("value: 5000000000000000000 = 5 PTK")
    child.expect(f"lets {FRIEND} \\(contact 'friend'\\) take 5 PTK")
    child.expect("Sign it\\? \\[y/N\\] ")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5


def test_on_a_terminal_a_hash_is_signed_only_once_sign_is_typed(evm_home: Path) -> None:
    import pexpect

    digest = "0x" + "cd" * 32
    child = _spawn(evm_home, "sign-message", digest)
    child.expect("blind-signing")
    child.expect("type 'sign': ")
    child.sendline("yes")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5
    child = _spawn(evm_home, "sign-message", digest)
    child.expect("type 'sign': ")
    child.sendline("sign")
    child.expect("Passphrase for wallet 'dev': ")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "0x" in child.before
