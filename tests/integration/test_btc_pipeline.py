"""Bitcoin through the one pipeline, each step a `wallet` process against a local Esplora
server over a chain of real transactions (tests/fake_esplora.py): coins come from bdk's
store, synced with a stop gap of 20; bdk picks them; a fee bump replaces a send; a batch is
one transaction. Every broadcast transaction is checked input by input by Bitcoin Core's
script interpreter (py-bitcoinkernel) against the outputs it spends, read from the chain."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, Result, clean_env, load_vectors, run_wallet
from tests.fake_esplora import Chain, Tx, parse_tx
from tests.integration.test_bitcoin_backends import Served, served
from tests.integration.test_psbt_cli import FOREIGN, kernel_verify

__all__ = ["served"]  # the fixture

MNEMONIC = load_vectors("bip84.json")["mnemonic"]
ENV = {"WALLET_PASSPHRASE": PASSPHRASE}
NAME = "pay"
OTHER = "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry"  # P2WSH


def wallet(home: Path, *args: str, timeout: float = 120) -> Result:
    return run_wallet(
        ["--json", "--network", "bitcoin-regtest", *args],
        home=home,
        env=clean_env(**ENV),
        timeout=timeout,
    )


@pytest.fixture
def btc_home(home: Path, served: Served) -> Path:
    restored = run_wallet(
        ["restore", "--name", NAME], home=home, stdin=MNEMONIC, env=clean_env(**ENV)
    )
    assert restored.returncode == 0, restored.stderr
    added = run_wallet(
        [
            *("network", "add", "bitcoin-regtest", "--chain", "btc"),
            *("--rpc", served.url("esplora"), "--backend", "esplora"),
        ],
        home=home,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    return home


def receive(home: Path, count: int, script: str = "wpkh") -> list[str]:
    shown = wallet(home, "address", "--count", str(count), "--script", script).json()
    return [str(row["address"]) for row in shown["addresses"]]


def change_addresses(count: int, script: str = "wpkh") -> list[str]:
    """The wallet's first change (internal keychain) addresses, derived by bdk from the
    mnemonic, not by the wallet."""
    import bdkpython as bdk

    key = bdk.DescriptorSecretKey(bdk.NetworkKind.TEST, bdk.Mnemonic.from_string(MNEMONIC), None)
    new = bdk.Descriptor.new_bip86 if script == "tr" else bdk.Descriptor.new_bip84
    internal = new(key, bdk.KeychainKind.INTERNAL, bdk.NetworkKind.TEST)
    return [str(internal.derive_address(i, bdk.Network.REGTEST)) for i in range(count)]


def spk(address: str) -> bytes:
    import bdkpython

    return bytes(bdkpython.Address(address, bdkpython.Network.REGTEST).script_pubkey().to_bytes())


def verified(chain: Chain, raw: str) -> Tx:
    """The broadcast transaction, every input accepted by Core's interpreter (and refused
    when an amount it commits to is off by one sat)."""
    tx = parse_tx(bytes.fromhex(raw))
    spent = []
    for txid, vout, *_ in tx.inputs:
        sats, script = chain.txs[txid].outputs[vout]
        spent.append((script, sats))
    assert kernel_verify(raw, spent) == [True] * len(spent)
    assert kernel_verify(raw, [(s, sats + 1) for s, sats in spent]) == [False] * len(spent)
    return tx


def fee_of(chain: Chain, tx: Tx) -> int:
    spent = sum(chain.txs[txid].outputs[vout][0] for txid, vout, *_ in tx.inputs)
    return spent - sum(sats for sats, _ in tx.outputs)


def journal(home: Path) -> list[dict[str, Any]]:
    path = home / "history" / f"{NAME}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def statuses(home: Path) -> dict[str, str]:
    rows = wallet(home, "history").json()["transactions"]
    return {r["tx_hash"]: r["status"] for r in rows}


def test_one_coin_of_five_pays_with_change_to_a_change_address(
    btc_home: Path, served: Served
) -> None:
    ours = receive(btc_home, 5)
    for index, address in enumerate(ours):
        served.fund(address, 100_000 * (index + 1))
    config = btc_home / "config.toml"
    policy = f'\n[wallets.{NAME}.policy.BTC]\nmax-per-transfer = "0.001"\n'
    config.write_text(config.read_text() + policy)
    blocked = wallet(btc_home, "send", "--to", FOREIGN, "--amount", "0.0015", "--fee-rate", "2")
    assert blocked.returncode == 3, blocked.stdout + blocked.stderr
    assert served.chain.broadcasts == []

    sent = wallet(
        btc_home,
        "send",
        "--to",
        FOREIGN,
        "--amount",
        "0.0015",
        "--fee-rate",
        "2",
        "--allow",
        "spending-limit",
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    (raw,) = served.chain.broadcasts
    tx = verified(served.chain, raw)
    assert sent.json()["tx_hash"] == tx.txid
    assert len(tx.inputs) == 1  # one coin covers 150,000 sat: bdk takes no more
    paid = [(sats, script) for sats, script in tx.outputs if script == spk(FOREIGN)]
    assert paid == [(150_000, spk(FOREIGN))]
    (change,) = [script for _, script in tx.outputs if script != spk(FOREIGN)]
    assert change in [spk(a) for a in change_addresses(5)]
    assert change not in [spk(a) for a in receive(btc_home, 40)]
    assert 0 < fee_of(served.chain, tx) < 1_000

    events = [e for e in journal(btc_home) if e.get("tx_hash") == tx.txid]
    assert [e["event"] for e in events] == ["signed", "broadcast"]
    assert events[0]["allowed_blocks"] == ["spending-limit"]
    assert events[0]["raw"] == raw
    assert statuses(btc_home)[tx.txid] == "broadcast"


def test_a_coin_past_35_used_addresses_is_found(btc_home: Path, served: Served) -> None:
    """Receive addresses 0..34 used, a coin at 35: a stop gap of 20 counted from the last
    used address finds it; a coin 21 addresses past the last used one is not found."""
    ours = receive(btc_home, 57)
    served.chain.fund([(10_000 + i, spk(ours[i])) for i in range(35)])
    served.fund(ours[35], 777_777)
    served.fund(ours[56], 1_000_000)  # 36..55 are the 20 unused addresses a scan asks about
    balance = wallet(btc_home, "balance").json()
    assert balance["base_units"] == str(sum(10_000 + i for i in range(35)) + 777_777)
    asked = {r for r in served.chain.requests if r.startswith("/scripthash/")}
    assert len(asked) >= 2 * 20  # both keychains walked, not just the receive addresses


def test_tx_bump_replaces_a_send_at_a_higher_fee(btc_home: Path, served: Served) -> None:
    (ours,) = receive(btc_home, 1)
    served.fund(ours, 500_000)
    sent = wallet(btc_home, "send", "--to", FOREIGN, "--amount", "0.002", "--fee-rate", "2")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    original = verified(served.chain, served.chain.broadcasts[0])

    low = wallet(btc_home, "--yes", "tx", "bump", original.txid, "--fee-rate", "1")
    assert low.returncode == 2, low.stdout
    assert low.json()["error"]["code"] == "bad-input"
    assert "already pays 2.00 sat/vB" in low.json()["error"]["message"]
    assert len(served.chain.broadcasts) == 1

    bumped = wallet(btc_home, "--yes", "tx", "bump", original.txid, "--fee-rate", "12")
    assert bumped.returncode == 0, bumped.stdout + bumped.stderr
    assert len(served.chain.broadcasts) == 2
    replacement = verified(served.chain, served.chain.broadcasts[1])
    assert bumped.json()["tx_hash"] == replacement.txid
    assert bumped.json()["replaces"] == original.txid
    assert replacement.txid != original.txid
    assert {(i[0], i[1]) for i in original.inputs} <= {(i[0], i[1]) for i in replacement.inputs}
    foreign = [(s, script) for s, script in original.outputs if script == spk(FOREIGN)]
    assert [(s, script) for s, script in replacement.outputs if script == spk(FOREIGN)] == foreign
    assert fee_of(served.chain, replacement) > fee_of(served.chain, original)
    rate = fee_of(served.chain, replacement) / (replacement.weight / 4)
    assert 11.5 <= rate <= 13
    assert original.txid not in served.chain.txs  # the fake's mempool let it go

    served.chain.mine()
    settled = wallet(btc_home, "tx", "status", replacement.txid)
    assert settled.returncode == 0, settled.stdout
    assert settled.json()["status"] == "success"
    rows = statuses(btc_home)
    assert (rows[original.txid], rows[replacement.txid]) == ("replaced", "confirmed")
    replaced = [e for e in journal(btc_home) if e["event"] == "replaced"]
    assert [(e["tx_hash"], e["by"]) for e in replaced] == [(original.txid, replacement.txid)]

    again = wallet(btc_home, "--yes", "tx", "bump", replacement.txid, "--fee-rate", "30")
    assert again.returncode == 2, again.stdout
    assert again.json()["error"]["code"] == "tx-already-mined"
    assert len(served.chain.broadcasts) == 2


def test_taproot_account_sends_with_script_tr(btc_home: Path, served: Served) -> None:
    taproot = receive(btc_home, 2, "tr")
    assert all(a.startswith("bcrt1p") for a in taproot)
    served.fund(taproot[0], 60_000)
    served.fund(taproot[1], 70_000)
    served.fund(receive(btc_home, 1)[0], 1_000_000)  # the wpkh account's coin is not touched
    sent = wallet(
        btc_home, "send", "--script", "tr", "--to", FOREIGN, "--amount", "0.001", "--fee-rate", "3"
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    (raw,) = served.chain.broadcasts
    tx = verified(served.chain, raw)  # taproot signatures commit to every spent output
    spent = {served.chain.txs[t].outputs[v][1] for t, v, *_ in tx.inputs}
    assert spent == {spk(taproot[0]), spk(taproot[1])}
    assert all(len(w) == 1 and len(w[0]) in (64, 65) for *_, w in tx.inputs)  # key path
    (change,) = [script for _, script in tx.outputs if script != spk(FOREIGN)]
    assert change in [spk(a) for a in change_addresses(5, "tr")]
    assert wallet(btc_home, "balance").json()["base_units"] == "1000000"  # wpkh: untouched


def third_party() -> str:
    import bdkpython as bdk

    words = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    key = bdk.DescriptorSecretKey(bdk.NetworkKind.TEST, bdk.Mnemonic.from_string(words), None)
    external = bdk.Descriptor.new_bip86(key, bdk.KeychainKind.EXTERNAL, bdk.NetworkKind.TEST)
    return str(external.derive_address(0, bdk.Network.REGTEST))


def test_a_batch_is_one_transaction_and_a_rerun_pays_nothing_twice(
    btc_home: Path, served: Served, tmp_path: Path
) -> None:
    ours = receive(btc_home, 2)
    served.fund(ours[0], 400_000)
    served.fund(ours[1], 300_000)
    rows = [(FOREIGN, 100_000), (OTHER, 200_000), (third_party(), 50_000)]
    csv = tmp_path / "pay.csv"
    lines = [f"{address},{sats / 10**8:.8f}," for address, sats in rows]
    csv.write_text("to,amount,token\n" + "\n".join(lines) + "\n")
    first = wallet(btc_home, "--yes", "batch", str(csv), "--no-wait")
    assert first.returncode == 0, first.stdout + first.stderr
    (raw,) = served.chain.broadcasts
    tx = verified(served.chain, raw)
    outputs = [(sats, script) for sats, script in tx.outputs]
    for address, sats in rows:
        assert outputs.count((sats, spk(address))) == 1
    assert len(outputs) == 4  # three rows and the change
    (change,) = [o for o in outputs if o[1] in [spk(a) for a in change_addresses(5)]]
    assert change[0] > 0

    again = wallet(btc_home, "--yes", "batch", str(csv), "--no-wait")
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(served.chain.broadcasts) == 1
    served.chain.mine()
    third = wallet(btc_home, "--yes", "batch", str(csv), "--timeout", "5")
    assert third.returncode == 0, third.stdout + third.stderr
    assert len(served.chain.broadcasts) == 1
    left = 700_000 - sum(sats for _, sats in rows) - fee_of(served.chain, tx)
    assert wallet(btc_home, "balance").json()["base_units"] == str(left)


def test_a_batch_waiting_for_a_block_polls_the_backend_gently(
    btc_home: Path, served: Served, tmp_path: Path
) -> None:
    (ours,) = receive(btc_home, 1)
    served.fund(ours, 400_000)
    csv = tmp_path / "pay.csv"
    csv.write_text(f"to,amount,token\n{FOREIGN},0.001,\n{OTHER},0.002,\n")
    started = time.monotonic()
    waited = wallet(btc_home, "--yes", "batch", str(csv), "--timeout", "4")
    assert time.monotonic() - started < 4 + 20
    assert waited.returncode == 0, waited.stdout + waited.stderr
    assert len(served.chain.broadcasts) == 1
    looks = [r for r in served.chain.requests if r.endswith("/status")]
    assert 1 <= len(looks) <= 10, len(looks)


def test_dry_run_signs_broadcasts_nothing_and_spends_no_coin(
    btc_home: Path, served: Served
) -> None:
    (ours,) = receive(btc_home, 1)
    funding = served.fund(ours, 250_000)
    dry = wallet(btc_home, "send", "--to", FOREIGN, "--amount", "0.001", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert dry.json()["status"] == "not-broadcast"
    signed = verified(served.chain, dry.json()["raw_transaction"])
    assert [(i[0], i[1]) for i in signed.inputs] == [(funding, 0)]
    assert served.chain.broadcasts == []
    assert not any(r.startswith("POST") for r in served.chain.requests)
    assert wallet(btc_home, "balance").json()["base_units"] == "250000"
    # The store did not count the coin as spent: a real send can still take it.
    sent = wallet(btc_home, "send", "--to", FOREIGN, "--amount", "0.001")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    (raw,) = served.chain.broadcasts
    assert [(i[0], i[1]) for i in verified(served.chain, raw).inputs] == [(funding, 0)]


def test_a_send_without_a_terminal_previews_on_stderr_with_the_real_fee(
    btc_home: Path, served: Served
) -> None:
    (ours,) = receive(btc_home, 1)
    served.fund(ours, 400_000)
    sent = run_wallet(
        [
            *("--network", "bitcoin-regtest", "send", "--to", FOREIGN),
            *("--amount", "0.001", "--fee-rate", "2"),
        ],
        home=btc_home,
        env=clean_env(**ENV),
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    (raw,) = served.chain.broadcasts
    tx = verified(served.chain, raw)
    fee = fee_of(served.chain, tx)
    preview = sent.stderr[sent.stderr.index("About to sign:") :]
    assert f"0.001 BTC -> {FOREIGN}" in preview
    assert f"from {ours} on bitcoin-regtest; fee at most {fee / 10**8:.8f} BTC" in preview
    assert f"tx {tx.txid}: pending" in sent.stdout


def test_tx_speed_up_on_bitcoin_is_a_bump_by_the_multiplier(btc_home: Path, served: Served) -> None:
    (ours,) = receive(btc_home, 1)
    served.fund(ours, 500_000)
    sent = wallet(btc_home, "send", "--to", FOREIGN, "--amount", "0.002", "--fee-rate", "4")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    original = verified(served.chain, served.chain.broadcasts[0])
    faster = wallet(btc_home, "--yes", "tx", "speed-up", original.txid, "--fee-multiplier", "2")
    assert faster.returncode == 0, faster.stdout + faster.stderr
    replacement = verified(served.chain, served.chain.broadcasts[1])
    assert faster.json()["tx_hash"] == replacement.txid
    paid = fee_of(served.chain, replacement) / (replacement.weight / 4)
    assert 7.5 <= paid <= 9  # 4 sat/vB times 2
    foreign = [(s, script) for s, script in original.outputs if script == spk(FOREIGN)]
    assert [(s, script) for s, script in replacement.outputs if script == spk(FOREIGN)] == foreign
    cancel = wallet(btc_home, "--yes", "tx", "cancel", replacement.txid)
    assert cancel.returncode == 2, cancel.stdout
    assert "tx bump" in cancel.json()["error"]["message"]
    assert len(served.chain.broadcasts) == 2
