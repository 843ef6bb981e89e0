"""What a transfer request says, checked before the pipeline asks any node: fees given by
hand, the amount's form, and the asset a token symbol or contract names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chains.amounts import parse_amount, units_for
from chains.base import Asset, Network
from chains.errors import InvalidAmount, UnknownToken
from chains.registry import adapter_for
from chains.session import ChainSession, FeeChoice
from wallet_cli.errors import BadInput
from wallet_cli.store.config import Config

if TYPE_CHECKING:
    from wallet_cli.transfer import SendRequest

CHECK_AMOUNT_DECIMALS = 77  # syntax check before the token's real decimals are known


def fee_choice(network: Network, request: SendRequest) -> FeeChoice:
    """The fees given on the command line, checked before any node is asked."""
    from wallet_cli.store.network_settings import SettingError, gas_price

    try:
        cap = (
            gas_price(request.max_fee_per_gas, "--max-fee-per-gas")
            if request.max_fee_per_gas
            else None
        )
        tip = gas_price(request.priority_fee, "--priority-fee") if request.priority_fee else None
    except SettingError as exc:
        raise BadInput(str(exc)) from None
    if tip is not None and request.legacy:
        raise BadInput(
            "--priority-fee is for EIP-1559 transactions; with --legacy, give "
            "the gas price as --max-fee-per-gas"
        )
    if cap is not None and tip is not None and tip > cap:
        raise BadInput("--priority-fee cannot be more than --max-fee-per-gas")
    if request.fee_rate is not None:
        check_fee_rate(network, request.fee_rate, request.fee_rate_confirmed)
    return FeeChoice(
        max_fee_per_gas=cap,
        priority_fee=tip,
        legacy=request.legacy,
        gas_limit=request.gas_limit,
        fee_rate=request.fee_rate,
        coins=request.utxos,
    )


def check_fee_rate(network: Network, rate: int, confirmed: bool) -> None:
    """A fee rate the user gave: at least 1, and above `max-fee-rate` only when confirmed
    (--yes): almost surely a typo otherwise."""
    ceiling = network.limits.max_fee_rate
    if rate < 1:
        raise BadInput("--fee-rate must be at least 1 sat/vB")
    if rate > ceiling and not confirmed:
        raise BadInput(
            f"--fee-rate {rate} sat/vB is above max-fee-rate {ceiling}: almost surely a typo; "
            "pass --yes if you mean it"
        )


def resolve_asset(
    session: ChainSession, config: Config, network: Network, token: str | None
) -> Asset:
    """The native asset, or the token named by a symbol from config or by its contract."""
    native = network.native
    if token is None or token.upper() == native.symbol.upper():
        return native
    if native.symbol == "ETH" and token.upper() == "ETHER":
        return native
    text = token.strip()
    known = config.tokens(network.name)
    if text.upper() in known:
        text = known[text.upper()]
    elif len(text) <= 16 and text.isascii() and not text.lower().startswith("0x"):
        names = ", ".join(sorted(known)) or "none"
        raise UnknownToken(
            f"unknown token {text!r} on {network.name} (token list: {names}); "
            "give the contract address or add it under [tokens."
            f"{network.name}] in config.toml"
        )
    contract = adapter_for(network.family).parse_address(text, network)
    asset = session.asset(contract)
    if asset.symbol:
        return asset
    # A token whose chain keeps no symbol (an SPL mint): its config name, else its address's
    # ends, never a symbol made up.
    named = [name for name, address in known.items() if address == contract]
    label = named[0] if named else f"{contract[:4]}…{contract[-4:]}"
    return Asset(label, asset.decimals, asset.contract)


def check_amount_syntax(text: str, network: Network, token: str | None) -> None:
    """The amount's form, before the node says what the token's decimals are."""
    parse_amount(
        text, CHECK_AMOUNT_DECIMALS, allow_units=token is None, units=units_for(network.family)
    )


def parse_positive_amount(text: str, asset: Asset, network: Network) -> int:
    native = asset.contract is None
    amount = parse_amount(text, asset.decimals, allow_units=native, units=units_for(network.family))
    if amount == 0:
        raise InvalidAmount("the amount must be more than zero")
    return amount
