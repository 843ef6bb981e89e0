"""No command prints a secret: not on success, not in errors, not with --debug."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ANVIL_MNEMONIC, PASSPHRASE, Result, clean_env, load_vectors, run_wallet

ANVIL = load_vectors("anvil_accounts.json")


def secrets_in(result: Result) -> list[str]:
    text = result.stdout + result.stderr
    words = ANVIL_MNEMONIC.split()
    found = [PASSPHRASE] if PASSPHRASE in text else []
    found += [v["private_key"] for v in ANVIL["vectors"] if v["private_key"][2:] in text.lower()]
    if " ".join(words[:4]) in text:
        found.append("mnemonic")
    return found


def test_no_command_prints_a_secret(home: Path, tmp_path: Path, passphrase_file: Path) -> None:
    kpw = tmp_path / "kpw"
    kpw.write_text("keyfile pw\n")
    new = tmp_path / "new"
    new.write_text(PASSPHRASE + " 2\n")
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    calls = [
        (["restore", "--name", "dev"], ANVIL_MNEMONIC, env),
        (["--json", "restore", "--name", "dev"], ANVIL_MNEMONIC, env),
        (["--debug", "restore", "--name", "x"], ANVIL_MNEMONIC.replace("junk", "test"), env),
        (["address", "--count", "10"], "", clean_env()),
        (["--json", "list"], "", clean_env()),
        (
            [
                "--debug",
                "export-keystore",
                "--out",
                str(tmp_path / "k.json"),
                "--keystore-passphrase-file",
                str(kpw),
            ],
            "",
            env,
        ),
        (
            [
                "--debug",
                "--json",
                "export-keystore",
                "--out",
                str(tmp_path / "k2.json"),
                "--keystore-passphrase-file",
                str(kpw),
            ],
            "",
            clean_env(WALLET_PASSPHRASE="bad"),
        ),
        (["import-key", "--name", "hot"], ANVIL["vectors"][1]["private_key"], env),
        (["--debug", "import-key", "--name", "bad"], ANVIL["vectors"][1]["private_key"][:-1], env),
        (
            [
                "--passphrase-file",
                str(passphrase_file),
                "--wallet",
                "dev",
                "passwd",
                "--new-passphrase-file",
                str(new),
            ],
            "",
            clean_env(),
        ),
    ]
    for args, stdin, environment in calls:
        result = run_wallet(args, home=home, stdin=stdin, env=dict(environment))
        assert secrets_in(result) == [], (args, result)
    vault_text = (home / "wallets" / "dev" / "vault.json").read_text()
    public_text = (home / "wallets" / "dev" / "public.json").read_text()
    for text in (vault_text, public_text):
        assert "junk" not in text
        assert ANVIL["vectors"][0]["private_key"][2:] not in text
