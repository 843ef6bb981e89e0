"""A Bitcoin backend that lies (the local Esplora/bitcoind servers of
test_bitcoin_backends.py, over a chain of real transactions, told to quote a huge fee rate,
send malformed amounts, stall or flood): the wallet refuses with exit 6, names the field,
and broadcasts nothing.

The wallet's own balance and coins now come from bdk's store, synced by bdk's Esplora
client (which reads /scripthash/H/txs, not /address/A/utxo) or by bitcoind's
`scantxoutset` over descriptors: a lie in /utxo is seen by `balance ADDRESS`, which still
asks that endpoint; a lie in the transactions bdk reads is a malformed reply too.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_wallet
from tests.integration.test_bitcoin_backends import ENV, Served, btc, served, setup_home
from tests.integration.test_psbt_cli import FOREIGN

__all__ = ["served"]  # the fixture

SATS = 12_345_678


def set_network(home: Path, rpc: str, backend: str, *extra: str) -> None:
    command = ["network", "add", "bitcoin-regtest", "--chain", "btc", "--rpc", rpc]
    added = run_wallet([*command, "--backend", backend, *extra], home=home)
    assert added.returncode == 0, added.stdout + added.stderr


def refused(result: Any, code: str, exit_code: int = 6) -> str:
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    error = result.json()["error"]
    assert error["code"] == code, error
    assert "unexpected" not in error["message"]
    return str(error["message"])


@pytest.mark.parametrize(
    ("backend", "estimate", "quoted"),
    [("esplora", '{"2": 900.5, "6": 800}', 901), ("bitcoind", "0.01", 1000)],
)
def test_a_backend_fee_rate_above_max_fee_rate_is_refused(
    home: Path, tmp_path: Path, served: Served, backend: str, estimate: str, quoted: int
) -> None:
    ours = setup_home(home, served.url(backend), backend)
    served.fund(ours, SATS)
    served.fund(ours, SATS)  # a second coin: the sends below need no unconfirmed change
    if backend == "esplora":
        served.fee_estimates = estimate
    else:
        served.feerate = estimate
    sent = btc(home, "send", "--to", FOREIGN, "--amount", "0.01", env=ENV)
    message = refused(sent, "fee-above-ceiling")
    assert f"quotes {quoted} sat/vB, above max-fee-rate 500 sat/vB" in message
    out = tmp_path / "high.psbt"
    created = btc(home, "psbt", "create", "--to", FOREIGN, "--amount", "0.01", "--out", str(out))
    refused(created, "fee-above-ceiling")
    assert not out.exists()
    assert served.chain.broadcasts == []

    explicit = ["send", "--to", FOREIGN, "--amount", "0.01", "--fee-rate", "600"]
    assert "typo" in refused(btc(home, *explicit, env=ENV), "bad-input", 2)
    assert btc(home, "--yes", *explicit, env=ENV).returncode == 0
    assert len(served.chain.broadcasts) == 1

    set_network(home, served.url(backend), backend, "--max-fee-rate", "2000")
    raised = btc(home, "send", "--to", FOREIGN, "--amount", "0.01", env=ENV)
    assert raised.returncode == 0, raised.stdout
    assert len(served.chain.broadcasts) == 2


@pytest.mark.parametrize(
    ("backend", "lie", "raw", "command", "needles"),
    [
        ("esplora", "fee_estimates", '{"2": "fast"}', "send", ["/fee-estimates", "2 blocks"]),
        ("esplora", "fee_estimates", "[1, 2]", "send", ["/fee-estimates", "table"]),
        ("esplora", "fee_estimates", '{"2": -3}', "send", ["/fee-estimates", "2 blocks"]),
        ("esplora", "utxo_value", '"abc"', "balance-of", ["/utxo", "value", "abc"]),
        ("esplora", "utxo_value", "null", "balance-of", ["/utxo", "value", "None"]),
        ("esplora", "utxo_value", "1.5", "balance-of", ["/utxo", "value"]),
        ("esplora", "scripthash_body", '[{"txid": 5}]', "balance", ["Esplora"]),
        ("esplora", "scripthash_body", "not json", "balance", ["Esplora", "JSON"]),
        ("bitcoind", "amount", '"abc"', "balance", ["scantxoutset", "amount", "abc"]),
        ("bitcoind", "amount", "null", "balance", ["scantxoutset", "amount"]),
        ("bitcoind", "amount", "0.123456789", "balance", ["scantxoutset", "amount"]),
        ("bitcoind", "amount", '"abc"', "balance-of", ["scantxoutset", "amount", "abc"]),
        ("bitcoind", "amount", "0.123456789", "send", ["scantxoutset", "amount"]),
        ("bitcoind", "feerate", '"x"', "send", ["estimatesmartfee", "feerate"]),
        ("bitcoind", "feerate", "-1", "send", ["estimatesmartfee", "feerate"]),
        ("bitcoind", "feerate", "1e999999999", "send", ["estimatesmartfee", "feerate"]),
    ],
)
def test_a_malformed_backend_reply_is_exit_6_naming_the_field(
    home: Path,
    served: Served,
    backend: str,
    lie: str,
    raw: str,
    command: str,
    needles: list[str],
) -> None:
    ours = setup_home(home, served.url(backend), backend)
    served.fund(ours, SATS)
    setattr(served, lie, raw)
    args = {
        "send": ["send", "--to", FOREIGN, "--amount", "0.01"],
        "balance": ["balance"],
        "balance-of": ["balance", ours],
    }[command]
    message = refused(btc(home, *args, env=ENV), "malformed-reply")
    for needle in needles:
        assert needle in message, message
    assert served.chain.broadcasts == []
    setattr(served, lie, None)  # the control: the honest reply is read
    if command == "send":
        assert btc(home, *args, env=ENV).returncode == 0
        assert len(served.chain.broadcasts) == 1
    else:
        assert btc(home, *args).json()["base_units"] == str(SATS)


@pytest.mark.parametrize("backend", ["esplora", "bitcoind"])
def test_a_stalled_or_flooding_backend_is_cut_off(home: Path, served: Served, backend: str) -> None:
    """`balance ADDRESS` asks through the wallet's own HTTP client, whose --rpc-timeout and
    32 MiB cap hold per request (the store's bdk sync has only an overall deadline, and
    bitcoind's scantxoutset its own long one)."""
    ours = setup_home(home, served.url(backend), backend)
    served.fund(ours, SATS)
    set_network(home, served.url(backend), backend, "--rpc-timeout", "1")
    served.stall = True
    started = time.monotonic()
    assert "did not answer within 1 s" in refused(btc(home, "balance", ours), "node-unreachable")
    assert time.monotonic() - started < 1 + 4
    served.stall, served.huge = False, True
    assert "larger than 32 MiB" in refused(btc(home, "balance", ours), "reply-too-large")
    if backend == "bitcoind":  # the store's scan goes through the same capped client
        assert "larger than 32 MiB" in refused(btc(home, "balance"), "reply-too-large")
    served.huge = False
    assert btc(home, "balance", ours).json()["base_units"] == str(SATS)
