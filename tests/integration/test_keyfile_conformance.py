"""Key files and passphrase files as other tools write them: geth's short-key and
empty-password v3 vectors import to the addresses geth and cast give, and a UTF-8
byte-order mark at the start of any of the four passphrase-file options is removed and said,
never taken as part of the passphrase."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, Result, clean_env, load_vectors, run_wallet

GETH = {v["name"]: v for v in load_vectors("geth_keystore.json")["vectors"]}
BIP39 = load_vectors("bip39_trezor_english.json")["vectors"][0]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
BOM = "\ufeff"


def private(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def keyfile(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(GETH[name]["json"]))
    return path


def padded_address(priv_hex: str) -> str:
    from eth_account import Account

    return str(Account.from_key(bytes.fromhex(priv_hex.rjust(64, "0"))).address)


def import_keystore(home: Path, path: Path, password_file: Path, *extra: str) -> Result:
    return run_wallet(
        [
            "--json",
            *extra,
            "import-keystore",
            str(path),
            "--keystore-passphrase-file",
            str(password_file),
        ],
        home=home,
        env=clean_env(**ENV),
    )


@pytest.mark.parametrize("name", ["31_byte_key", "30_byte_key"])
def test_geth_short_key_vectors_import(home: Path, tmp_path: Path, name: str) -> None:
    kpw = private(tmp_path / "kpw", GETH[name]["password"] + "\n")
    result = import_keystore(home, keyfile(tmp_path, name), kpw)
    assert result.returncode == 0, result.stdout + result.stderr
    address = result.json()["addresses"][0]["address"]
    assert address == padded_address(GETH[name]["priv"])


@pytest.mark.parametrize("content", ["\n", "", "\nnot the password\n", BOM + "\n"])
def test_empty_first_line_is_geths_empty_password(home: Path, tmp_path: Path, content: str) -> None:
    kpw = private(tmp_path / "kpw", content)
    result = run_wallet(
        [
            "--json",
            "import-keystore",
            str(keyfile(tmp_path, "very_light_scrypt")),
            "--keystore-passphrase-file",
            str(kpw),
        ],
        home=home,
        env=clean_env(**ENV),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    address = result.json()["addresses"][0]["address"]
    assert address.lower() == GETH["very_light_scrypt"]["address"]


def test_the_vault_passphrase_still_refuses_empty(home: Path, tmp_path: Path) -> None:
    kpw = private(tmp_path / "kpw", "\n")
    empty = private(tmp_path / "vault-pw", "\n")
    result = run_wallet(
        [
            "--json",
            "--passphrase-file",
            str(empty),
            "import-keystore",
            str(keyfile(tmp_path, "very_light_scrypt")),
            "--keystore-passphrase-file",
            str(kpw),
        ],
        home=home,
        env=clean_env(),
    )
    assert result.returncode == 2
    assert "is empty" in result.json()["error"]["message"]
    assert not (home / "wallets").exists() or not any((home / "wallets").iterdir())


def test_export_refuses_an_empty_keystore_passphrase(home: Path, tmp_path: Path) -> None:
    kpw = private(tmp_path / "kpw", "foo\n")
    assert import_keystore(home, keyfile(tmp_path, "31_byte_key"), kpw).returncode == 0
    out = tmp_path / "out.json"
    empty = private(tmp_path / "empty", "\n")
    result = run_wallet(
        ["--json", "export-keystore", "--out", str(out), "--keystore-passphrase-file", str(empty)],
        home=home,
        env=clean_env(**ENV),
    )
    assert result.returncode == 2
    assert "needs a passphrase" in result.json()["error"]["message"]
    assert not out.exists()


# --- a byte-order mark on each of the four options ---------------------------------------


def said_bom(stderr: str) -> bool:
    return "byte-order mark" in stderr and PASSPHRASE not in stderr


def test_bom_in_keystore_passphrase_file(home: Path, tmp_path: Path) -> None:
    kpw = private(tmp_path / "kpw", BOM + "foo\r\n")
    result = import_keystore(home, keyfile(tmp_path, "31_byte_key"), kpw)
    assert result.returncode == 0, result.stdout + result.stderr
    assert said_bom(result.stderr)


def test_bom_in_passphrase_file_and_new_passphrase_file(home: Path, tmp_path: Path) -> None:
    kpw = private(tmp_path / "kpw", "foo\n")
    vault_pw = private(tmp_path / "vault-pw", BOM + PASSPHRASE + "\n")
    created = run_wallet(
        [
            "--json",
            "--passphrase-file",
            str(vault_pw),
            "import-keystore",
            str(keyfile(tmp_path, "31_byte_key")),
            "--keystore-passphrase-file",
            str(kpw),
        ],
        home=home,
        env=clean_env(),
    )
    assert created.returncode == 0, created.stdout + created.stderr
    assert said_bom(created.stderr)
    # The vault was sealed with the passphrase alone: the environment's copy opens it.
    signed = run_wallet(["--json", "sign-message", "hi"], home=home, env=clean_env(**ENV))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    # --passphrase-file with the mark unlocks too, and says so.
    again = run_wallet(
        ["--json", "--passphrase-file", str(vault_pw), "sign-message", "hi"],
        home=home,
        env=clean_env(),
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert said_bom(again.stderr)
    new_pw = private(tmp_path / "new-pw", BOM + "another good passphrase\n")
    changed = run_wallet(
        ["--json", "passwd", "--new-passphrase-file", str(new_pw)],
        home=home,
        env=clean_env(**ENV),
    )
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert said_bom(changed.stderr)
    after = run_wallet(
        ["--json", "sign-message", "hi"],
        home=home,
        env=clean_env(WALLET_PASSPHRASE="another good passphrase"),
    )
    assert after.returncode == 0, after.stdout + after.stderr


def test_bom_in_bip39_passphrase_file(tmp_path: Path) -> None:
    from tests.conftest import make_fast_home

    addresses = []
    for name, text in (("plain", "TREZOR\n"), ("bom", BOM + "TREZOR\n")):
        home = make_fast_home(tmp_path / name)
        extra = private(tmp_path / f"{name}-25th", text)
        restored = run_wallet(
            ["--json", "restore", "--bip39-passphrase-file", str(extra)],
            home=home,
            stdin=BIP39["mnemonic"],
            env=clean_env(**ENV),
        )
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert said_bom(restored.stderr) == (name == "bom")
        addresses.append(restored.json()["addresses"][0]["address"])
    assert addresses[0] == addresses[1]


def test_a_key_file_whose_address_label_lies_is_refused(home: Path, tmp_path: Path) -> None:
    """The `address` field is outside the MAC: a file naming another address than its key's
    is refused, nothing imported (the same file with the true label imports)."""
    name = "31_byte_key"
    kpw = private(tmp_path / "kpw", GETH[name]["password"] + "\n")
    document = dict(GETH[name]["json"])
    document["address"] = "2222222222222222222222222222222222222222"
    lying = tmp_path / "lying.json"
    lying.write_text(json.dumps(document))
    refused = import_keystore(home, lying, kpw)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "says address" in refused.json()["error"]["message"]
    assert not (home / "wallets").exists() or not any((home / "wallets").iterdir())
    document["address"] = padded_address(GETH[name]["priv"])[2:].lower()
    honest = tmp_path / "honest.json"
    honest.write_text(json.dumps(document))
    assert import_keystore(home, honest, kpw).returncode == 0
