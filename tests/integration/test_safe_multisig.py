"""A Safe v1.4.1 on a real anvil, cosigned by three homes passing one SafeTx file: each step
a separate `wallet` process. Owners are anvil's first three accounts (the test mnemonic at
--index 0, 1 and 2, one per home); A proposes and executes, B and C sign."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, Result, clean_env, load_vectors, run_wallet
from tests.evm_helpers import Chain

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
OWNERS = [v["address"] for v in ANVIL[:3]]
STRANGER = ANVIL[4]["address"]
DEST = ANVIL[5]["address"]
ETHER = 10**18


def wallet(home: Path, *args: str) -> Result:
    return run_wallet(
        ["--json", "--yes", *args],
        home=home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
        timeout=120,
    )


def ok(result: Result) -> dict[str, Any]:
    assert result.returncode == 0, result.stdout + result.stderr
    document: dict[str, Any] = result.json()
    return document


@dataclass
class Trio:
    homes: list[Path]  # A, B, C: owner i in home i, at --index i
    safe: str
    files: Path


@pytest.fixture
def trio(evm_home: Path, chain: Chain, tmp_path: Path) -> Trio:
    homes = [evm_home]
    for letter in "bc":
        copy = tmp_path / f"home-{letter}"
        shutil.copytree(evm_home, copy)
        homes.append(copy)
    created = ok(
        wallet(homes[0], "multisig", "create", "--name", "team", "--owners", ",".join(OWNERS),
               "--threshold", "2")
    )  # fmt: skip
    safe = created["safe"]
    for home in homes[1:]:
        ok(wallet(home, "multisig", "add", "team", safe))
    ok(wallet(homes[0], "send", "--to", safe, "--amount", "5"))
    files = tmp_path / "files"
    files.mkdir()
    return Trio(homes, safe, files)


def propose(trio: Trio, name: str, amount: str = "1.25", *extra: str) -> Path:
    out = trio.files / name
    ok(wallet(trio.homes[0], "multisig", "propose", "team", "--to", DEST, "--amount", amount,
              "--out", str(out), *extra))  # fmt: skip
    return out


def sign(trio: Trio, who: int, file: Path) -> Result:
    return wallet(trio.homes[who], "multisig", "sign", str(file), "--index", str(who))


def execute(trio: Trio, file: Path, who: int = 0) -> Result:
    return wallet(trio.homes[who], "multisig", "exec", str(file), "--index", str(who))


def safe_nonce(chain: Chain, safe: str) -> int:
    from chains.evm import safe as safe_chain

    return safe_chain.read_state(chain.client, safe).nonce


def test_two_of_three_executes_and_moves_exactly_the_amount(trio: Trio, chain: Chain) -> None:
    info = ok(wallet(trio.homes[1], "multisig", "info", "team"))
    assert sorted(info["owners"]) == sorted(OWNERS)
    assert info["threshold"] == 2
    assert info["nonce"] == 0
    assert info["balance"] == "5"
    file = propose(trio, "pay.json")
    assert (file.stat().st_mode & 0o777) == 0o600
    proposed = json.loads(file.read_text())
    assert proposed["signatures"] == []
    assert proposed["chain_id"] == 31337
    assert proposed["nonce"] == 0
    before_safe, before_dest = chain.balance(trio.safe), chain.balance(DEST)
    signed_b = ok(sign(trio, 1, file))
    assert signed_b["to"].lower() == DEST.lower()
    assert signed_b["amount"] == "1.25"
    assert signed_b["screening"]["verdict"] in ("pass", "info", "warn")
    text = run_wallet(
        ["--yes", "multisig", "sign", str(file), "--index", "2"],
        home=trio.homes[2],
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert text.returncode == 0, text.stdout + text.stderr
    shown = text.stderr.split("About to sign:", 1)[1]
    for detail in ("1.25 ETH", DEST.lower(), trio.safe.lower(), "chain id 31337", "nonce:    0"):
        assert detail in shown.lower() or detail in shown, detail
    assert len(json.loads(file.read_text())["signatures"]) == 2
    done = ok(execute(trio, file))
    assert done["status"] == "success"
    assert chain.balance(DEST) - before_dest == 1250 * 10**15
    assert before_safe - chain.balance(trio.safe) == 1250 * 10**15
    assert safe_nonce(chain, trio.safe) == 1
    events = [json.loads(line)["event"] for line in (trio.homes[1] / "history" / "dev.jsonl")
              .read_text().splitlines()]  # fmt: skip
    assert "multisig-sign" in events
    again = execute(trio, file)
    assert again.returncode == 2, again.stdout + again.stderr
    assert "used" in again.stdout + again.stderr
    assert chain.balance(DEST) - before_dest == 1250 * 10**15


def _refused_nothing_sent(trio: Trio, chain: Chain, result: Result) -> None:
    assert result.returncode != 0, result.stdout
    assert safe_nonce(chain, trio.safe) == 0


def test_one_signature_is_refused_before_anything_is_sent(trio: Trio, chain: Chain) -> None:
    file = propose(trio, "one.json")
    ok(sign(trio, 1, file))
    sender_nonce = chain.nonce(OWNERS[0])
    result = execute(trio, file)
    _refused_nothing_sent(trio, chain, result)
    assert "needs 2" in result.stdout + result.stderr
    assert chain.nonce(OWNERS[0]) == sender_nonce


def test_contract_itself_refuses_one_signature_with_gs020(trio: Trio, chain: Chain) -> None:
    from chains.errors import RpcError
    from chains.evm import safe_abi, safe_file

    file = propose(trio, "direct.json")
    ok(sign(trio, 1, file))
    proposal = safe_file.parse(json.loads(file.read_text()))
    data = safe_abi.exec_call(proposal.tx, safe_abi.ordered(proposal.signatures))
    call = {"from": OWNERS[0], "to": trio.safe, "data": "0x" + data.hex()}
    with pytest.raises(RpcError) as refused:
        chain.client.call("eth_call", [call, "latest"])
    assert "GS020" in str(refused.value.data) + refused.value.message


def test_our_hash_is_the_contracts(trio: Trio, chain: Chain) -> None:
    from chains.evm import safe, safe_abi, safe_file

    for token, value in ((None, 7), ("0x" + "ab" * 20, 10**30)):
        tx = safe_file.transfer_tx(DEST, value, token, 5)
        ours = safe_abi.tx_hash(31337, trio.safe, tx)
        assert safe.contract_hash(chain.client, trio.safe, tx) == ours


def test_non_owner_cannot_sign_and_its_signature_does_not_execute(
    trio: Trio, chain: Chain, tmp_path: Path
) -> None:
    file = propose(trio, "stranger.json")
    stranger_home = tmp_path / "home-d"
    shutil.copytree(trio.homes[1], stranger_home)
    before = file.read_bytes()
    refused = wallet(stranger_home, "multisig", "sign", str(file), "--index", "4")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "not an owner" in refused.stdout + refused.stderr
    assert file.read_bytes() == before
    # A stranger's signature pasted into the file by hand: exec refuses it.
    from chains.evm import safe_abi
    from chains.evm.tx import Signer
    from keystore.secret import PrivateKey

    ok(sign(trio, 1, file))
    document = json.loads(file.read_text())
    key = PrivateKey(bytes.fromhex(ANVIL[4]["private_key"].removeprefix("0x")))
    signature = safe_abi.sign(bytes.fromhex(document["hash"][2:]), Signer(key).sign_digest)
    document["signatures"].append({"owner": STRANGER.lower(), "signature": "0x" + signature.hex()})
    file.write_text(json.dumps(document))
    result = execute(trio, file)
    _refused_nothing_sent(trio, chain, result)
    assert "not an owner" in result.stdout + result.stderr


def test_amount_edited_after_signing_is_refused_and_left_as_is(trio: Trio, chain: Chain) -> None:
    file = propose(trio, "edited.json")
    ok(sign(trio, 1, file))
    ok(sign(trio, 2, file))
    document = json.loads(file.read_text())
    document["tx"]["value"] = str(4 * ETHER)
    file.write_text(json.dumps(document))
    edited = file.read_bytes()
    result = execute(trio, file)
    _refused_nothing_sent(trio, chain, result)
    assert "edited" in result.stdout + result.stderr
    assert file.read_bytes() == edited
    # ...and with the hash recomputed to match: the signatures are not over it.
    from chains.evm import safe_abi, safe_file

    tx = safe_file.transfer_tx(DEST, 4 * ETHER, None, 0)
    document["hash"] = "0x" + safe_abi.tx_hash(31337, trio.safe, tx).hex()
    file.write_text(json.dumps(document))
    result = execute(trio, file)
    _refused_nothing_sent(trio, chain, result)
    assert "is not theirs" in result.stdout + result.stderr


def test_amount_edited_before_cosigners_sign(trio: Trio, chain: Chain) -> None:
    """B and C sign what they are shown (the edited amount, hash refreshed by the editor);
    their signatures execute that amount, never the original."""
    from chains.evm import safe_abi, safe_file

    file = propose(trio, "before.json", "1")
    document = json.loads(file.read_text())
    original_hash = document["hash"]
    tx = safe_file.transfer_tx(DEST, 2 * ETHER, None, 0)
    document["tx"] = tx.to_json()
    document["hash"] = "0x" + safe_abi.tx_hash(31337, trio.safe, tx).hex()
    file.write_text(json.dumps(document))
    shown = ok(sign(trio, 1, file))
    assert shown["amount"] == "2"
    ok(sign(trio, 2, file))
    signed = json.loads(file.read_text())
    original = safe_file.parse({**signed, "tx": safe_file.transfer_tx(DEST, ETHER, None, 0)
                                .to_json(), "hash": original_hash, "signatures": []})  # fmt: skip
    for entry in signed["signatures"]:
        recovered = safe_abi.signer_of(original.hash, bytes.fromhex(entry["signature"][2:]))
        assert recovered != entry["owner"]
    # Put back the original amount and hash with their signatures: refused.
    signed["tx"] = original.tx.to_json()
    signed["hash"] = original_hash
    file.write_text(json.dumps(signed))
    result = execute(trio, file)
    _refused_nothing_sent(trio, chain, result)


def test_wrong_chain_id_other_safe_and_stale_nonce_are_refused(trio: Trio, chain: Chain) -> None:
    from chains.evm import safe_abi, safe_file

    file = propose(trio, "base.json")
    base = json.loads(file.read_text())

    def variant(name: str, chain_id: int, safe: str, nonce: int) -> Path:
        tx = safe_file.transfer_tx(DEST, 1250 * 10**15, None, nonce)
        digest = safe_abi.tx_hash(chain_id, safe, tx)
        document = {**base, "chain_id": chain_id, "safe": safe, "tx": tx.to_json(),
                    "nonce": nonce, "hash": "0x" + digest.hex()}  # fmt: skip
        path = trio.files / name
        path.write_text(json.dumps(document))
        return path

    cases = {
        "for chain id 1": variant("chain.json", 1, trio.safe, 0),
        "does not know": variant("safe.json", 31337, "0x" + "12" * 20, 0),
    }
    for reason, path in cases.items():
        before = path.read_bytes()
        result = sign(trio, 1, path)
        assert result.returncode == 2, result.stdout + result.stderr
        assert reason in result.stdout + result.stderr
        assert path.read_bytes() == before
    # Execute one proposal; a second one made at the same nonce is now stale.
    other = propose(trio, "other.json", "0.5")
    ok(sign(trio, 1, file))
    ok(sign(trio, 2, file))
    ok(execute(trio, file))
    before = other.read_bytes()
    stale = sign(trio, 1, other)
    assert stale.returncode == 2, stale.stdout + stale.stderr
    assert "used already" in stale.stdout + stale.stderr
    assert other.read_bytes() == before


def test_bad_create_input(evm_home: Path, chain: Chain) -> None:
    owners = ",".join(OWNERS)
    for threshold, members in (("0", owners), ("4", owners), ("2", f"{OWNERS[0]},{OWNERS[0]}")):
        result = wallet(evm_home, "multisig", "create", "--name", "x", "--owners", members,
                        "--threshold", threshold)  # fmt: skip
        assert result.returncode == 2, result.stdout + result.stderr


def test_token_proposal_pays_the_token(trio: Trio, chain: Chain, devnet: Any) -> None:
    ok(wallet(trio.homes[0], "send", "--to", trio.safe, "--amount", "10", "--token", "TUSD"))
    file = propose(trio, "token.json", "3.5", "--token", "TUSD")
    shown = ok(sign(trio, 1, file))
    assert shown["unit"] == "TUSD"
    ok(sign(trio, 2, file))
    before = chain.token_balance(devnet.token, DEST)
    ok(execute(trio, file))
    assert chain.token_balance(devnet.token, DEST) - before == 3_500_000


def test_screening_runs_on_propose_sign_and_exec(trio: Trio, chain: Chain) -> None:
    """A blocked destination: no proposal file; no cosignature (file left as it is); no exec."""
    out = trio.files / "zero.json"
    refused = wallet(trio.homes[0], "multisig", "propose", "team", "--to", "0x" + "0" * 40,
                     "--amount", "1", "--out", str(out))  # fmt: skip
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert refused.json()["error"]["screening"]["findings"][0]["rule"] == "zero-address"
    assert not out.exists()
    file = propose(trio, "listed.json")
    ok(sign(trio, 2, file))
    listed = trio.files / "mine.txt"
    listed.write_text(f"{DEST}\n")
    for home in (trio.homes[0], trio.homes[1]):
        ok(wallet(home, "lists", "add", str(listed), "--name", "mine"))
    before = file.read_bytes()
    blocked = sign(trio, 1, file)
    assert blocked.returncode == 3, blocked.stdout + blocked.stderr
    assert "user-listed" in [f["rule"] for f in blocked.json()["error"]["screening"]["findings"]]
    assert file.read_bytes() == before
    ok(wallet(trio.homes[1], "multisig", "sign", str(file), "--index", "1",
              "--allow", "user-listed"))  # fmt: skip
    sender_nonce = chain.nonce(OWNERS[0])
    stopped = execute(trio, file)
    assert stopped.returncode == 3, stopped.stdout + stopped.stderr
    assert chain.nonce(OWNERS[0]) == sender_nonce
    assert safe_nonce(chain, trio.safe) == 0


def test_funding_ones_own_safe_is_a_self_transfer_not_a_strange_contract(
    trio: Trio, chain: Chain, tmp_path: Path
) -> None:
    """The home's own Safe is among its own addresses for screening: no contract-recipient
    warning when it is funded. A home that does not know the Safe still gets one."""

    def rules(home: Path) -> list[str]:
        checked = wallet(home, "check", trio.safe)
        return [f["rule"] for f in checked.json()["screening"]["findings"]]

    ours = rules(trio.homes[0])
    assert "contract-recipient" not in ours, ours
    assert "self-transfer" in ours
    stranger = tmp_path / "stranger"
    shutil.copytree(trio.homes[0], stranger)
    (stranger / "multisigs.json").unlink()
    assert "contract-recipient" in rules(stranger)
