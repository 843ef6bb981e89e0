"""Fee ceilings: the node's quote held under max-fee-per-gas, every transfer under max-fee,
explicit fees used as given; the settings in config.toml, for built-in and added networks;
and the fee-exceeds-amount screening rule."""

from __future__ import annotations

from typing import Any

import pytest

from chains.base import GWEI, Asset, Network, NetworkLimits, Output, Preview, default_limits
from chains.errors import FeeAboveCeiling, MalformedReply, RpcError
from chains.evm.fees import (
    FeePolicy,
    GasPrice,
    check_gas,
    check_transfer_fee,
    gas_price,
    quote_calls,
)
from wallet_cli.errors import HomeUnusable, UnknownNetwork
from wallet_cli.screening.amount_checks import fee_exceeds_amount
from wallet_cli.screening.context import Context
from wallet_cli.store import network_settings
from wallet_cli.store.config import Config

ETH = Asset("ETH", 18)


def block(base_gwei: int) -> dict[str, Any]:
    return {"number": "0x1", "baseFeePerGas": hex(base_gwei * GWEI)}


def test_defaults_are_the_same_for_every_network_of_a_family() -> None:
    limits = default_limits("evm")
    assert limits.max_fee_per_gas == 1000 * GWEI
    assert limits.max_fee == 10**17
    assert limits.fee_warn_floor == 10**15
    assert limits.rpc_timeout == 10.0
    assert default_limits("btc").max_fee_rate == 500
    assert default_limits("btc").fee_warn_floor == 10_000
    assert Network("x", "evm").limits == limits
    assert Network("x", "evm").native == ETH
    assert Network("x", "btc", symbol="tBTC").native == Asset("tBTC", 8)


def test_a_sane_quote_is_signed_as_quoted() -> None:
    policy = FeePolicy()
    assert [c[0] for c in quote_calls(False, policy)] == [
        "eth_getBlockByNumber",
        "eth_maxPriorityFeePerGas",
    ]
    assert gas_price(False, policy, [block(30), hex(2 * GWEI)]) == GasPrice(62 * GWEI, 2 * GWEI)
    assert gas_price(True, policy, [hex(40 * GWEI)]) == GasPrice(40 * GWEI, 0)


def test_a_max_fee_above_the_ceiling_is_lowered_to_it() -> None:
    """Base 600 + tip 1 fits under 1000 gwei; 2 x base + tip does not, so it is capped."""
    price = gas_price(False, FeePolicy(), [block(600), hex(GWEI)])
    assert price == GasPrice(1000 * GWEI, GWEI)


@pytest.mark.parametrize(
    ("legacy", "answers", "needle"),
    [
        (False, [block(1001), hex(GWEI)], "base fee of 1001 gwei"),
        (False, [block(1), hex(1001 * GWEI)], "priority fee of 1001 gwei"),
        (False, [block(600), hex(401 * GWEI)], "plus a priority fee of 401 gwei"),
        (True, [hex(1001 * GWEI)], "gas price of 1001 gwei"),
    ],
)
def test_a_quote_above_max_fee_per_gas_is_refused(
    legacy: bool, answers: list[Any], needle: str
) -> None:
    with pytest.raises(FeeAboveCeiling, match=needle) as caught:
        gas_price(legacy, FeePolicy(network="main"), answers)
    assert "max-fee-per-gas 1000 gwei for network 'main'" in caught.value.message
    assert "[networks.main]" in caught.value.message
    assert caught.value.kind == "network"


def test_explicit_fees_skip_the_quote() -> None:
    both = FeePolicy(max_fee_per_gas=5000 * GWEI, priority_fee=3 * GWEI)
    assert quote_calls(False, both) == []
    assert gas_price(False, both, []) == GasPrice(5000 * GWEI, 3 * GWEI)
    cap_only = FeePolicy(max_fee_per_gas=10 * GWEI)
    assert [c[0] for c in quote_calls(False, cap_only)] == ["eth_maxPriorityFeePerGas"]
    assert gas_price(False, cap_only, [hex(5000 * GWEI)]) == GasPrice(10 * GWEI, 10 * GWEI)
    tip_only = FeePolicy(priority_fee=2 * GWEI)
    assert [c[0] for c in quote_calls(False, tip_only)] == ["eth_getBlockByNumber"]
    assert gas_price(False, tip_only, [block(5)]) == GasPrice(12 * GWEI, 2 * GWEI)
    with pytest.raises(FeeAboveCeiling, match="base fee"):
        gas_price(False, tip_only, [block(2000)])
    legacy = FeePolicy(max_fee_per_gas=7 * GWEI)
    assert quote_calls(True, legacy) == []
    assert gas_price(True, legacy, []) == GasPrice(7 * GWEI, 0)


@pytest.mark.parametrize(
    "answers",
    [
        [None, hex(GWEI)],
        [{"baseFeePerGas": "0xzz"}, hex(GWEI)],
        [block(1), None],
        [block(1), "1 gwei"],
    ],
)
def test_a_malformed_quote_is_a_malformed_reply(answers: list[Any]) -> None:
    with pytest.raises(MalformedReply):
        gas_price(False, FeePolicy(), answers)


def test_a_node_error_in_the_quote_is_raised() -> None:
    with pytest.raises(RpcError, match="nope"):
        gas_price(False, FeePolicy(), [RpcError("nope"), hex(GWEI)])


def test_every_transfer_is_held_under_max_fee() -> None:
    policy = FeePolicy(network="main", native=Asset("POL", 18))
    check_transfer_fee(100_000, GasPrice(1000 * GWEI, GWEI), policy)  # exactly 0.1
    with pytest.raises(FeeAboveCeiling) as caught:
        check_transfer_fee(100_001, GasPrice(1000 * GWEI, GWEI), policy)
    assert "above max-fee 0.1 POL for network 'main'" in caught.value.message
    assert "100,001 gas" in caught.value.message
    assert check_gas(30_000_000) == 30_000_000
    with pytest.raises(FeeAboveCeiling, match="more than a block holds"):
        check_gas(30_000_001)


def test_settings_parse_units_and_refuse_nonsense() -> None:
    parse = network_settings.gas_price
    assert parse("500gwei") == 500 * GWEI
    assert parse("0.5gwei") == GWEI // 2
    assert parse(30) == 30 * GWEI
    assert parse("1000000000wei") == GWEI
    for bad in ("lots", "-1", "0", True, None, "1" * 200, "3sat"):
        with pytest.raises(network_settings.SettingError):
            parse(bad)
    assert network_settings.native_amount("0.1", "evm", "max-fee") == 10**17
    assert network_settings.native_amount("10000sat", "btc", "fee-warn-floor") == 10_000
    assert network_settings.rpc_timeout("2.5") == 2.5
    for bad_timeout in (0, -1, "soon", 601, float("nan"), True):
        with pytest.raises(network_settings.SettingError):
            network_settings.rpc_timeout(bad_timeout)
    for bad_rate in (0, "abc", 1.5, -3):
        with pytest.raises(network_settings.SettingError):
            network_settings.fee_rate(bad_rate)
    for bad_symbol in ("", "a b", "TOOLONGSYMBOL1", 5):
        with pytest.raises(network_settings.SettingError):
            network_settings.symbol(bad_symbol)


def test_a_built_in_network_with_only_settings_stays_built_in() -> None:
    config = Config({"networks": {"devnet": {"max-fee": "0.01"}}})
    devnet = config.network("devnet")
    assert (devnet.rpc_url, devnet.chain_id, devnet.is_devnet) == (
        "http://127.0.0.1:8545",
        31337,
        True,
    )
    assert devnet.limits.max_fee == 10**16
    assert devnet.limits.max_fee_per_gas == 1000 * GWEI
    assert not config.is_configured("devnet")
    bitcoin = Config({"networks": {"bitcoin": {"max-fee-rate": 50}}}).network("bitcoin")
    assert (bitcoin.family, bitcoin.limits.max_fee_rate) == ("btc", 50)


def test_an_added_network_takes_settings_and_defaults() -> None:
    table = {
        "chain": "evm",
        "rpc": "http://127.0.0.1:1",
        "chain_id": 137,
        "symbol": "POL",
        "max-fee-per-gas": "3000gwei",
        "rpc-timeout": 3,
    }
    config = Config({"networks": {"polygon": table}})
    polygon = config.network("polygon")
    assert polygon.native == Asset("POL", 18)
    assert polygon.limits == NetworkLimits(max_fee_per_gas=3000 * GWEI, rpc_timeout=3.0)
    assert config.is_configured("polygon")
    plain = Config({"networks": {"l2": {"chain": "evm", "rpc": "http://x", "chain_id": 10}}})
    assert plain.network("l2").limits == default_limits("evm")


def test_a_bad_setting_in_config_names_the_table_and_key() -> None:
    config = Config({"networks": {"devnet": {"max-fee-per-gas": "lots"}}})
    with pytest.raises(HomeUnusable, match=r"\[networks.devnet\] max-fee-per-gas 'lots'"):
        config.network("devnet")
    with pytest.raises(UnknownNetwork):
        Config({"networks": {"nowhere": {"max-fee": "1"}}}).network("elsewhere")


def _preview(amount: int, fee: int, asset: Asset = ETH) -> Preview:
    output = Output("0x" + "ab" * 20, asset, amount)
    return Preview("devnet", 31337, "0x" + "cd" * 20, (output,), fee, ETH)


def _context(floor: int = 10**15) -> Context:
    network = Network("devnet", "evm", settings=NetworkLimits(fee_warn_floor=floor))
    return Context(network=network)


@pytest.mark.parametrize(
    ("amount", "fee", "floor", "warns"),
    [
        (1, 2 * 10**15, 10**15, True),  # 1 wei, fee 0.002 ETH
        (1, 10**15, 10**15, False),  # at the floor: quiet
        (3 * 10**15, 2 * 10**15, 10**15, False),  # fee below the amount
        (1, 63_000 * GWEI, 10**15, False),  # a devnet fee, under the floor
        (1, 63_000 * GWEI, 10**10, True),  # the same with a lower floor
        (0, 0, 0, False),  # signing typed data: no fee, no amount
    ],
)
def test_a_fee_above_the_amount_and_the_floor_warns(
    amount: int, fee: int, floor: int, warns: bool
) -> None:
    findings = list(fee_exceeds_amount(_preview(amount, fee), _context(floor)))
    assert bool(findings) == warns
    if warns:
        assert findings[0].rule == "fee-exceeds-amount"
        assert findings[0].severity == "warn"
        assert "ETH) is more than the amount sent (" in findings[0].message


def test_a_token_amount_is_not_compared_with_the_fee() -> None:
    token = Asset("TUSD", 6, "0x" + "12" * 20)
    assert list(fee_exceeds_amount(_preview(1, 10**17, token), _context())) == []


def test_the_rule_is_in_the_registry_and_its_docs() -> None:
    from wallet_cli.screening.docs import render
    from wallet_cli.screening.rules import RULES

    rule = next(r for r in RULES if r.id == "fee-exceeds-amount")
    assert rule.severity == "warn"
    assert "`fee-exceeds-amount` | warn" in render()
