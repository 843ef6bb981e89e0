"""A refused send says what the risk is, what to do next, and where to read more (issue 15),
both in --json (`advice`, `link` per finding) and in the text a person reads; on a real
anvil, with the nonce unmoved."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, clean_env, load_vectors, run_wallet
from tests.evm_helpers import Chain
from tests.integration.test_screening_cli import lookalike_of
from wallet_cli.screening.advice import RULE_ADVICE

ANVIL = load_vectors("anvil_accounts.json")["vectors"]
BOB = ANVIL[1]["address"]
LINK = "docs/screening.md#lookalike"


def wallet(home: Path, *args: str) -> tuple[int, str, str]:
    result = run_wallet(list(args), home=home, env=clean_env(WALLET_PASSPHRASE=PASSPHRASE))
    return result.returncode, result.stdout, result.stderr


def test_a_blocked_send_carries_the_advice_and_the_link(evm_home: Path, chain: Chain) -> None:
    assert wallet(evm_home, "contacts", "add", "bob", BOB)[0] == 0
    poison = lookalike_of(BOB, 4, 6)
    nonce = chain.nonce(ANVIL_ADDRESS_0)

    result = run_wallet(
        ["--json", "send", "--to", poison, "--amount", "1", "--yes"],
        home=evm_home,
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert result.returncode == 3, result.stdout + result.stderr
    error = result.json()["error"]
    finding = next(f for f in error["screening"]["findings"] if f["rule"] == "lookalike")
    assert finding["severity"] == "block"
    assert finding["advice"] == RULE_ADVICE["lookalike"]
    assert finding["advice"].startswith("address poisoning: ")
    assert finding["link"] == LINK
    for other in error["screening"]["findings"]:
        assert other["advice"]
        assert other["link"].startswith("docs/screening.md#")

    code, _, stderr = wallet(evm_home, "send", "--to", poison, "--amount", "1", "--yes")
    assert code == 3
    assert RULE_ADVICE["lookalike"] in stderr
    assert f"({LINK})" in stderr
    # the advice sits under its finding, before the error line
    assert stderr.index("lookalike:") < stderr.index(LINK) < stderr.index("error:")
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce


def test_an_unconfirmed_warning_carries_the_advice(evm_home: Path, chain: Chain) -> None:
    assert wallet(evm_home, "contacts", "add", "bob", BOB)[0] == 0
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    # 2+4: a weaker resemblance warns; no terminal and no --yes: not confirmed (exit 5)
    code, _, stderr = wallet(evm_home, "send", "--to", lookalike_of(BOB, 2, 4), "--amount", "1")
    assert code == 5, stderr
    assert "WARN" in stderr
    assert RULE_ADVICE["lookalike"] in stderr
    assert LINK in stderr
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
