"""The hold rules on their own: which transfer waits for its owner, from config.toml's
policy tables and the wallet's sending figures, and the store's one-way statuses."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from chains.base import Asset, Output
from wallet_cli import holds
from wallet_cli.errors import HomeUnusable
from wallet_cli.screening.context import Context
from wallet_cli.store import holds as store
from wallet_cli.store.config import DEVNET, Config
from wallet_cli.store.home import Home

ETH = Asset("ETH", 18)
TUSD = Asset("TUSD", 6, "0x" + "ab" * 20)
OLD, NEW, FRIEND = "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20
ETHER = 10**18


def _context(**figures: object) -> Context:
    return Context(
        network=DEVNET,
        sent_to=frozenset({OLD}),
        contacts={FRIEND: "friend"},
        **figures,  # type: ignore[arg-type]
    )


def _rules(
    output: Output, policy: holds.HoldPolicy, context: Context, before: int = 0
) -> list[str]:
    return [r["rule"] for r in holds.held_reasons(output, context, policy, before)]


def _config(table: str) -> Config:
    import tomllib

    return Config(tomllib.loads(table))


def test_policy_is_read_per_wallet_and_asset() -> None:
    config = _config(
        '[wallets.w.policy.eth]\nhold-above = "1.5"\nhold-unusual = true\n'
        'hold-expires = "30m"\nrelease-after = "2h"\nmax-per-transfer = "9"\n'
    )
    policy = holds.policy_for(config, "w", "ETH")
    assert policy.above == Decimal("1.5")
    assert policy.unusual is True
    assert (policy.expires, policy.release_after) == (timedelta(minutes=30), timedelta(hours=2))
    assert holds.policy_for(config, "w", "TUSD") == holds.HoldPolicy()
    assert holds.policy_for(config, "other", "ETH").expires == timedelta(hours=24)


@pytest.mark.parametrize(
    "line",
    ['hold-above = "lots"', 'hold-above = "-1"', "hold-unusual = 1", 'hold-expires = "soon"'],
)
def test_a_bad_policy_value_is_refused(line: str) -> None:
    with pytest.raises(HomeUnusable, match=r"wallets\.w\.policy\.ETH"):
        holds.policy_for(_config(f"[wallets.w.policy.ETH]\n{line}\n"), "w", "ETH")


def test_hold_above_is_strictly_above() -> None:
    policy = holds.HoldPolicy(above=Decimal(1))
    assert _rules(Output(OLD, ETH, ETHER), policy, _context()) == []
    assert _rules(Output(OLD, ETH, ETHER + 1), policy, _context()) == ["hold-above"]


def test_a_new_recipient_is_one_never_paid_nor_a_contact() -> None:
    policy = holds.HoldPolicy(new_recipient_above=Decimal("0.5"))
    amount = ETHER  # above 0.5
    assert _rules(Output(NEW, ETH, amount), policy, _context()) == ["hold-new-recipient-above"]
    assert _rules(Output(OLD, ETH, amount), policy, _context()) == []
    assert _rules(Output(FRIEND, ETH, amount), policy, _context()) == []
    assert _rules(Output(NEW, ETH, ETHER // 4), policy, _context()) == []


def test_daily_counts_today_and_earlier_rows() -> None:
    policy = holds.HoldPolicy(daily_above=Decimal(3))
    context = _context(spent_today={"native": 2 * ETHER})
    assert _rules(Output(OLD, ETH, ETHER), policy, context) == []
    assert _rules(Output(OLD, ETH, ETHER), policy, context, before=1) == ["hold-daily-above"]
    token = _context(spent_today={TUSD.contract.lower(): 2_000_000})  # type: ignore[union-attr]
    tusd = holds.HoldPolicy(daily_above=Decimal("2.5"))
    reasons = holds.held_reasons(Output(OLD, TUSD, 1_000_000), token, tusd)
    assert [r["rule"] for r in reasons] == ["hold-daily-above"]
    assert "2 TUSD sent today plus 1" in reasons[0]["message"]


def test_unusual_shows_the_figures_and_needs_a_history() -> None:
    policy = holds.HoldPolicy(unusual=True)
    assert _rules(Output(OLD, ETH, 100 * ETHER), policy, _context()) == []  # nothing sent yet
    context = _context(largest_sent={"native": ETHER})
    reasons = holds.held_reasons(Output(OLD, ETH, 11 * ETHER), context, policy)
    assert [r["rule"] for r in reasons] == ["hold-unusual"]
    assert "largest this wallet sent before (1 ETH)" in reasons[0]["message"]
    off = holds.HoldPolicy(unusual=False)
    assert _rules(Output(OLD, ETH, 11 * ETHER), off, context) == []


def test_every_reason_carries_advice_and_a_link_into_the_docs() -> None:
    from wallet_cli.screening.docs import render

    docs = render()
    for rule in (*holds.HOLD_RULES, "all-or-nothing"):
        sentence, link = holds.advice_for_hold(rule)
        assert sentence
        assert link == f"docs/screening.md#{rule}"
        assert f"\n### {rule}\n" in docs or f"\n## {rule}\n" in docs, rule


def test_statuses_move_once(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.ensure()
    (home.wallet_dir("w")).mkdir(parents=True, mode=0o700)
    record = {"expires": store.stamp(store.now() + timedelta(hours=1)), "key": "row-1"}
    (first,) = store.add(home, "w", [record])
    (same,) = store.add(home, "w", [record])  # the same batch row: one hold
    assert same["id"] == first["id"]
    assert (home.wallet_dir("w") / store.FILE).stat().st_mode & 0o777 == 0o600
    store.close(home, "w", first["id"], "cancelled")
    with pytest.raises(store.HoldNotOpen, match="cancelled already"):
        store.close(home, "w", first["id"], "approved")
    late = {"expires": store.stamp(store.now() - timedelta(seconds=1))}
    (expired,) = store.add(home, "w", [late])
    with pytest.raises(store.HoldNotOpen, match="expired"):
        store.close(home, "w", expired["id"], "approved")
    assert store.get(home, "w", expired["id"])["status"] == "expired"
    with pytest.raises(store.HoldNotFound):
        store.get(home, "w", "hnothere")
