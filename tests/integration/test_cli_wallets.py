"""The key commands through the real `wallet` executable, as a script would call them."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

from tests.conftest import (
    ANVIL_ADDRESS_0,
    ANVIL_MNEMONIC,
    PASSPHRASE,
    WALLET_BIN,
    clean_env,
    load_vectors,
    run_wallet,
)

ANVIL = load_vectors("anvil_accounts.json")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_restore_then_address_and_list(anvil_home: Path) -> None:
    result = run_wallet(["--json", "address", "--count", "10"], home=anvil_home)
    assert result.returncode == 0, result.stderr
    document = result.json()
    assert document["network"] == "devnet"
    assert document["chain"] == "evm"
    rows = document["addresses"]
    assert [r["address"] for r in rows] == [v["address"] for v in ANVIL["vectors"]]
    assert rows[3] == {"index": 3, "path": "m/44'/60'/0'/0/3", "address": rows[3]["address"]}
    listing = run_wallet(["--json", "list"], home=anvil_home).json()
    assert listing["wallets"][0]["name"] == "dev"
    accounts = {a["account"]: a for a in listing["wallets"][0]["accounts"]}
    assert accounts["evm"]["first_address"] == ANVIL_ADDRESS_0
    assert accounts["btc:bitcoin:wpkh"]["path"] == "m/84'/0'/0'"
    assert accounts["sol"]["path"] == "m/44'/501'"
    assert set(accounts) == {"evm", "sol"} | {
        f"btc:{n}:{s}"
        for n in ("bitcoin", "bitcoin-testnet", "bitcoin-signet", "bitcoin-regtest")
        for s in ("wpkh", "tr")
    }


def test_address_beyond_the_cache_is_derived_and_cached(anvil_home: Path) -> None:
    public = anvil_home / "wallets" / "dev" / "public.json"
    assert "500" not in json.loads(public.read_text())["chains"]["evm"]["addresses"]
    result = run_wallet(["--json", "address", "--index", "500", "--count", "2"], home=anvil_home)
    assert result.returncode == 0
    cached = json.loads(public.read_text())["chains"]["evm"]["addresses"]
    assert cached["500"] == result.json()["addresses"][0]["address"]
    assert mode(public) == 0o600


def test_home_layout_permissions(anvil_home: Path) -> None:
    assert mode(anvil_home / "wallets") == 0o700
    assert mode(anvil_home / "wallets" / "dev") == 0o700
    assert mode(anvil_home / "wallets" / "dev" / "vault.json") == 0o600
    assert mode(anvil_home / "wallets" / "dev" / "public.json") == 0o600


def test_new_home_is_created_private(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    result = run_wallet(["restore"], home=home, stdin=ANVIL_MNEMONIC, env=env)
    assert result.returncode == 0, result.stderr
    assert mode(home) == 0o700
    assert mode(tmp_path / "fresh") == 0o700


def test_init_writes_words_to_a_private_file_and_they_restore(home: Path, tmp_path: Path) -> None:
    words_file = tmp_path / "words.txt"
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    created = run_wallet(
        ["--json", "init", "--words", "24", "--mnemonic-out", str(words_file)], home=home, env=env
    )
    assert created.returncode == 0, created.stderr
    assert mode(words_file) == 0o600
    words = words_file.read_text().split()
    assert len(words) == 24
    assert " ".join(words) not in created.stdout + created.stderr
    again = run_wallet(
        ["--json", "restore", "--name", "copy"], home=home, stdin=" ".join(words), env=env
    )
    assert again.json()["addresses"] == created.json()["addresses"]


def test_init_without_terminal_needs_mnemonic_out(home: Path) -> None:
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    result = run_wallet(["init"], home=home, env=env)
    assert result.returncode == 2
    assert "--mnemonic-out" in result.stderr
    assert not (home / "wallets" / "main").exists()


def test_init_refuses_odd_word_counts(home: Path, tmp_path: Path) -> None:
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    out = tmp_path / "w"
    result = run_wallet(["init", "--words", "13", "--mnemonic-out", str(out)], home=home, env=env)
    assert result.returncode == 2
    assert not out.exists()


def test_bip39_passphrase_changes_the_wallet(home: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.write_text("TREZOR\n")
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    plain = run_wallet(
        ["--json", "restore", "--name", "a"], home=home, stdin=ANVIL_MNEMONIC, env=env
    )
    salted = run_wallet(
        ["--json", "restore", "--name", "b", "--bip39-passphrase-file", str(extra)],
        home=home,
        stdin=ANVIL_MNEMONIC,
        env=env,
    )
    assert salted.returncode == 0, salted.stderr
    first = plain.json()["addresses"][0]["address"]
    assert salted.json()["addresses"][0]["address"] != first


def test_existing_name_is_refused(anvil_home: Path) -> None:
    before = (anvil_home / "wallets" / "dev" / "vault.json").read_bytes()
    env = clean_env(WALLET_PASSPHRASE="other")
    result = run_wallet(
        ["--json", "restore", "--name", "dev"], home=anvil_home, stdin=ANVIL_MNEMONIC, env=env
    )
    assert result.returncode == 2
    assert result.json()["error"]["code"] == "wallet-exists"
    assert (anvil_home / "wallets" / "dev" / "vault.json").read_bytes() == before


def test_unknown_word_bad_checksum_and_count(home: Path) -> None:
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    cases = {
        ANVIL_MNEMONIC.replace("junk", "junq"): "word 12 is not in the BIP-39 English list",
        ANVIL_MNEMONIC.replace("junk", "test"): "checksum",
        "test " * 11: "has 11",
    }
    for phrase, message in cases.items():
        result = run_wallet(["restore"], home=home, stdin=phrase, env=env)
        assert result.returncode == 2
        assert message in result.stderr
    for args in (["restore"], ["--json", "restore"]):
        unknown = run_wallet(args, home=home, stdin=ANVIL_MNEMONIC.replace("junk", "junq"), env=env)
        # Piped in (a script, a log): the position only, never the word or its neighbours.
        assert "junq" not in unknown.stdout + unknown.stderr
        assert "junk" not in unknown.stdout + unknown.stderr
        assert "closest" not in (unknown.stdout + unknown.stderr).lower()
    assert run_wallet(["list", "--help"], home=home).returncode == 0
    assert not (home / "wallets").exists() or not any((home / "wallets").iterdir())


def test_close_words_are_offered_only_on_the_terminal_typed_at(home: Path) -> None:
    import pexpect

    typo = ANVIL_MNEMONIC.replace("junk", "junq")
    for args, offered in ((["restore"], True), (["--json", "restore"], False)):
        child = pexpect.spawn(
            WALLET_BIN,
            args,
            env=clean_env(WALLET_HOME=str(home), WALLET_PASSPHRASE=PASSPHRASE),
            encoding="utf-8",
            timeout=30,
        )
        child.expect("Mnemonic \\(hidden\\): ")
        child.sendline(typo)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 2
        shown = child.before
        assert "word 12 is not in the BIP-39 English list" in shown
        assert ("Closest list words to word 12: junk" in shown) is offered
        assert "junq" not in shown
    assert not (home / "wallets").exists() or not any((home / "wallets").iterdir())


def test_empty_stdin_is_an_input_error(home: Path) -> None:
    result = run_wallet(["restore"], home=home, stdin="", env=clean_env(WALLET_PASSPHRASE="x"))
    assert result.returncode == 2
    assert "standard input" in result.stderr


def test_wrong_passphrase_is_exit_4(anvil_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "key.json"
    env = clean_env(WALLET_PASSPHRASE="wrong")
    result = run_wallet(["--json", "export-keystore", "--out", str(out)], home=anvil_home, env=env)
    assert result.returncode == 4
    assert result.json()["error"]["code"] == "wrong-passphrase"
    assert not out.exists()


def test_no_passphrase_and_no_terminal_fails_at_once(anvil_home: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_wallet(
        ["export-keystore", "--out", str(tmp_path / "k.json")], home=anvil_home, timeout=20
    )
    assert result.returncode == 4
    assert "no passphrase" in result.stderr
    assert time.monotonic() - started < 10


def test_passphrase_file_source_and_missing_file(
    anvil_home: Path, tmp_path: Path, passphrase_file: Path
) -> None:
    keyfile_pw = tmp_path / "kpw"
    keyfile_pw.write_text("keyfile pw\n")
    out = tmp_path / "k.json"
    args = ["export-keystore", "--out", str(out), "--keystore-passphrase-file", str(keyfile_pw)]
    ok = run_wallet(["--passphrase-file", str(passphrase_file), *args], home=anvil_home)
    assert ok.returncode == 0, ok.stderr
    out.unlink()
    missing = run_wallet(["--passphrase-file", str(tmp_path / "nope"), *args], home=anvil_home)
    assert missing.returncode == 2
    assert "cannot read passphrase file" in missing.stderr


def test_passphrase_file_wins_over_environment(anvil_home: Path, tmp_path: Path) -> None:
    wrong_file = tmp_path / "wrong"
    wrong_file.write_text("wrong\n")
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_PASSPHRASE_FILE=str(wrong_file))
    kpw = tmp_path / "kpw"
    kpw.write_text("k\n")
    args = ["export-keystore", "--out", str(tmp_path / "o"), "--keystore-passphrase-file", str(kpw)]
    assert run_wallet(args, home=anvil_home, env=env).returncode == 4


def test_export_keystore_is_read_by_eth_account(
    anvil_home: Path, tmp_path: Path, passphrase_file: Path
) -> None:
    from eth_account import Account

    kpw = tmp_path / "kpw"
    kpw.write_text("keyfile passphrase\n")
    out = tmp_path / "index3.json"
    result = run_wallet(
        [
            "--json",
            "--passphrase-file",
            str(passphrase_file),
            "export-keystore",
            "--index",
            "3",
            "--out",
            str(out),
            "--keystore-passphrase-file",
            str(kpw),
        ],
        home=anvil_home,
    )
    assert result.returncode == 0, result.stderr
    assert mode(out) == 0o600
    expected = ANVIL["vectors"][3]
    assert result.json()["address"] == expected["address"]
    document = json.loads(out.read_text())
    key = Account.decrypt(document, "keyfile passphrase")
    assert "0x" + bytes(key).hex() == expected["private_key"]
    assert expected["private_key"][2:] not in result.stdout + result.stderr
    again = run_wallet(
        ["--passphrase-file", str(passphrase_file), "export-keystore", "--out", str(out)],
        home=anvil_home,
    )
    assert again.returncode == 2
    assert json.loads(out.read_text()) == document


def test_import_keystore_from_eth_account_files(home: Path, tmp_path: Path) -> None:
    from eth_account import Account

    secret = bytes.fromhex(ANVIL["vectors"][5]["private_key"][2:])
    kpw = tmp_path / "kpw"
    kpw.write_text("pw of the file\n")
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    for kdf, iterations in (("scrypt", 2**12), ("pbkdf2", 1000)):
        keyfile = tmp_path / f"{kdf}.json"
        keyfile.write_text(
            json.dumps(Account.encrypt(secret, "pw of the file", kdf=kdf, iterations=iterations))
        )
        result = run_wallet(
            [
                "--json",
                "import-keystore",
                str(keyfile),
                "--name",
                kdf,
                "--keystore-passphrase-file",
                str(kpw),
            ],
            home=home,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        assert result.json()["addresses"] == [
            {"index": 0, "path": None, "address": ANVIL["vectors"][5]["address"]}
        ]
    single = run_wallet(["--json", "--wallet", "pbkdf2", "address", "--index", "1"], home=home)
    assert single.returncode == 2
    assert "single key" in single.json()["error"]["message"]


def test_import_keystore_bad_files(home: Path, tmp_path: Path) -> None:
    from eth_account import Account

    kpw = tmp_path / "kpw"
    kpw.write_text("right\n")
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    document = Account.encrypt(bytes(range(1, 33)), "right", kdf="pbkdf2", iterations=1000)

    def attempt(doc: object, name: str) -> tuple[int, str]:
        path = tmp_path / f"{name}.json"
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        args = [
            "--json",
            "import-keystore",
            str(path),
            "--name",
            name,
            "--keystore-passphrase-file",
            str(kpw),
        ]
        result = run_wallet(args, home=home, env=env)
        return result.returncode, result.json()["error"]["code"]

    unknown_kdf = json.loads(json.dumps(document))
    unknown_kdf["crypto"]["kdf"] = "argon2id"
    assert attempt(unknown_kdf, "kdf") == (2, "invalid-keyfile")
    bad_mac = json.loads(json.dumps(document))
    bad_mac["crypto"]["mac"] = "00" * 32
    assert attempt(bad_mac, "mac") == (4, "keyfile-mac-mismatch")
    lying = json.loads(json.dumps(document))
    lying["address"] = "00" * 20
    assert attempt(lying, "lying") == (2, "bad-input")
    assert attempt("{not json", "json") == (2, "invalid-keyfile")
    assert not (home / "wallets").exists() or not any((home / "wallets").iterdir())


def test_import_key(home: Path) -> None:
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    vector = ANVIL["vectors"][7]
    ok = run_wallet(
        ["--json", "import-key", "--name", "hot"],
        home=home,
        stdin=vector["private_key"] + "\n",
        env=env,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.json()["addresses"][0]["address"] == vector["address"]
    assert vector["private_key"][2:] not in ok.stdout + ok.stderr
    derived_name = run_wallet(
        ["--json", "import-key"], home=home, stdin=vector["private_key"][2:], env=env
    )
    assert derived_name.json()["wallet"] == "key-" + vector["address"][2:10].lower()
    for bad in ("0x1234", "zz" * 32, "00" * 32, "ff" * 32, ""):
        result = run_wallet(
            ["--json", "import-key", "--name", "bad"], home=home, stdin=bad, env=env
        )
        assert result.returncode == 2, bad
        if bad:
            assert bad not in result.stdout + result.stderr
    assert not (home / "wallets" / "bad").exists()


def test_passwd(anvil_home: Path, tmp_path: Path, passphrase_file: Path) -> None:
    new = tmp_path / "new"
    new.write_text("a brand new passphrase\n")
    changed = run_wallet(
        ["--passphrase-file", str(passphrase_file), "passwd", "--new-passphrase-file", str(new)],
        home=anvil_home,
    )
    assert changed.returncode == 0, changed.stderr
    kpw = tmp_path / "kpw"
    kpw.write_text("k\n")
    export = [
        "export-keystore",
        "--out",
        str(tmp_path / "o.json"),
        "--keystore-passphrase-file",
        str(kpw),
    ]
    old = run_wallet(["--passphrase-file", str(passphrase_file), *export], home=anvil_home)
    assert old.returncode == 4
    fresh = run_wallet(["--passphrase-file", str(new), *export], home=anvil_home)
    assert fresh.returncode == 0, fresh.stderr


def vault_cost(home: Path, name: str) -> tuple[int, int, int]:
    kdf = json.loads((home / "wallets" / name / "vault.json").read_text())["header"]["kdf"]
    return kdf["memory_kib"], kdf["iterations"], kdf["lanes"]


def test_passwd_never_lowers_the_kdf_cost_silently(home: Path, tmp_path: Path) -> None:
    config = home / "config.toml"
    fast = config.read_text()
    config.write_text("")  # the default cost: 256 MiB, 3 iterations, 4 lanes
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    made = run_wallet(["restore", "--name", "w"], home=home, stdin=ANVIL_MNEMONIC, env=env)
    assert made.returncode == 0, made.stderr
    assert vault_cost(home, "w") == (262144, 3, 4)
    assert "below the default" not in made.stderr
    config.write_text(fast)  # a fast-KDF config must not weaken the existing vault
    new = tmp_path / "new"
    new.write_text("second passphrase\n")
    kept = run_wallet(["passwd", "--new-passphrase-file", str(new)], home=home, env=env)
    assert kept.returncode == 0, kept.stderr
    assert vault_cost(home, "w") == (262144, 3, 4)
    assert "kept the vault's KDF cost" in kept.stderr
    assert "--lower-kdf" in kept.stderr
    env = clean_env(WALLET_PASSPHRASE="second passphrase")
    unlock = ["sign-message", "hi"]
    assert "below the default" not in run_wallet(unlock, home=home, env=env).stderr
    lowered = run_wallet(
        ["passwd", "--lower-kdf", "--new-passphrase-file", str(new)], home=home, env=env
    )
    assert lowered.returncode == 0, lowered.stderr
    assert vault_cost(home, "w") == (8192, 1, 1)
    assert "now sealed below the default KDF cost" in lowered.stderr
    for args in (unlock, ["--json", *unlock]):  # said on every later unlock
        signed = run_wallet(args, home=home, env=env)
        assert signed.returncode == 0, signed.stderr
        assert "wallet 'w' is sealed below the default KDF cost (8 MiB" in signed.stderr


def test_passwd_with_wrong_old_passphrase_changes_nothing(anvil_home: Path, tmp_path: Path) -> None:
    vault = anvil_home / "wallets" / "dev" / "vault.json"
    before = vault.read_bytes()
    new = tmp_path / "new"
    new.write_text("new\n")
    env = clean_env(WALLET_PASSPHRASE="wrong")
    result = run_wallet(["passwd", "--new-passphrase-file", str(new)], home=anvil_home, env=env)
    assert result.returncode == 4
    assert vault.read_bytes() == before


def test_damaged_vaults_are_reported_and_left_alone(anvil_home: Path, tmp_path: Path) -> None:
    vault = anvil_home / "wallets" / "dev" / "vault.json"
    good = vault.read_bytes()
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    new = tmp_path / "new"
    new.write_text("new\n")
    document = json.loads(good)
    document["header"]["name"] = "renamed"
    cases = {
        b"": (2, "is empty"),
        good[: len(good) // 2]: (2, "truncated or malformed"),
        json.dumps(document).encode(): (4, "wrong passphrase"),
    }
    for damaged, (code, message) in cases.items():
        vault.write_bytes(damaged)
        result = run_wallet(
            ["--json", "passwd", "--new-passphrase-file", str(new)], home=anvil_home, env=env
        )
        assert result.returncode == code
        error = result.json()["error"]["message"]
        assert message in error
        if code == 2:
            assert str(vault) in error
        assert vault.read_bytes() == damaged
    # Public data needs no vault: addresses still show while the vault is damaged.
    assert run_wallet(["address"], home=anvil_home).returncode == 0


def test_edited_public_data_is_caught_at_unlock(anvil_home: Path, tmp_path: Path) -> None:
    public = anvil_home / "wallets" / "dev" / "public.json"
    document = json.loads(public.read_text())
    document["chains"]["evm"]["addresses"]["1"] = ANVIL["vectors"][9]["address"]
    public.write_text(json.dumps(document))
    kpw = tmp_path / "kpw"
    kpw.write_text("k\n")
    result = run_wallet(
        [
            "--json",
            "export-keystore",
            "--out",
            str(tmp_path / "o"),
            "--keystore-passphrase-file",
            str(kpw),
        ],
        home=anvil_home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert result.returncode == 1
    assert result.json()["error"]["code"] == "public-data-mismatch"


def test_wallet_selection(anvil_home: Path) -> None:
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    run_wallet(["restore", "--name", "second"], home=anvil_home, stdin=ANVIL_MNEMONIC, env=env)
    ambiguous = run_wallet(["--json", "address"], home=anvil_home)
    assert ambiguous.returncode == 2
    assert ambiguous.json()["error"]["code"] == "wallet-ambiguous"
    chosen = run_wallet(["--json", "--wallet", "second", "address"], home=anvil_home)
    assert chosen.returncode == 0
    by_env = run_wallet(["--json", "address"], home=anvil_home, env=clean_env(WALLET_NAME="dev"))
    assert by_env.returncode == 0
    missing = run_wallet(["--json", "--wallet", "nope", "address"], home=anvil_home)
    assert missing.json()["error"]["code"] == "wallet-not-found"
    bad_name = run_wallet(["--json", "--wallet", "../x", "address"], home=anvil_home)
    assert bad_name.json()["error"]["code"] == "invalid-name"


def test_unknown_network_and_usage_errors(anvil_home: Path) -> None:
    network = run_wallet(["--json", "--network", "mainnet", "address"], home=anvil_home)
    assert network.returncode == 2
    assert network.json()["error"]["code"] == "unknown-network"
    usage = run_wallet(["--json", "address", "--count", "many"], home=anvil_home)
    assert usage.returncode == 2
    assert usage.json()["error"]["code"] == "usage"
    count = run_wallet(["--json", "address", "--count", "0"], home=anvil_home)
    assert count.returncode == 2


def test_read_only_commands_never_ask_for_a_passphrase(anvil_home: Path) -> None:
    for args in (["address"], ["list"], ["keyring", "status"]):
        result = run_wallet(args, home=anvil_home, timeout=20)
        assert result.returncode == 0, (args, result.stderr)


def test_edited_bitcoin_public_data_is_caught_before_bitcoin_keys_are_used(
    anvil_home: Path,
) -> None:
    """Bitcoin records are checked when Bitcoin keys are first handed out (not at every
    unlock): descriptors swapped in public.json stop `descriptors --private`, while EVM
    signing, which never reads them, goes on."""
    public = anvil_home / "wallets" / "dev" / "public.json"
    document = json.loads(public.read_text())
    chains = document["chains"]
    wpkh, tr = chains["btc:bitcoin:wpkh"], chains["btc:bitcoin:tr"]
    wpkh["descriptors"], tr["descriptors"] = tr["descriptors"], wpkh["descriptors"]
    public.write_text(json.dumps(document))
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    private = ["--json", "--network", "bitcoin", "descriptors", "--private"]
    refused = run_wallet(private, home=anvil_home, env=env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.json()["error"]["code"] == "public-data-mismatch"
    signed = run_wallet(["--json", "sign-message", "hello"], home=anvil_home, env=env)
    assert signed.returncode == 0, signed.stdout + signed.stderr
