"""PSBTs as other wallets hand them over, through `wallet psbt`: inputs carrying only the
previous transaction, inputs without our key's derivation, the binary file form, version-0
PSBTs with version-2 fields, non-ALL sighashes and BIP-371 script-path PSBTs. Every
signature is checked by Bitcoin Core's interpreter (py-bitcoinkernel)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from chains.btc import psbt_map
from tests.conftest import PASSPHRASE, clean_env, load_vectors, run_wallet
from tests.integration.test_psbt_cli import FOREIGN, MNEMONIC, kernel_verify, our_address, wallet

ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
BIP370 = load_vectors("bip370.json")
BIP371 = load_vectors("bip371.json")


@pytest.fixture
def btc_home(home: Path) -> Path:
    """A home holding the BIP-84 test mnemonic's wallet."""
    restored = run_wallet(["restore"], home=home, stdin=MNEMONIC, env=clean_env(**ENV))
    assert restored.returncode == 0
    return home


def spk(address: str) -> bytes:
    import bdkpython

    return bytes(bdkpython.Address(address, bdkpython.Network.REGTEST).script_pubkey().to_bytes())


def previous_tx(outputs: list[tuple[int, bytes]]) -> bytes:
    body = b"\x02\x00\x00\x00" + b"\x01" + b"\x44" * 32 + b"\x00" * 4 + b"\x00" + b"\xff" * 4
    body += bytes([len(outputs)])
    for sats, script in outputs:
        body += sats.to_bytes(8, "little") + bytes([len(script)]) + script
    return body + b"\x00" * 4


def txid_of(tx: bytes) -> str:
    return hashlib.sha256(hashlib.sha256(tx).digest()).digest()[::-1].hex()


class Built:
    """An unsigned PSBT made by `wallet psbt create` from two coins of ours: one in a
    previous transaction we hold (receive address 7, 100,000 sat) and one at change address
    2 (50,000 sat)."""

    def __init__(self, home: Path, tmp_path: Path) -> None:
        import bdkpython

        self.home = home
        self.path = tmp_path / "pay.psbt"
        receive7 = our_address(home, 7)
        public = wallet(home, "descriptors").json()["internal"]
        descriptor = bdkpython.Descriptor(public, bdkpython.NetworkKind.TEST)
        self.change2 = str(descriptor.derive_address(2, bdkpython.Network.REGTEST))
        self.previous = previous_tx([(1_000, spk(FOREIGN)), (100_000, spk(receive7))])
        self.spent = {
            f"{txid_of(self.previous)}:1": (spk(receive7), 100_000),
            f"{'55' * 32}:0": (spk(self.change2), 50_000),
        }
        coins = [f"{txid_of(self.previous)}:1:100000:{receive7}", f"{'55' * 32}:0:50000"]
        coins[1] += f":{self.change2}"
        args = ["psbt", "create", "--to", FOREIGN, "--amount", "0.0012", "--out", str(self.path)]
        created = wallet(home, *args, *[a for c in coins for a in ("--utxo", c)])
        assert created.returncode == 0, created.stdout + created.stderr

    def raw(self) -> psbt_map.RawPsbt:
        return psbt_map.parse(base64.b64decode(self.path.read_text()))

    def rewrite(self, change: object) -> None:
        raw = self.raw()
        inputs = [
            change(raw.tx.inputs[i], list(pairs))  # type: ignore[operator]
            for i, pairs in enumerate(raw.inputs)
        ]
        updated = psbt_map.RawPsbt(0, raw.globals, raw.tx, inputs, raw.outputs)
        self.path.write_text(base64.b64encode(updated.serialize()).decode() + "\n")

    def spent_outputs(self) -> list[tuple[bytes, int]]:
        return [self.spent[f"{i.txid}:{i.vout}"] for i in self.raw().tx.inputs]

    def sign_and_verify(self) -> None:
        signed = wallet(self.home, "psbt", "sign", str(self.path), env=ENV)
        assert signed.returncode == 0, signed.stdout + signed.stderr
        assert signed.json()["signed_inputs"] == 2
        final = wallet(self.home, "psbt", "finalize", str(self.path))
        assert final.returncode == 0, final.stdout
        assert kernel_verify(final.json()["raw_transaction"], self.spent_outputs()) == [True, True]


def only_previous_tx(built: Built) -> object:
    def change(txin: psbt_map.TxIn, pairs: list[psbt_map.Pair]) -> list[psbt_map.Pair]:
        if txin.txid != txid_of(built.previous):
            return pairs
        return sorted([(k, v) for k, v in pairs if k[0] != 0x01] + [(b"\x00", built.previous)])

    return change


def without_derivations(txin: psbt_map.TxIn, pairs: list[psbt_map.Pair]) -> list[psbt_map.Pair]:
    return [(k, v) for k, v in pairs if k[0] != 0x06]


def test_input_with_only_the_previous_transaction(btc_home: Path, tmp_path: Path) -> None:
    built = Built(btc_home, tmp_path)
    built.rewrite(only_previous_tx(built))
    shown = wallet(btc_home, "psbt", "show", str(built.path))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    by_outpoint = {i["outpoint"]: i for i in shown.json()["inputs"]}
    first = by_outpoint[f"{txid_of(built.previous)}:1"]
    assert first["sats"] == 100_000
    assert first["utxo"] == "non_witness_utxo"
    assert first["mine"] is True
    assert shown.json()["fee"] == 150_000 - sum(o["sats"] for o in shown.json()["outputs"])
    built.sign_and_verify()


def test_inputs_without_derivation_are_found_by_script(btc_home: Path, tmp_path: Path) -> None:
    built = Built(btc_home, tmp_path)
    built.rewrite(without_derivations)
    assert all(not psbt_map.values(p, 0x06) for p in built.raw().inputs)
    built.sign_and_verify()


def test_both_at_once(btc_home: Path, tmp_path: Path) -> None:
    built = Built(btc_home, tmp_path)
    built.rewrite(only_previous_tx(built))
    built.rewrite(without_derivations)
    built.sign_and_verify()


def test_previous_transaction_that_does_not_match(btc_home: Path, tmp_path: Path) -> None:
    built = Built(btc_home, tmp_path)
    other = previous_tx([(1_000, spk(FOREIGN)), (100_001, spk(our_address(btc_home, 7)))])

    def change(txin: psbt_map.TxIn, pairs: list[psbt_map.Pair]) -> list[psbt_map.Pair]:
        if txin.txid != txid_of(built.previous):
            return pairs
        return sorted([(k, v) for k, v in pairs if k[0] != 0x01] + [(b"\x00", other)])

    built.rewrite(change)
    before = built.path.read_bytes()
    for command in ("show", "sign", "finalize"):
        result = wallet(btc_home, "psbt", command, str(built.path), env=ENV)
        assert result.returncode == 2, result.stdout
        error = result.json()["error"]
        assert error["code"] == "invalid-psbt"
        assert f"({txid_of(built.previous)}:1)" in error["message"]
        assert "PSBT_IN_NON_WITNESS_UTXO" in error["message"]
    assert built.path.read_bytes() == before


def test_an_owned_input_that_cannot_be_signed_fails_the_command(
    btc_home: Path,
    tmp_path: Path,
) -> None:
    """An input paying our taproot (BIP-86) account, which PSBT signing does not cover yet:
    it carries our fingerprint, so it is ours, and it stays unsigned."""
    built = Built(btc_home, tmp_path)
    raw = built.raw()
    fingerprint = psbt_map.values(raw.inputs[0], 0x06)[0][1][:4]  # our master key's
    hardened = 0x80000000
    path = [86 | hardened, 1 | hardened, 0 | hardened, 0, 0]  # BIP-86, regtest, index 0
    origin = fingerprint + b"".join(step.to_bytes(4, "little") for step in path)
    x_only = bytes.fromhex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    taproot_output = b"\x51\x20" + x_only
    target = raw.tx.inputs[0]

    def change(txin: psbt_map.TxIn, pairs: list[psbt_map.Pair]) -> list[psbt_map.Pair]:
        if txin != target:
            return pairs
        amount = (50_000).to_bytes(8, "little")
        keep = [(k, v) for k, v in pairs if k[0] not in (0x00, 0x01, 0x06)]
        return sorted(
            [
                *keep,
                (b"\x01", amount + bytes([len(taproot_output)]) + taproot_output),
                (b"\x16" + x_only, b"\x00" + origin),
            ]
        )

    built.rewrite(change)
    before = built.path.read_bytes()
    result = wallet(btc_home, "psbt", "sign", str(built.path), env=ENV)
    assert result.returncode == 2, result.stdout + result.stderr
    error = result.json()["error"]
    assert error["code"] == "inputs-not-signed", error["message"]
    assert error["signed_inputs"] == 1
    assert error["unsigned_inputs"] == [{"index": 0, "outpoint": f"{target.txid}:{target.vout}"}]
    assert built.path.read_bytes() == before


def test_binary_psbt_files(btc_home: Path, tmp_path: Path) -> None:
    built = Built(btc_home, tmp_path)
    binary = tmp_path / "pay.bin"
    binary.write_bytes(base64.b64decode(built.path.read_text()))
    shown = wallet(btc_home, "psbt", "show", str(binary))
    assert shown.returncode == 0, shown.stdout
    copy = tmp_path / "copy.bin"
    copy.write_bytes(binary.read_bytes())
    signed = wallet(btc_home, "psbt", "sign", "--binary", str(copy), env=ENV)
    assert signed.returncode == 0, signed.stdout
    assert copy.read_bytes().startswith(b"psbt\xff")
    text = wallet(btc_home, "psbt", "sign", str(binary), env=ENV)
    assert text.returncode == 0, text.stdout
    assert binary.read_text().strip() == base64.b64encode(copy.read_bytes()).decode()
    final = wallet(btc_home, "psbt", "finalize", str(copy)).json()["raw_transaction"]
    assert kernel_verify(final, built.spent_outputs()) == [True, True]
    created = tmp_path / "made.bin"
    result = wallet(
        btc_home,
        "psbt",
        "create",
        "--binary",
        "--to",
        FOREIGN,
        "--amount",
        "0.0001",
        "--out",
        str(created),
        "--utxo",
        f"{'77' * 32}:0:50000:{our_address(btc_home, 0)}",
    )
    assert result.returncode == 0, result.stdout
    assert created.read_bytes().startswith(b"psbt\xff")


def test_non_all_sighash_is_refused_by_name(btc_home: Path, tmp_path: Path) -> None:
    built = Built(btc_home, tmp_path)
    built.rewrite(lambda txin, pairs: sorted([*pairs, (b"\x03", (0x83).to_bytes(4, "little"))]))
    shown = wallet(btc_home, "psbt", "show", str(built.path))
    assert {i["sighash"] for i in shown.json()["inputs"]} == {"SINGLE|ANYONECANPAY (0x83)"}
    before = built.path.read_bytes()
    result = wallet(btc_home, "psbt", "sign", str(built.path), env=ENV)
    assert result.returncode == 2, result.stdout
    error = result.json()["error"]
    assert error["code"] == "invalid-psbt"
    assert "input 0 asks for SINGLE|ANYONECANPAY (0x83)" in error["message"]
    assert built.path.read_bytes() == before


@pytest.mark.parametrize(
    "case",
    [c for c in BIP370["invalid"] if c["description"].startswith("PSBTv0")][1:4],
    ids=lambda c: c["description"][:50],
)
def test_version_0_with_version_2_fields(
    btc_home: Path, tmp_path: Path, case: dict[str, str]
) -> None:
    path = tmp_path / "v0.psbt"
    path.write_text(case["base64"])
    result = wallet(btc_home, "psbt", "show", str(path))
    assert result.returncode == 2
    field = case["description"].split("with ", 1)[1].rstrip(".")
    assert field in result.json()["error"]["message"]


@pytest.mark.parametrize(
    "case",
    [c for c in BIP371["valid"] if "script path" in c["description"]],
    ids=lambda c: c["description"][:60],
)
def test_bip371_script_path_psbts_are_shown(
    btc_home: Path, tmp_path: Path, case: dict[str, str]
) -> None:
    path = tmp_path / "tr.psbt"
    path.write_text(case["base64"])
    result = run_wallet(
        ["--json", "--network", "bitcoin", "psbt", "show", str(path)],
        home=btc_home,
        env=clean_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = result.json()
    assert document["inputs"][0]["sats"] == 5_000_000_000
    assert document["inputs"][0]["mine"] is False
    assert document["outputs"][0]["address"].startswith("bc1p")
