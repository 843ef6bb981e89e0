"""`wallet batch` against a real anvil: all rows checked and screened before any signature,
the totals approved once, pipelined sending, a closing summary, and re-runs of a run that
never send a row twice, even after a crash between signing and broadcasting; a new
`--run-id` pays the same file again. (Ctrl-C: test_batch_interrupt.py.)"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, Result, clean_env, load_vectors, run_wallet
from tests.evm_helpers import Chain

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
RECIPIENTS = [v["address"] for v in ANVIL[1:6]]


def batch(home: Path, csv_path: Path, *extra: str, yes: bool = True) -> Result:
    flags = ["--json", "--yes"] if yes else ["--json"]
    return run_wallet(
        [*flags, "batch", str(csv_path), *extra],
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
    summary = first.json()["summary"]
    assert summary == {
        "rows": 6,
        "sent": 6,
        "rebroadcast": 0,
        "skipped": 0,
        "failed": 0,
        "not_sent": 0,
        "confirmed": 6,
        "pending": 0,
    }
    plan = first.json()["plan"]
    assert (plan["rows"], plan["to_send"], plan["already_done"]) == (6, 6, 0)
    assert [(t["amount"], t["unit"]) for t in plan["totals"]] == [("1.5", "ETH"), ("2.5", "TUSD")]
    assert first.json()["run_id"] == hashlib.sha256(csv_path.read_bytes()).hexdigest()

    again = batch(evm_home, csv_path)
    assert again.returncode == 0
    assert all(r["skipped"] and r["status"] == "success" for r in again.json()["results"])
    assert again.json()["summary"]["skipped"] == 6
    assert again.json()["summary"]["sent"] == 0
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 6
    # A skipped row carries the verdict screening gave when it was signed.
    recorded = [{"verdict": r["screening"]["verdict"], "source": "history"} for r in results]
    assert [r["screening"] for r in again.json()["results"]] == recorded
    assert not any(r["rebroadcast"] for r in again.json()["results"])
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

    with pytest.raises(KeyboardInterrupt) as interrupted:
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
    message = str(interrupted.value)
    assert "signed and recorded in history: rows 2-4" in message
    assert "signed but perhaps not sent: rows 2-4" in message
    assert "run the same command again" in message
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    before = {a: chain.balance(a) for a in RECIPIENTS[:3]}

    resumed = batch(evm_home, csv_path)
    assert resumed.returncode == 0, resumed.stdout
    assert all(r["skipped"] and r["status"] == "success" for r in resumed.json()["results"])
    assert all(r["rebroadcast"] for r in resumed.json()["results"])  # sent now, signed before
    assert resumed.json()["summary"]["rebroadcast"] == 3
    assert resumed.json()["summary"]["sent"] == 0
    assert [r["tx_hash"] for r in resumed.json()["results"]] == [e["tx_hash"] for e in journal]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 3
    for address in RECIPIENTS[:3]:
        assert chain.balance(address) - before[address] == 10**18
    last = batch(evm_home, csv_path)
    assert last.returncode == 0
    assert not any(r["rebroadcast"] for r in last.json()["results"])
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


def _no_history(home: Path) -> bool:
    journal = home / "history" / "dev.jsonl"
    return not journal.exists() or journal.read_text() == ""


def test_totals_are_shown_and_asked_once_before_the_passphrase(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    """Without a terminal only --yes approves the batch (exit 5 else, as a warning does);
    the totals go to stderr, and with --json stdout holds only the one JSON object."""
    rows = [f"{RECIPIENTS[0]},0.5,", f"{RECIPIENTS[1]},1.25,", f"{RECIPIENTS[2]},3,TUSD"]
    csv_path = write_csv(tmp_path / "pay.csv", rows)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    refused = batch(evm_home, csv_path, yes=False)
    assert refused.returncode == 5, refused.stdout + refused.stderr
    assert len(refused.stdout.splitlines()) == 1
    assert refused.json()["error"]["code"] == "not-confirmed"
    assert "3 rows, 3 to send" in refused.stderr
    assert "total 1.75 ETH" in refused.stderr
    assert "total 3 TUSD" in refused.stderr
    assert "fees at most" in refused.stderr
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert _no_history(evm_home)
    # No passphrase was asked for: the refusal comes before the vault is opened.
    no_passphrase = run_wallet(["--json", "batch", str(csv_path)], home=evm_home)
    assert no_passphrase.returncode == 5
    accepted = batch(evm_home, csv_path)
    assert accepted.returncode == 0, accepted.stdout
    assert len(accepted.stdout.splitlines()) == 1
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 3


def test_dry_run_checks_and_screens_every_row_and_signs_nothing(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    rows = [f"{RECIPIENTS[0]},0.5,", f"{RECIPIENTS[1]},2,TUSD"]
    csv_path = write_csv(tmp_path / "pay.csv", rows)
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    # No passphrase anywhere and no --yes: a dry run needs neither.
    dry = run_wallet(["--json", "batch", str(csv_path), "--dry-run"], home=evm_home)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    document = dry.json()
    assert document["dry_run"] is True
    assert [r["status"] for r in document["results"]] == ["would-send", "would-send"]
    assert all(
        r["screening"]["verdict"] in ("ok", "info") and r["tx_hash"] is None
        for r in document["results"]
    )
    assert all(r["fee_cap"] for r in document["results"])
    assert [(t["amount"], t["unit"]) for t in document["plan"]["totals"]] == [
        ("0.5", "ETH"),
        ("2", "TUSD"),
    ]
    assert document["summary"]["would_send"] == 2
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert _no_history(evm_home)

    blocked = write_csv(
        tmp_path / "blocked.csv", [*rows, "0x0000000000000000000000000000000000000000,1,"]
    )
    refused = run_wallet(["--json", "batch", str(blocked), "--dry-run"], home=evm_home)
    assert refused.returncode == 3
    statuses = [r["status"] for r in refused.json()["results"]]
    assert statuses == ["would-send", "would-send", "blocked"]
    assert refused.json()["results"][2]["screening"]["verdict"] == "block"
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert _no_history(evm_home)

    text = run_wallet(["batch", str(csv_path), "--dry-run"], home=evm_home)
    assert text.returncode == 0
    assert text.stdout.splitlines()[0].split()[:4] == ["ROW", "STATUS", "AMOUNT", "TO"]
    assert "None" not in text.stdout + text.stderr
    assert "dry run, 2 rows: 2 would be sent" in text.stderr


def test_every_bad_row_is_reported_in_one_pass(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    rows = [
        f"{RECIPIENTS[0]},1,",  # row 2: good
        "0x1234,1,",  # row 3: bad address
        f"{RECIPIENTS[1]},-1,",  # row 4: bad amount
        f"{RECIPIENTS[2]},1,NOPE",  # row 5: unknown token
        f"{RECIPIENTS[3]}",  # row 6: missing amount
        f"{RECIPIENTS[4]},1,",  # row 7: good
        f"{RECIPIENTS[4]},1.0000001,TUSD",  # row 8: more decimals than the token has
    ]
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    result = batch(evm_home, write_csv(tmp_path / "bad.csv", rows))
    assert result.returncode == 2
    error = result.json()["error"]
    assert error["code"] == "bad-batch-file"
    assert [r["row"] for r in error["rows"]] == [3, 4, 5, 6, 8]
    assert "5 rows are bad" in error["message"]
    for row in (3, 4, 5, 6, 8):
        assert f"row {row}:" in error["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    assert _no_history(evm_home)
    text = run_wallet(
        ["--yes", "batch", str(tmp_path / "bad.csv")],
        home=evm_home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert text.returncode == 2
    assert [line.split(":")[0] for line in text.stderr.splitlines()[:5]] == [
        "row 3",
        "row 4",
        "row 5",
        "row 6",
        "row 8",
    ]


def test_a_run_id_pays_a_file_again_only_when_new(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    payees = RECIPIENTS[:2]
    csv_path = write_csv(tmp_path / "payroll.csv", [f"{a},1," for a in payees])
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    november = batch(evm_home, csv_path, "--run-id", "2026-11")
    assert november.returncode == 0, november.stdout
    assert november.json()["run_id"] == "2026-11"
    assert batch(evm_home, csv_path, "--run-id", "2026-11").json()["summary"]["skipped"] == 2
    # The same rows in another order, same run: the same payments, not paid again.
    csv_path.write_text("to,amount\n" + "\n".join(f"{a},1" for a in reversed(payees)) + "\n")
    moved = batch(evm_home, csv_path, "--run-id", "2026-11")
    assert moved.json()["summary"]["skipped"] == 2, moved.stdout
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 2
    december = batch(evm_home, csv_path, "--run-id", "2026-12")
    assert december.returncode == 0
    assert december.json()["summary"]["sent"] == 2
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 4
    journal = [
        json.loads(line) for line in (evm_home / "history" / "dev.jsonl").read_text().splitlines()
    ]
    assert [e["run_id"] for e in journal if e["event"] == "signed"] == ["2026-11"] * 2 + [
        "2026-12"
    ] * 2
    for bad in ("", "a b", "x" * 101, "-x", "a\\nb"):
        refused = batch(evm_home, csv_path, "--run-id", bad)
        assert refused.returncode == 2, bad
        assert "--run-id" in refused.json()["error"]["message"]
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 4


def test_a_payment_repeated_in_the_file_is_paid_as_often(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    csv_path = write_csv(tmp_path / "twice.csv", [f"{RECIPIENTS[0]},1,"] * 2)
    before = chain.balance(RECIPIENTS[0])
    assert batch(evm_home, csv_path).json()["summary"]["sent"] == 2
    assert batch(evm_home, csv_path).json()["summary"]["skipped"] == 2
    assert chain.balance(RECIPIENTS[0]) - before == 2 * 10**18


def test_text_output_has_headers_and_a_closing_summary(
    evm_home: Path, chain: Chain, tmp_path: Path
) -> None:
    csv_path = write_csv(tmp_path / "pay.csv", [f"{RECIPIENTS[0]},0.1,", f"{RECIPIENTS[1]},0.2,"])
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    first = run_wallet(["--yes", "batch", str(csv_path)], home=evm_home, env=env)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].split()[:4] == ["ROW", "STATUS", "AMOUNT", "TO"]
    assert len(lines) == 3
    assert all("success" in line for line in lines[1:])
    assert "2 rows: 2 sent, 0 re-broadcast, 0 skipped (done before), 0 failed" in first.stderr
    again = run_wallet(["--yes", "batch", str(csv_path)], home=evm_home, env=env)
    assert "2 rows: 0 sent, 0 re-broadcast, 2 skipped (done before), 0 failed" in again.stderr
    assert all("done before" in line for line in again.stdout.splitlines()[1:])
    assert "None" not in first.stdout + first.stderr + again.stdout + again.stderr
