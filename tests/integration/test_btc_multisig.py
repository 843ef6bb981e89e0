"""A 2-of-3 P2WSH multisig (BIP-48) across three homes, each step a separate `wallet`
process: keys exchanged through `multisig btc-key`, the multisig created in every home
(the same descriptors everywhere, checked against bdk on its own from the mnemonics), funded
in a local Esplora (tests/fake_esplora.py), a PSBT created in A, signed in A and B, combined,
finalized and broadcast; the transaction's every input verified by Bitcoin Core's
interpreter (py-bitcoinkernel). One signature does not finalize; a PSBT of another multisig
is refused by sign and left byte-identical; bad keys and thresholds are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, Result, clean_env, make_fast_home, run_wallet
from tests.integration.test_bitcoin_backends import Served, served
from tests.integration.test_btc_pipeline import OTHER, verified

__all__ = ["served"]  # the fixture

MNEMONICS = {
    "a": "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
    "abandon about",
    "b": "cat swing flag economy stadium alone churn speed unique patch report train",
    "c": "legal winner thank year wave sausage worth useful legal winner thank year wave "
    "sausage worth useful legal will",
}
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}


def wallet(home: Path, *args: str, network: str = "bitcoin-regtest") -> Result:
    return run_wallet(
        ["--json", "--network", network, *args], home=home, env=clean_env(**ENV), timeout=120
    )


def ok(result: Result) -> Any:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.json()


def refused(result: Result, code: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.json()["error"]["code"] == code, result.stdout


@pytest.fixture
def homes(tmp_path: Path, served: Served) -> dict[str, Path]:
    made = {}
    for who, mnemonic in MNEMONICS.items():
        home = make_fast_home(tmp_path / who)
        restored = run_wallet(["restore"], home=home, stdin=mnemonic, env=clean_env(**ENV))
        assert restored.returncode == 0, restored.stderr
        added = run_wallet(
            [
                *("network", "add", "bitcoin-regtest", "--chain", "btc"),
                *("--rpc", served.url("esplora"), "--backend", "esplora"),
            ],
            home=home,
        )
        assert added.returncode == 0, added.stdout + added.stderr
        made[who] = home
    return made


def bdk_key(mnemonic: str) -> str:
    """The BIP-48 key with origin as bdk derives it from the mnemonic, not the wallet."""
    import bdkpython as bdk

    secret = bdk.DescriptorSecretKey(bdk.NetworkKind.TEST, bdk.Mnemonic.from_string(mnemonic), None)
    return str(secret.derive(bdk.DerivationPath("m/48'/1'/0'/2'")).as_public())


def bdk_addresses(keys: list[str], chain: int, count: int) -> list[str]:
    """First addresses of wsh(sortedmulti(2, …)) built by bdk alone, keys in reverse order
    (sortedmulti sorts the public keys itself)."""
    import bdkpython as bdk

    members = ",".join(f"{k}/{chain}/*" for k in reversed(keys))
    descriptor = bdk.Descriptor(f"wsh(sortedmulti(2,{members}))", bdk.NetworkKind.TEST)
    return [str(descriptor.derive_address(i, bdk.Network.REGTEST)) for i in range(count)]


def keys_of(homes: dict[str, Path]) -> dict[str, str]:
    return {who: ok(wallet(home, "multisig", "btc-key"))["key"] for who, home in homes.items()}


def create(home: Path, name: str, threshold: int, *keys: str) -> Result:
    cosigners = [arg for key in keys for arg in ("--cosigner", key)]
    return wallet(
        home, "multisig", "create", "--chain", "btc", "--name", name,
        "--threshold", str(threshold), *cosigners,
    )  # fmt: skip


def spend_args(name: str, out: Path, amount: str = "0.0005") -> list[str]:
    return [
        *("psbt", "create", "--multisig", name, "--to", OTHER, "--amount", amount),
        *("--fee-rate", "2", "--out", str(out)),
    ]


def spend(home: Path, name: str, out: Path, amount: str = "0.0005") -> Any:
    return ok(wallet(home, *spend_args(name, out, amount)))


def test_two_of_three_across_three_homes(
    homes: dict[str, Path], served: Served, tmp_path: Path
) -> None:
    import bdkpython as bdk

    keys = keys_of(homes)
    assert keys == {who: bdk_key(m) for who, m in MNEMONICS.items()}
    # A gives the others' keys (its own is added), B all three, C two in another order.
    made = {
        "a": ok(create(homes["a"], "vault", 2, keys["b"], keys["c"])),
        "b": ok(create(homes["b"], "vault", 2, keys["c"], keys["a"], keys["b"])),
        "c": ok(create(homes["c"], "vault", 2, keys["b"], keys["a"])),
    }
    assert made["a"]["own_key_added"]
    assert not made["b"]["own_key_added"]
    descriptors = made["a"]["descriptors"]
    assert all(m["descriptors"] == descriptors for m in made.values())
    assert descriptors[0].startswith("wsh(sortedmulti(2,")
    assert "#" in descriptors[0]
    assert sorted(made["a"]["keys"]) == sorted(keys.values())
    assert made["a"]["addresses"] == bdk_addresses(list(keys.values()), 0, 3)
    change = bdk.Descriptor(descriptors[1], bdk.NetworkKind.TEST)
    assert [str(change.derive_address(i, bdk.Network.REGTEST)) for i in range(3)] == (
        bdk_addresses(list(keys.values()), 1, 3)
    )

    first = made["a"]["addresses"][0]
    served.fund(first, 70_000)
    served.fund(made["a"]["addresses"][1], 40_000)
    shown = ok(wallet(homes["c"], "multisig", "info", "vault"))
    assert (shown["balance_sats"], shown["threshold"], shown["address"]) == (110_000, 2, first)

    unsigned = tmp_path / "spend.psbt"
    created = spend(homes["a"], "vault", unsigned)
    change_out = [o for o in created["outputs"] if o["mine"]]
    paid = [o for o in created["outputs"] if not o["mine"]]
    assert [(o["address"], o["sats"]) for o in paid] == [(OTHER, 50_000)]
    assert all(i["mine"] for i in created["inputs"])
    inputs = json.loads(bdk.Psbt(unsigned.read_text().strip()).json_serialize())["inputs"]
    assert all(i["witness_script"] and len(i["bip32_derivation"]) == 3 for i in inputs)
    assert {o["address"] for o in change_out} <= set(bdk_addresses(list(keys.values()), 1, 25))

    signed = {who: tmp_path / f"{who}.psbt" for who in ("a", "b")}
    for who, path in signed.items():
        shutil.copy(unsigned, path)
        done = ok(wallet(homes[who], "psbt", "sign", str(path), "--multisig", "vault"))
        assert done["signed_inputs"] == len(created["inputs"])
    # One signature does not finalize, nor broadcast.
    one = wallet(homes["a"], "psbt", "finalize", str(signed["a"]))
    refused(one, "invalid-psbt")
    assert "cannot be finalized" in one.json()["error"]["message"]
    assert wallet(homes["a"], "psbt", "broadcast", str(signed["a"])).returncode != 0
    assert served.chain.broadcasts == []
    # The same signer twice is still one signature.
    twice = tmp_path / "twice.psbt"
    ok(
        wallet(
            homes["a"], "psbt", "combine", str(signed["a"]), str(signed["a"]), "--out", str(twice)
        )
    )
    refused(wallet(homes["a"], "psbt", "finalize", str(twice)), "invalid-psbt")

    both = tmp_path / "both.psbt"
    ok(
        wallet(
            homes["c"], "psbt", "combine", str(signed["a"]), str(signed["b"]), "--out", str(both)
        )
    )
    raw = ok(wallet(homes["c"], "psbt", "finalize", str(both)))["raw_transaction"]
    tx = verified(served.chain, raw)
    real = bdk.Transaction(bytes.fromhex(raw)).vsize()
    assert real <= created["vsize"] <= real + len(tx.inputs)  # the shown fee rate holds
    assert 2 <= created["fee"] / real < 2.1
    assert len(tx.inputs) == len(created["inputs"])
    sent = ok(wallet(homes["c"], "psbt", "broadcast", str(both)))
    assert served.chain.broadcasts == [raw]
    assert sent["tx_hash"] == tx.txid


def test_a_psbt_of_another_multisig_is_not_signed(
    homes: dict[str, Path], served: Served, tmp_path: Path
) -> None:
    keys = keys_of(homes)
    ok(create(homes["a"], "vault", 2, keys["b"], keys["c"]))
    # Another multisig that shares A's key: its PSBT names A's fingerprint, yet A's
    # `sign --multisig vault` must not sign it.
    other = ok(create(homes["a"], "pair", 1, keys["b"]))
    served.fund(other["addresses"][0], 60_000)
    psbt = tmp_path / "pair.psbt"
    spend(homes["a"], "pair", psbt)
    before = psbt.read_bytes()
    refused(
        wallet(homes["a"], "psbt", "sign", str(psbt), "--multisig", "vault"), "not-this-multisig"
    )
    assert psbt.read_bytes() == before
    # Its own multisig signs it (1 of 2), and it finalizes.
    ok(wallet(homes["a"], "psbt", "sign", str(psbt), "--multisig", "pair"))
    raw = ok(wallet(homes["a"], "psbt", "finalize", str(psbt)))["raw_transaction"]
    verified(served.chain, raw)


def test_bad_keys_and_thresholds_are_refused(homes: dict[str, Path]) -> None:
    keys = keys_of({"a": homes["a"], "b": homes["b"]})
    home = homes["a"]
    for threshold in (0, 3):  # n is 2: A's own key and B's
        refused(create(home, "bad", threshold, keys["b"]), "invalid-multisig")
    refused(create(home, "bad", 1, keys["b"], keys["b"]), "invalid-multisig")
    # The same xpub under another origin is still the same key.
    fingerprint = keys["b"][1:9]
    moved = keys["b"].replace(fingerprint, "00000000" if fingerprint != "00000000" else "11111111")
    refused(create(home, "bad", 1, keys["b"], moved), "invalid-multisig")
    mainnet = ok(wallet(homes["b"], "multisig", "btc-key", network="bitcoin"))["key"]
    assert "/48'/0'/0'/2']xpub" in mainnet
    refused(create(home, "bad", 1, mainnet), "invalid-multisig")
    refused(create(home, "bad", 1, keys["b"].replace("/2']", "/1']")), "invalid-multisig")
    assert not (home / "multisigs.json").exists()


def limit(home: Path, btc: str) -> None:
    config = home / "config.toml"
    config.write_text(
        config.read_text() + f'\n[wallets.main.policy.BTC]\nmax-per-transfer = "{btc}"\n'
    )


def test_screening_runs_on_the_proposal_and_on_each_cosignature(
    homes: dict[str, Path], served: Served, tmp_path: Path
) -> None:
    keys = keys_of(homes)
    first = ok(create(homes["a"], "vault", 2, keys["b"], keys["c"]))["addresses"][0]
    ok(create(homes["b"], "vault", 2, keys["a"], keys["c"]))
    served.fund(first, 200_000)
    psbt = tmp_path / "spend.psbt"
    limit(homes["a"], "0.0001")
    blocked = wallet(homes["a"], *spend_args("vault", psbt))
    assert blocked.returncode == 3, blocked.stdout + blocked.stderr
    assert blocked.json()["error"]["screening"]["findings"]
    assert not psbt.exists()

    # B proposes; A's policy refuses to cosign, and the file stays as it was.
    spend(homes["b"], "vault", psbt)
    # C never created it: its show of this name is refused.
    refused(wallet(homes["c"], "psbt", "show", str(psbt), "--multisig", "vault"), "bad-input")
    before = psbt.read_bytes()
    again = wallet(homes["a"], "psbt", "sign", str(psbt), "--multisig", "vault")
    assert again.returncode == 3, again.stdout + again.stderr
    assert psbt.read_bytes() == before
    shown = ok(wallet(homes["a"], "psbt", "show", str(psbt), "--multisig", "vault"))
    assert shown["screening"]["findings"]
    assert shown["signed_inputs"] == 0
    assert all(i["mine"] for i in shown["inputs"])
    ok(wallet(homes["b"], "psbt", "sign", str(psbt), "--multisig", "vault"))
    assert (
        wallet(homes["b"], "psbt", "finalize", str(psbt)).json()["error"]["code"] == "invalid-psbt"
    )


def test_an_edited_record_is_refused(homes: dict[str, Path], tmp_path: Path) -> None:
    keys = keys_of({"a": homes["a"], "b": homes["b"]})
    ok(create(homes["a"], "vault", 2, keys["b"]))
    path = homes["a"] / "multisigs.json"
    document = json.loads(path.read_text())
    record = document["multisigs"][0]
    # A descriptor whose threshold was lowered to 1 no longer matches the record's keys.
    record["descriptors"] = ok(create(homes["b"], "solo", 1, keys["a"]))["descriptors"]
    path.write_text(json.dumps(document))
    refused(wallet(homes["a"], "multisig", "info", "vault"), "bad-input")
    psbt = tmp_path / "x.psbt"
    refused(wallet(homes["a"], *spend_args("vault", psbt)), "bad-input")
    assert not psbt.exists()
