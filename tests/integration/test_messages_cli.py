"""Message signing through the CLI, checked against eth-account (an independent
implementation): EIP-191 personal messages and EIP-712 typed data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, clean_env, load_vectors, run_wallet

MAIL = load_vectors("eip712.json")["vectors"][0]["typed_data"]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}


def typed_file(tmp_path: Path, chain_id: int, contract: str | None = None) -> Path:
    document: dict[str, Any] = json.loads(json.dumps(MAIL))
    document["domain"]["chainId"] = chain_id
    if contract is not None:
        document["domain"]["verifyingContract"] = contract
    path = tmp_path / f"typed-{chain_id}.json"
    path.write_text(json.dumps(document))
    return path


def test_sign_and_verify_message(anvil_home: Path) -> None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    signed = run_wallet(
        ["--json", "sign-message", "hello wallet"], home=anvil_home, env=clean_env(**ENV)
    )
    assert signed.returncode == 0, signed.stderr
    signature = signed.json()["signature"]
    recovered = Account.recover_message(encode_defunct(text="hello wallet"), signature=signature)
    assert recovered == ANVIL_ADDRESS_0
    ok = run_wallet(
        [
            "--json",
            "verify-message",
            "--address",
            ANVIL_ADDRESS_0,
            "--signature",
            signature,
            "hello wallet",
        ],
        home=anvil_home,
    )
    assert ok.returncode == 0
    assert ok.json()["valid"] is True
    wrong = run_wallet(
        [
            "--json",
            "verify-message",
            "--address",
            ANVIL_ADDRESS_0,
            "--signature",
            signature,
            "hello wallet!",
        ],
        home=anvil_home,
    )
    assert wrong.returncode == 1
    assert wrong.json()["valid"] is False
    bad = run_wallet(
        ["--json", "verify-message", "--address", ANVIL_ADDRESS_0, "--signature", "0x1234", "x"],
        home=anvil_home,
    )
    assert bad.returncode == 1
    assert bad.json()["error"]["code"] == "invalid-signature"


def test_sign_message_from_stdin_as_hex(anvil_home: Path) -> None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    signed = run_wallet(
        ["--json", "sign-message", "--hex", "--index", "2"],
        home=anvil_home,
        stdin="0xdeadbeef",
        env=clean_env(**ENV),
    )
    assert signed.returncode == 0, signed.stderr
    recovered = Account.recover_message(
        encode_defunct(primitive=bytes.fromhex("deadbeef")), signature=signed.json()["signature"]
    )
    assert recovered == load_vectors("anvil_accounts.json")["vectors"][2]["address"]


def test_typed_data_shows_the_domain_and_signs(anvil_home: Path, tmp_path: Path) -> None:
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    path = typed_file(tmp_path, 31337)
    result = run_wallet(
        ["--json", "--yes", "sign-typed-data", str(path)], home=anvil_home, env=clean_env(**ENV)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for shown in ("Mail", "Ether Mail", "31337", MAIL["domain"]["verifyingContract"]):
        assert shown in result.stderr
    document = json.loads(path.read_text())
    recovered = Account.recover_message(
        encode_typed_data(full_message=document), signature=result.json()["signature"]
    )
    assert recovered == ANVIL_ADDRESS_0


def test_typed_data_needs_confirmation_without_a_terminal(anvil_home: Path, tmp_path: Path) -> None:
    result = run_wallet(
        ["--json", "sign-typed-data", str(typed_file(tmp_path, 31337))],
        home=anvil_home,
        env=clean_env(**ENV),
    )
    assert result.returncode == 5


def test_typed_data_for_another_chain_warns(anvil_home: Path, tmp_path: Path) -> None:
    path = typed_file(tmp_path, 1)
    refused = run_wallet(
        ["--json", "sign-typed-data", str(path)], home=anvil_home, env=clean_env(**ENV)
    )
    assert refused.returncode == 5
    assert refused.json()["error"]["screening"]["findings"][-1]["rule"] == "typed-data-chain"
    accepted = run_wallet(
        ["--json", "--yes", "sign-typed-data", str(path)], home=anvil_home, env=clean_env(**ENV)
    )
    assert accepted.returncode == 0
    assert accepted.json()["screening"]["verdict"] == "warn"


def test_typed_data_to_a_blocked_contract_gets_no_signature(
    anvil_home: Path, tmp_path: Path
) -> None:
    path = typed_file(tmp_path, 31337, "0x" + "0" * 40)
    result = run_wallet(
        ["--json", "--yes", "sign-typed-data", str(path)], home=anvil_home, env=clean_env(**ENV)
    )
    assert result.returncode == 3
    assert "signature" not in result.stdout


def test_malformed_typed_data(anvil_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"types": {}}')
    result = run_wallet(
        ["--json", "--yes", "sign-typed-data", str(path)], home=anvil_home, env=clean_env(**ENV)
    )
    assert result.returncode == 2
    assert result.json()["error"]["code"] == "invalid-typed-data"


# --- EIP-712 as eth-sig-util V4 signs it, on a user's install ------------------------------

ESU = load_vectors("eth_sig_util_v4.json")


def esu_home(home: Path) -> Path:
    """A wallet holding eth-sig-util's test key, so its published signatures can be compared."""
    imported = run_wallet(
        ["import-key", "--name", "esu"], home=home, stdin=ESU["private_key"], env=clean_env(**ENV)
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    return home


def without_eth_account(tmp_path: Path) -> dict[str, str]:
    """An environment where importing eth_account fails, as on an install without test extras."""
    blocker = tmp_path / "blocker" / "eth_account"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text('raise ImportError("eth_account is test-only")\n')
    return clean_env(**ENV, PYTHONPATH=str(blocker.parent))


def test_typed_data_signs_without_eth_account(anvil_home: Path, tmp_path: Path) -> None:
    from chains.evm.messages import recover

    path = typed_file(tmp_path, 31337)
    env = without_eth_account(tmp_path)
    result = run_wallet(["--json", "--yes", "sign-typed-data", str(path)], home=anvil_home, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    digest = bytes.fromhex(result.json()["digest"][2:])
    signature = bytes.fromhex(result.json()["signature"][2:])
    assert recover(digest, signature) == ANVIL_ADDRESS_0


@pytest.mark.parametrize(
    "name",
    [
        "should sign a minimal valid typed message",
        "should sign a typed message with only custom domain seperator fields",
        "should sign data with custom type",
        "should sign data with a recursive data type",
        "should sign data when given extraneous types",
    ],
)
def test_typed_data_signs_as_eth_sig_util_v4(home: Path, tmp_path: Path, name: str) -> None:
    case = next(v for v in ESU["vectors"] if v["name"] == name)
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(case["typed_data"]))
    result = run_wallet(
        ["--json", "--yes", "sign-typed-data", str(path)],
        home=esu_home(home),
        env=without_eth_account(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.json()["signature"] == case["signature"]
    assert "None" not in result.stderr
    if case["typed_data"]["primaryType"] == "EIP712Domain":
        assert "only the domain is signed" in result.stderr


def test_typed_data_with_an_undeclared_domain_field_is_refused(
    anvil_home: Path, tmp_path: Path
) -> None:
    document: dict[str, Any] = json.loads(json.dumps(MAIL))
    document["domain"]["chainId"] = 31337
    document["types"]["EIP712Domain"] = [
        f for f in document["types"]["EIP712Domain"] if f["name"] != "chainId"
    ]
    path = tmp_path / "unbound.json"
    path.write_text(json.dumps(document))
    result = run_wallet(
        ["--json", "--yes", "sign-typed-data", str(path)], home=anvil_home, env=clean_env(**ENV)
    )
    assert result.returncode == 2
    error = result.json()["error"]
    assert error["code"] == "invalid-typed-data"
    assert "'chainId' is not declared" in error["message"]
    assert "signature" not in result.stdout
