"""`wallet import-solana-keypair`: a solana-keygen file becomes a single-key Solana wallet
(vault kind "sol-key") that shows, signs and exports that key, refuses other chains in one
line, checks its public record on unlock, and leaves nothing behind for a bad file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, clean_env, run_wallet

ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
SOL = ["--json", "--network", "solana"]


def _keypair(seed: int) -> tuple[list[int], str]:
    """A keypair file's numbers, made by `cryptography` and addressed by bip_utils' base58 (not
    the wallet's code), and its address."""
    from bip_utils import Base58Encoder
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    secret = bytes((seed * 7 + i) % 256 for i in range(32))
    public = (
        Ed25519PrivateKey.from_private_bytes(secret)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    return list(secret + public), Base58Encoder.Encode(public)


def _write(path: Path, numbers: list[int]) -> Path:
    path.write_text(json.dumps(numbers))
    return path


def _import(home: Path, *args: str, stdin: str = "") -> dict[str, object]:
    result = run_wallet(
        ["--json", "import-solana-keypair", *args], home=home, stdin=stdin, env=clean_env(**ENV)
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = result.json()
    return document


def test_import_address_sign_and_export_round_trip(home: Path, tmp_path: Path) -> None:
    from bip_utils import Base58Decoder
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    numbers, address = _keypair(1)
    created = _import(home, str(_write(tmp_path / "id.json", numbers)), "--name", "phantom")
    assert created["kind"] == "sol-key"
    assert created["chain"] == "sol"
    assert created["addresses"] == [{"index": 0, "path": None, "address": address}]
    folder = home / "wallets" / "phantom"
    assert json.loads((folder / "vault.json").read_text())["header"]["kind"] == "sol-key"
    public = json.loads((folder / "public.json").read_text())
    assert public["kind"] == "sol-key"
    assert public["chains"] == {"sol": {"path": None, "xpub": None, "addresses": {"0": address}}}

    listed = run_wallet(["--json", "list"], home=home).json()["wallets"]
    assert [
        (w["name"], w["kind"], [a["first_address"] for a in w["accounts"]]) for w in listed
    ] == [("phantom", "sol-key", [address])]
    shown = run_wallet([*SOL, "address"], home=home)
    assert shown.json()["addresses"] == [{"index": 0, "path": None, "address": address}]

    signed = run_wallet([*SOL, "sign-message", "gm"], home=home, env=clean_env(**ENV))
    assert signed.returncode == 0, signed.stderr
    assert signed.json()["address"] == address
    key = Ed25519PublicKey.from_public_bytes(Base58Decoder.Decode(address))
    key.verify(Base58Decoder.Decode(signed.json()["signature"]), b"gm")  # raises if not

    out = tmp_path / "out.json"
    exported = run_wallet(
        [*SOL, "export-solana-keypair", "--index", "0", "--out", str(out)],
        home=home,
        env=clean_env(**ENV),
    )
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text()) == numbers
    other = run_wallet(
        [*SOL, "export-solana-keypair", "--index", "1", "--out", str(tmp_path / "one.json")],
        home=home,
        env=clean_env(**ENV),
    )
    assert other.returncode == 2
    assert other.json()["error"]["code"] == "invalid-index"
    assert not (tmp_path / "one.json").exists()
    # An unlock adds no families to a wallet that has no seed.
    assert json.loads((folder / "public.json").read_text()) == public


def test_from_stdin_with_the_default_name(home: Path) -> None:
    numbers, address = _keypair(2)
    created = _import(home, "-", stdin=json.dumps(numbers))
    assert created["wallet"] == f"sol-{address[:8]}"
    assert created["addresses"] == [{"index": 0, "path": None, "address": address}]


@pytest.mark.parametrize(
    "args",
    [
        ["address"],
        ["--network", "bitcoin", "address"],
        ["sign-message", "gm"],
        ["export-keystore", "--out", "never.json"],
        ["--network", "bitcoin", "descriptors"],
    ],
)
def test_other_chains_are_a_one_line_refusal(home: Path, tmp_path: Path, args: list[str]) -> None:
    numbers, _ = _keypair(3)
    _import(home, str(_write(tmp_path / "id.json", numbers)), "--name", "phantom")
    result = run_wallet(["--json", *args], home=home, env=clean_env(**ENV))
    assert result.returncode == 2, result.stdout
    message = result.json()["error"]["message"]
    assert "single Solana key" in message
    assert "\n" not in message
    assert not (home / "never.json").exists()


def test_a_library_caller_gets_no_evm_key(home: Path, tmp_path: Path) -> None:
    from wallet_cli.errors import BadInput
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet

    numbers, _ = _keypair(4)
    _import(home, str(_write(tmp_path / "id.json", numbers)), "--name", "phantom")
    wallet = Wallet.open(Home(home), "phantom")
    wallet.unlock(PASSPHRASE)
    assert wallet.private_key("sol", 0).reveal() == bytes(numbers[:32])
    for family in ("evm", "btc"):
        with pytest.raises(BadInput, match="single Solana key"):
            wallet.private_key(family, 0)


def _tamper_sign(home: Path, change: Callable[[Any], object]) -> None:
    public = home / "wallets" / "phantom" / "public.json"
    document = json.loads(public.read_text())
    change(document)
    public.write_text(json.dumps(document))
    signed = run_wallet([*SOL, "sign-message", "gm"], home=home, env=clean_env(**ENV))
    assert signed.returncode == 1, signed.stdout
    assert signed.json()["error"]["code"] == "public-data-mismatch"
    assert "signature" not in signed.stdout


def test_altered_public_address_is_refused_on_unlock(home: Path, tmp_path: Path) -> None:
    numbers, _ = _keypair(5)
    _, someone_else = _keypair(6)
    _import(home, str(_write(tmp_path / "id.json", numbers)), "--name", "phantom")
    _tamper_sign(home, lambda d: d["chains"]["sol"]["addresses"].update({"0": someone_else}))


def test_an_added_family_or_index_is_refused_on_unlock(home: Path, tmp_path: Path) -> None:
    numbers, address = _keypair(7)
    _import(home, str(_write(tmp_path / "id.json", numbers)), "--name", "phantom")
    evm = {"path": None, "xpub": None, "addresses": {"0": "0x" + "11" * 20}}
    _tamper_sign(home, lambda d: d["chains"].update({"evm": evm}))

    def second_index(document: Any) -> None:
        del document["chains"]["evm"]
        document["chains"]["sol"]["addresses"]["1"] = address  # a single key has index 0 only

    _tamper_sign(home, second_index)


def test_passwd_keeps_the_kind(home: Path, tmp_path: Path) -> None:
    numbers, _ = _keypair(8)
    _import(home, str(_write(tmp_path / "id.json", numbers)), "--name", "phantom")
    new = tmp_path / "new.txt"
    new.write_text("another long passphrase\n")
    changed = run_wallet(
        ["passwd", "--new-passphrase-file", str(new)], home=home, env=clean_env(**ENV)
    )
    assert changed.returncode == 0, changed.stderr
    vault = json.loads((home / "wallets" / "phantom" / "vault.json").read_text())
    assert vault["header"]["kind"] == "sol-key"
    out = tmp_path / "out.json"
    exported = run_wallet(
        [*SOL, "export-solana-keypair", "--out", str(out)],
        home=home,
        env=clean_env(WALLET_PASSPHRASE="another long passphrase"),
    )
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text()) == numbers


def test_import_key_stays_evm(home: Path) -> None:
    numbers, _ = _keypair(9)
    created = run_wallet(
        ["--json", "import-key", "--name", "hex"],
        home=home,
        stdin=bytes(numbers[:32]).hex() + "\n",
        env=clean_env(**ENV),
    )
    assert created.returncode == 0, created.stderr
    assert created.json()["kind"] == "key"
    assert created.json()["chain"] == "evm"
    public = json.loads((home / "wallets" / "hex" / "public.json").read_text())
    assert set(public["chains"]) == {"evm"}
    sol = run_wallet([*SOL, "address"], home=home)
    assert sol.returncode == 2
    assert "single imported EVM key" in sol.json()["error"]["message"]


def _bad_files() -> list[tuple[str, str]]:
    numbers, _ = _keypair(10)
    forged = list(numbers)
    forged[40] ^= 1
    return [
        ("not json", "bad-keypair"),
        ("", "bad-keypair"),
        ("{}", "bad-keypair"),
        (json.dumps(numbers[:32]), "bad-keypair"),
        (json.dumps([*numbers, 0]), "bad-keypair"),
        (json.dumps([*numbers[:63], 256]), "bad-keypair"),
        (json.dumps([*numbers[:63], 1.0]), "bad-keypair"),
        (json.dumps(forged), "bad-keypair"),
        ("[" * 30_000 + "]" * 30_000, "bad-keypair"),
        (" " * 70_000 + json.dumps(numbers), "file-too-large"),
    ]


@pytest.mark.parametrize(("text", "code"), _bad_files())
@pytest.mark.parametrize("piped", [False, True])
def test_bad_files_leave_nothing_behind(
    home: Path, tmp_path: Path, text: str, code: str, piped: bool
) -> None:
    path = tmp_path / "id.json"
    path.write_text(text)
    args = ["-"] if piped else [str(path)]
    result = run_wallet(
        ["--json", "import-solana-keypair", *args, "--name", "phantom"],
        home=home,
        stdin=text if piped else "",
        env=clean_env(**ENV),
    )
    assert result.returncode == 2, result.stdout
    assert result.json()["error"]["code"] == code
    assert not (home / "wallets" / "phantom").exists()
    secret_hex = bytes(_keypair(10)[0][:32]).hex()
    assert secret_hex not in result.stdout + result.stderr
    assert str(_keypair(10)[0][:8])[1:-1] not in result.stdout + result.stderr


def test_a_taken_name_is_refused_before_reading(home: Path, tmp_path: Path) -> None:
    numbers, _ = _keypair(11)
    path = _write(tmp_path / "id.json", numbers)
    _import(home, str(path), "--name", "phantom")
    again = run_wallet(
        ["--json", "import-solana-keypair", str(path), "--name", "phantom"],
        home=home,
        env=clean_env(**ENV),
    )
    assert again.returncode == 2
    assert again.json()["error"]["code"] == "wallet-exists"
