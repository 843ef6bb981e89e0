"""PSBTs through the CLI; every signed transaction is checked by Bitcoin Core's own script
interpreter (libbitcoinkernel via py-bitcoinkernel), input by input, against the spent
output and its amount."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, Result, clean_env, load_vectors, run_wallet

MNEMONIC = load_vectors("bip84.json")["mnemonic"]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
FOREIGN = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def wallet(home: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_wallet(
        ["--json", "--network", "bitcoin-regtest", *args], home=home, env=clean_env(**(env or {}))
    )


@pytest.fixture
def btc_home(home: Path) -> Path:
    restored = run_wallet(["restore"], home=home, stdin=MNEMONIC, env=clean_env(**ENV))
    assert restored.returncode == 0
    return home


def our_address(home: Path, index: int) -> str:
    result = wallet(home, "address", "--index", str(index)).json()
    return str(result["addresses"][0]["address"])


def coins(home: Path) -> list[tuple[str, int, int, str]]:
    return [
        ("11" * 32, 0, 100_000, our_address(home, 0)),
        ("22" * 32, 1, 50_000, our_address(home, 3)),
    ]


def create(home: Path, out: Path, *extra: str, to: str = FOREIGN, amount: str = "0.0012") -> Result:
    specs = [arg for c in coins(home) for arg in ("--utxo", ":".join(map(str, c)))]
    return wallet(
        home, "psbt", "create", "--to", to, "--amount", amount, "--out", str(out), *specs, *extra
    )


def kernel_verify(raw_hex: str, spent: list[tuple[bytes, int]]) -> list[bool]:
    import pbk
    from pbk.script import PrecomputedTransactionData

    tx = pbk.Transaction(bytes.fromhex(raw_hex))
    outputs = [pbk.TransactionOutput(pbk.ScriptPubkey(spk), sats) for spk, sats in spent]
    data = PrecomputedTransactionData(tx, outputs)
    results = []
    for index, (spk, sats) in enumerate(spent):
        try:
            results.append(
                bool(
                    pbk.ScriptPubkey(spk).verify(
                        sats, tx, data, index, pbk.ScriptVerificationFlags.ALL
                    )
                )
            )
        except Exception:
            results.append(False)
    return results


def spent_outputs(
    home: Path, document: dict[str, Any], amounts: dict[str, int]
) -> list[tuple[bytes, int]]:
    import bdkpython

    spent = []
    for item in document["inputs"]:
        address = {f"{c[0]}:{c[1]}": c[3] for c in coins(home)}[item["outpoint"]]
        spk = bdkpython.Address(address, bdkpython.Network.REGTEST).script_pubkey().to_bytes()
        spent.append((bytes(spk), amounts.get(item["outpoint"], item["sats"])))
    return spent


def test_create_sign_finalize_verified_by_bitcoin_core(btc_home: Path, tmp_path: Path) -> None:
    psbt = tmp_path / "pay.psbt"
    created = create(btc_home, psbt)
    assert created.returncode == 0, created.stdout
    document = created.json()
    assert all(i["sequence"] == 0xFFFFFFFD for i in document["inputs"])  # RBF
    foreign = [o for o in document["outputs"] if not o["mine"]]
    assert foreign == [{"address": FOREIGN, "sats": 120_000, "mine": False}]
    change = [o for o in document["outputs"] if o["mine"]]
    assert change[0]["address"].startswith("bcrt1q")
    assert document["fee"] == 150_000 - 120_000 - change[0]["sats"]
    assert 1.9 <= document["fee_rate"] <= 2.3

    signed = wallet(btc_home, "psbt", "sign", str(psbt), env=ENV)
    assert signed.returncode == 0, signed.stdout
    assert signed.json()["signed_inputs"] == 2
    raw = wallet(btc_home, "psbt", "finalize", str(psbt)).json()["raw_transaction"]
    spent = spent_outputs(btc_home, document, {})
    assert kernel_verify(raw, spent) == [True, True]
    wrong_amount = [(spk, sats + 1) for spk, sats in spent]
    assert kernel_verify(raw, wrong_amount) == [False, False]
    again = wallet(btc_home, "psbt", "finalize", str(psbt)).json()["raw_transaction"]
    assert again == raw


def test_two_step_signing_combines_to_the_same_transaction(btc_home: Path, tmp_path: Path) -> None:
    psbt = tmp_path / "a.psbt"
    assert create(btc_home, psbt).returncode == 0
    unsigned = tmp_path / "b.psbt"
    unsigned.write_text(psbt.read_text())
    assert wallet(btc_home, "psbt", "sign", str(psbt), env=ENV).returncode == 0
    direct = wallet(btc_home, "psbt", "finalize", str(psbt)).json()["raw_transaction"]
    combined = tmp_path / "c.psbt"
    result = wallet(btc_home, "psbt", "combine", str(unsigned), str(psbt), "--out", str(combined))
    assert result.returncode == 0, result.stdout
    assert wallet(btc_home, "psbt", "finalize", str(combined)).json()["raw_transaction"] == direct
    assert wallet(btc_home, "psbt", "finalize", str(unsigned)).returncode == 2


def test_wrong_passphrase_leaves_the_file_byte_identical(btc_home: Path, tmp_path: Path) -> None:
    psbt = tmp_path / "p.psbt"
    assert create(btc_home, psbt).returncode == 0
    before = psbt.read_bytes()
    result = wallet(btc_home, "psbt", "sign", str(psbt), env={"WALLET_PASSPHRASE": "nope"})
    assert result.returncode == 4
    assert psbt.read_bytes() == before


@pytest.mark.parametrize("content", ["not base64!!", "cHNidP8BAHECAAAAAS", ""])
def test_malformed_or_truncated_psbt(btc_home: Path, tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.psbt"
    bad.write_text(content)
    for command in (["show"], ["sign"], ["finalize"]):
        result = wallet(btc_home, "psbt", *command, str(bad), env=ENV)
        assert result.returncode == 2, (command, result.stdout)
        assert result.json()["error"]["code"] == "invalid-psbt"
    assert bad.read_text() == content


def test_psbt_of_another_network_or_wallet_signs_nothing(btc_home: Path, tmp_path: Path) -> None:
    psbt = tmp_path / "p.psbt"
    assert create(btc_home, psbt).returncode == 0
    before = psbt.read_bytes()
    mainnet = run_wallet(
        ["--json", "--network", "bitcoin", "psbt", "sign", str(psbt)],
        home=btc_home,
        env=clean_env(**ENV),
    )
    assert mainnet.returncode == 2
    assert psbt.read_bytes() == before
    other = tmp_path / "other-home"
    other.mkdir()
    (other / "config.toml").write_text((btc_home / "config.toml").read_text())
    anvil = load_vectors("anvil_accounts.json")["mnemonic"]
    run_wallet(["restore"], home=other, stdin=anvil, env=clean_env(**ENV))
    foreign_wallet = wallet(other, "psbt", "sign", str(psbt), env=ENV)
    assert foreign_wallet.returncode == 2
    assert foreign_wallet.json()["error"]["code"] == "nothing-signed"
    assert psbt.read_bytes() == before


def test_bad_create_inputs(btc_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.psbt"
    a0 = our_address(btc_home, 0)
    cases: list[tuple[list[str], str]] = [
        (["--amount", "100sat", "--utxo", f"{'11' * 32}:0:100000:{a0}"], "dust"),
        (["--amount", "0.01", "--utxo", f"{'11' * 32}:0:100000:{a0}"], "do not cover"),
        (
            [
                "--amount",
                "0.0001",
                "--utxo",
                f"{'11' * 32}:0:100000:{a0}",
                "--utxo",
                f"{'11' * 32}:0:100000:{a0}",
            ],
            "twice",
        ),
        (["--amount", "0.0001", "--utxo", f"{'zz' * 32}:0:100000:{a0}"], "64 hex"),
        (["--amount", "0.0001", "--utxo", "abc"], "TXID:VOUT:SATS"),
        (["--amount", "0.0001", "--utxo", f"{'11' * 32}:0:100000:{FOREIGN}"], "not one of"),
        (
            ["--amount", "0.0001", "--fee-rate", "5000", "--utxo", f"{'11' * 32}:0:100000:{a0}"],
            "typo",
        ),
    ]
    for extra, needle in cases:
        result = wallet(btc_home, "psbt", "create", "--to", FOREIGN, "--out", str(out), *extra)
        assert result.returncode == 2, (extra, result.stdout)
        assert needle in result.json()["error"]["message"], (needle, result.stdout)
        assert not out.exists()
    testnet_to = run_wallet(["--json", "--network", "bitcoin", "address"], home=btc_home).json()
    mainnet_address = testnet_to["addresses"][0]["address"]
    wrong_net = wallet(
        btc_home,
        "psbt",
        "create",
        "--to",
        mainnet_address,
        "--amount",
        "0.0001",
        "--out",
        str(out),
        "--utxo",
        f"{'11' * 32}:0:100000:{a0}",
    )
    assert wrong_net.returncode == 2
    high_fee = wallet(
        btc_home,
        "--yes",
        "psbt",
        "create",
        "--to",
        FOREIGN,
        "--amount",
        "0.0001",
        "--fee-rate",
        "1500",
        "--out",
        str(out),
        "--utxo",
        f"{'11' * 32}:0:1000000:{a0}",
    )
    assert high_fee.returncode == 0, high_fee.stdout


def test_screening_stops_a_sanctioned_destination(btc_home: Path, tmp_path: Path) -> None:
    import csv

    from wallet_cli.screening.lists import PACKAGED

    with (PACKAGED / "sanctioned-addresses.csv").open() as handle:
        sanctioned = next(
            r["address"] for r in csv.DictReader(handle) if r["address"].startswith("bc1q")
        )
    mainnet = run_wallet(["--json", "--network", "bitcoin", "address"], home=btc_home).json()
    ours = mainnet["addresses"][0]["address"]
    out = tmp_path / "s.psbt"
    args = [
        "--json",
        "--network",
        "bitcoin",
        "psbt",
        "create",
        "--to",
        sanctioned,
        "--amount",
        "0.0001",
        "--out",
        str(out),
        "--utxo",
        f"{'11' * 32}:0:100000:{ours}",
    ]
    refused = run_wallet(args, home=btc_home)
    assert refused.returncode == 3
    assert refused.json()["error"]["screening"]["findings"][0]["rule"] == "sanctioned"
    assert not out.exists()
    allowed = run_wallet([*args, "--allow", "sanctioned"], home=btc_home)
    assert allowed.returncode == 0
    before = out.read_bytes()
    sign = run_wallet(
        ["--json", "--network", "bitcoin", "psbt", "sign", str(out)],
        home=btc_home,
        env=clean_env(**ENV),
    )
    assert sign.returncode == 3  # signing screens again; nothing signed
    assert out.read_bytes() == before
