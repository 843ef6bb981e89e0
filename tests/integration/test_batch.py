"""`wallet batch` against a real anvil: all rows screened before any signature, pipelined
sending, and re-runs that never send a row twice, even after a crash between signing and
broadcasting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, Result, clean_env, load_vectors, run_wallet
from tests.evm_helpers import Chain

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
RECIPIENTS = [v["address"] for v in ANVIL[1:6]]


def batch(home: Path, csv_path: Path, *extra: str) -> Result:
    return run_wallet(
        ["--json", "batch", str(csv_path), *extra],
        home=home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
        timeout=120,
    )


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("to,amount,token\n" + "\n".join(rows) + "\n")
    return path


def test_batch_sends_every_row_once(evm_home: Path, chain: Chain, tmp_path: Path) -> None:
    rows = [f"{address},0.{i + 1}," for i, address in enumerate(RECIPIENTS)]
    rows.append(f"{RECIPIENTS[0]},2.5,TUSD")
    csv_path = write_csv(tmp_path / "pay.csv", rows)
    before = {a: chain.balance(a) for a in RECIPIENTS}
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    first = batch(evm_home, csv_path)
    assert first.returncode == 0, first.stdout + first.stderr
    results = first.json()["results"]
    assert [r["row"] for r in results] == [2, 3, 4, 5, 6, 7]
    assert all(r["status"] == "success" and not r["skipped"] for r in results)
    assert results[-1]["unit"] == "TUSD"
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 6
    for i, address in enumerate(RECIPIENTS):
        assert chain.balance(address) - before[address] == (i + 1) * 10**17

    again = batch(evm_home, csv_path)
    assert again.returncode == 0
    assert all(r["skipped"] and r["status"] == "success" for r in again.json()["results"])
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 6
    assert run_wallet(["--json", "history", "--verify"], home=evm_home).json()["ok"]


@pytest.mark.parametrize(
    ("bad_row", "needle"),
    [
        ("0x1234,1,", "row 4"),
        (f"{RECIPIENTS[0]},-1,", "row 4"),
        (f"{RECIPIENTS[0]},1,NOPE", "row 4"),
        (f"{RECIPIENTS[0]}", "row 4"),
    ],
)
def test_a_bad_row_stops_the_whole_batch(
    evm_home: Path, chain: Chain, tmp_path: Path, bad_row: str, needle: str
) -> None:
    rows = [f"{RECIPIENTS[0]},1,", f"{RECIPIENTS[1]},1,", bad_row, f"{RECIPIENTS[2]},1,"]
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = batch(evm_home, write_csv(tmp_path / "bad.csv", rows))
    assert result.returncode == 2
    assert needle in result.json()["error"]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert not (evm_home / "history" / "dev.jsonl").exists()


def test_a_blocked_row_stops_the_whole_batch(evm_home: Path, chain: Chain, tmp_path: Path) -> None:
    rows = [f"{RECIPIENTS[0]},1,", "0x0000000000000000000000000000000000000000,1,"]
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = batch(evm_home, write_csv(tmp_path / "blocked.csv", rows))
    assert result.returncode == 3
    assert "row 3" in result.json()["error"]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_crash_between_signing_and_sending_is_resumed_once(
    evm_home: Path, chain: Chain, tmp_path: Path, devnet: object
) -> None:
    from wallet_cli.batch import run_batch
    from wallet_cli.store.config import Config
    from wallet_cli.store.home import Home
    from wallet_cli.wallet import Wallet

    rows = [f"{address},1," for address in RECIPIENTS[:3]]
    csv_path = write_csv(tmp_path / "crash.csv", rows)
    home = Home(evm_home)
    config = Config.load(home)
    wallet = Wallet.open(home, "dev")

    def crash_after_signing(stage: str, done: int, total: int) -> None:
        if stage == "signed":
            raise KeyboardInterrupt  # the process dies here: signed, journalled, not sent

    with pytest.raises(KeyboardInterrupt):
        run_batch(
            wallet,
            config.network("devnet"),
            config,
            csv_path,
            index=0,
            unlock=lambda: wallet.unlock(PASSPHRASE),
            confirm=lambda r, p: True,
            progress=crash_after_signing,
        )
    journal = [
        json.loads(line) for line in (evm_home / "history" / "dev.jsonl").read_text().splitlines()
    ]
    assert [e["event"] for e in journal] == ["signed"] * 3
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    before = {a: chain.balance(a) for a in RECIPIENTS[:3]}

    resumed = batch(evm_home, csv_path)
    assert resumed.returncode == 0, resumed.stdout
    assert all(r["skipped"] and r["status"] == "success" for r in resumed.json()["results"])
    assert [r["tx_hash"] for r in resumed.json()["results"]] == [e["tx_hash"] for e in journal]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 3
    for address in RECIPIENTS[:3]:
        assert chain.balance(address) - before[address] == 10**18
    assert batch(evm_home, csv_path).returncode == 0
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 3


def test_pending_rows_are_not_sent_again(evm_home: Path, chain: Chain, tmp_path: Path) -> None:
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    chain.client.call("evm_setAutomine", [False])
    try:
        csv_path = write_csv(tmp_path / "slow.csv", [f"{a},1," for a in RECIPIENTS[:2]])
        first = batch(evm_home, csv_path, "--no-wait")
        assert [r["status"] for r in first.json()["results"]] == ["pending", "pending"]
        again = batch(evm_home, csv_path, "--no-wait")
        assert [r["skipped"] for r in again.json()["results"]] == [True, True]
        assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 2  # the pending count: two, not four
    finally:
        chain.client.call("evm_setAutomine", [True])
        chain.client.call("evm_mine")
    done = batch(evm_home, csv_path)
    assert [r["status"] for r in done.json()["results"]] == ["success", "success"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 2


def test_parallel_runs_of_one_file_pay_each_row_once(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    """Four runs started at once: what is still to send is decided under the lock."""
    import subprocess

    from tests.conftest import WALLET_BIN

    payees = [v["address"] for v in ANVIL[6:10]]
    csv_path = write_csv(tmp_path / "pay.csv", [f"{a},0.{i + 1}," for i, a in enumerate(payees)])
    before = {a: chain.balance(a) for a in payees}
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    runs = [
        subprocess.Popen(
            [WALLET_BIN, "--json", "--yes", "batch", str(csv_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(WALLET_PASSPHRASE=PASSPHRASE, WALLET_HOME=str(evm_home)),
            start_new_session=True,
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 4, outputs
    fresh = [sum(not r["skipped"] for r in json.loads(out)["results"]) for out, _ in outputs]
    assert sorted(fresh) == [0, 0, 0, 4], fresh  # one run sent every row; the others skipped
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 4
    for i, address in enumerate(payees):
        assert chain.balance(address) - before[address] == (i + 1) * 10**17
    again = run_wallet(
        ["--json", "--yes", "batch", str(csv_path)],
        home=evm_home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert all(r["skipped"] for r in again.json()["results"]), again.stdout
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 4
