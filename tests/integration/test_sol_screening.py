"""Screening on Solana through the CLI: programs and sysvars are blocked destinations,
look-alikes of contacts, own addresses and past recipients block or warn, a user list with
a sol row blocks, another chain's address text is a one-line error, and `receive` gives a
Solana Pay URI. `check` runs --offline: no node is asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from chains.sol.programs import WELL_KNOWN
from tests.conftest import ANVIL_MNEMONIC, Result, run_wallet
from tests.unit.test_lookalike_sol import TREASURY, lookalike_of, real_address

SOL = ["--json", "--network", "solana"]


def check(home: Path, address: str, network: str = "solana") -> Result:
    return run_wallet(["--json", "--network", network, "check", "--offline", address], home=home)


def findings(result: Result) -> dict[str, str]:
    return {f["rule"]: f["message"] for f in result.json()["screening"]["findings"]}


def test_the_table_agrees_with_solders() -> None:
    """An independent copy of the ids (solders, the Rust SDK's Python binding)."""
    from solders import address_lookup_table_account, compute_budget, system_program, sysvar
    from solders.pubkey import Pubkey
    from solders.token import ID as TOKEN_PROGRAM
    from solders.token.associated import get_associated_token_address

    exported = {
        system_program.ID: "the System Program",
        compute_budget.ID: "the Compute Budget program",
        address_lookup_table_account.ID: "the Address Lookup Table program",
        TOKEN_PROGRAM: "the SPL Token program",
        sysvar.CLOCK: "the Clock sysvar",
        sysvar.EPOCH_SCHEDULE: "the EpochSchedule sysvar",
        sysvar.INSTRUCTIONS: "the Instructions sysvar",
        sysvar.RECENT_BLOCKHASHES: "the RecentBlockhashes sysvar",
        sysvar.RENT: "the Rent sysvar",
        sysvar.REWARDS: "the Rewards sysvar",
        sysvar.SLOT_HASHES: "the SlotHashes sysvar",
        sysvar.STAKE_HISTORY: "the StakeHistory sysvar",
    }
    for key, name in exported.items():
        assert WELL_KNOWN[str(key)] == name
    # The associated token program id: solders derives ATAs with it; so does ours.
    owner, mint = Pubkey.from_string(TREASURY), Pubkey.from_string(real_address("mint"))
    ata_program = next(a for a, n in WELL_KNOWN.items() if "Associated Token" in n)
    derived, _ = Pubkey.find_program_address(
        [bytes(owner), bytes(TOKEN_PROGRAM), bytes(mint)], Pubkey.from_string(ata_program)
    )
    assert derived == get_associated_token_address(owner, mint)


@pytest.mark.parametrize("program", sorted(WELL_KNOWN))
def test_every_program_and_sysvar_is_blocked(anvil_home: Path, program: str) -> None:
    result = check(anvil_home, program)
    assert result.returncode == 3, result.stdout + result.stderr
    assert WELL_KNOWN[program] in findings(result)["program-address"]


def test_an_ordinary_key_is_not_a_program(anvil_home: Path) -> None:
    result = check(anvil_home, real_address("someone"))
    assert result.returncode == 0, result.stdout
    assert "program-address" not in findings(result)


def test_contact_lookalikes_block_and_warn(anvil_home: Path) -> None:
    added = run_wallet([*SOL, "contacts", "add", "treasury", f" {TREASURY} "], home=anvil_home)
    assert added.returncode == 0, added.stderr
    assert added.json() == {"name": "treasury", "chain": "sol", "address": TREASURY}
    listed = run_wallet(["--json", "contacts", "list"], home=anvil_home).json()["contacts"]
    assert listed == [{"name": "treasury", "chain": "sol", "address": TREASURY}]

    forged = lookalike_of(TREASURY, 4, 4)
    blocked = check(anvil_home, forged)
    assert blocked.returncode == 3
    message = findings(blocked)["lookalike"]
    assert f"[{forged[:4]}]{forged[4:-4]}[{forged[-4:]}]" in message
    assert "contact 'treasury'" in message

    weaker = check(anvil_home, lookalike_of(TREASURY, 2, 4))
    assert weaker.returncode == 5, weaker.stdout
    assert findings(weaker)["lookalike"].endswith("(check it character by character)")

    assert check(anvil_home, TREASURY).returncode == 0  # the contact itself


def test_lookalikes_of_own_addresses_and_past_recipients(anvil_home: Path) -> None:
    from wallet_cli.store.history import History
    from wallet_cli.store.home import Home

    own = run_wallet([*SOL, "address"], home=anvil_home).json()["addresses"][0]["address"]
    mine = check(anvil_home, lookalike_of(own, 3, 3))
    assert mine.returncode == 3
    assert "your address #0" in findings(mine)["lookalike"]

    paid, elsewhere = real_address("paid before"), real_address("paid on devnet")
    signed = {"event": "signed", "amount_base": "1"}
    History(Home(anvil_home), "dev").append_many(
        [
            {**signed, "network": "solana", "to": paid, "tx_hash": "s1"},
            {**signed, "network": "solana-devnet", "to": elsewhere, "tx_hash": "s2"},
        ]
    )
    recipient = check(anvil_home, lookalike_of(paid, 3, 4))
    assert recipient.returncode == 3
    assert "an address you sent to before" in findings(recipient)["lookalike"]
    assert "first-time-recipient" not in findings(check(anvil_home, paid))
    # Past recipients are per network: a devnet payee is not trusted on mainnet.
    assert check(anvil_home, lookalike_of(elsewhere, 3, 4)).returncode == 0
    assert check(anvil_home, lookalike_of(elsewhere, 3, 4), "solana-devnet").returncode == 3


def test_a_user_list_with_a_sol_row_blocks(anvil_home: Path, tmp_path: Path) -> None:
    listed, evm = real_address("listed"), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text(f"chain,address,comment\nsol,{listed},drainer\n,{evm},x\n")
    added = run_wallet(["--json", "lists", "add", str(csv_file), "--name", "mine"], home=anvil_home)
    assert added.returncode == 0, added.stderr
    assert added.json()["counts"] == {"evm": 1, "sol": 1}
    blocked = check(anvil_home, listed)
    assert blocked.returncode == 3
    assert "user list 'mine'" in findings(blocked)["user-listed"]
    assert check(anvil_home, evm, "devnet").returncode == 3
    assert "user-listed" not in findings(check(anvil_home, real_address("not listed")))
    shipped = run_wallet(["--json", "lists"], home=anvil_home).json()["lists"]
    assert [row["counts"].get("sol", 0) for row in shipped if row["kind"] != "user"] == [0, 0]

    bad = tmp_path / "bad.csv"
    bad.write_text(f"chain,address\nsol,{listed}\nsol,{listed[:-1]}0\n")
    refused = run_wallet(["--json", "lists", "add", str(bad), "--name", "bad"], home=anvil_home)
    assert refused.returncode == 2
    assert "line 3" in refused.json()["error"]["message"]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(f"chain,address\ndoge,{listed}\n")
    refused = run_wallet(["--json", "lists", "add", str(unknown), "--name", "u"], home=anvil_home)
    assert refused.returncode == 2
    assert "'doge'" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "is an EVM address, not a Solana one"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "is a Bitcoin address, not a Solana one"),
        ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "is a Bitcoin address, not a Solana one"),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "decodes to 25 bytes, not 32"),
    ],
)
def test_another_chains_text_is_a_one_line_error(anvil_home: Path, text: str, named: str) -> None:
    result = check(anvil_home, text)
    assert result.returncode == 2
    assert named in result.json()["error"]["message"]
    plain = run_wallet(["--network", "solana", "check", text], home=anvil_home)
    assert plain.returncode == 2
    assert plain.stdout == ""
    assert plain.stderr.count("\n") == 1
    assert named in plain.stderr


def test_receive_gives_a_solana_pay_uri(anvil_home: Path) -> None:
    from bip_utils import Bip39SeedGenerator, Bip44, Bip44Changes, Bip44Coins

    seed = Bip39SeedGenerator(ANVIL_MNEMONIC).Generate()
    coin = Bip44.FromSeed(seed, Bip44Coins.SOLANA).Purpose().Coin()
    first = str(coin.Account(0).Change(Bip44Changes.CHAIN_EXT).PublicKey().ToAddress())

    plain = run_wallet([*SOL, "receive"], home=anvil_home)
    assert plain.returncode == 0, plain.stderr
    assert plain.json() == {
        "network": "solana",
        "chain": "sol",
        "address": first,
        "uri": f"solana:{first}",
    }
    for amount, shown in (
        ("0.5", "0.5"),
        ("2", "2"),
        ("1.250", "1.25"),
        ("5000lamports", "0.000005"),
    ):
        asked = run_wallet([*SOL, "receive", "--amount", amount], home=anvil_home)
        assert asked.returncode == 0, asked.stderr
        assert asked.json()["uri"] == f"solana:{first}?amount={shown}"
    too_fine = run_wallet([*SOL, "receive", "--amount", "0.0000000001"], home=anvil_home)
    assert too_fine.returncode == 2
    assert "9" in too_fine.json()["error"]["message"]
