"""Planning Solana transfers for a session (chains/sol/session.py): each output its own
transaction, priced by the node (`getFeeForMessage`) under the network's `max-fee`, with what
the runtime would refuse said before anything is signed: a new account below its rent-exempt
minimum, a token account given as the recipient, a balance short of amounts, fees and rent,
or a sender left with a balance the runtime does not allow (above 0, below rent-exempt)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chains.base import Asset, Network, Output, Preview
from chains.errors import (
    ChainError,
    FeeAboveCeiling,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    UnsupportedChain,
)
from chains.session import FeeChoice, ItemError, UnsignedTx
from chains.sol import transfer
from chains.sol.transfer import Mint, SolPlan

if TYPE_CHECKING:
    from chains.sol.rpc import SolRpcClient


@dataclass(frozen=True)
class Payer:
    """What planning needs of a session: its node, network and sender, and its readers of
    mints and of the sender's token balances (cached by the session)."""

    client: SolRpcClient
    network: Network
    sender: str
    mint: Callable[[str], Mint]
    token_balance: Callable[[Asset], int]


def build(payer: Payer, outputs: Sequence[Output], fees: FeeChoice) -> list[UnsignedTx]:
    if fees.fee_rate is not None or fees.coins:
        raise UnsupportedChain("--fee-rate and coin control are for Bitcoin networks")
    if fees.max_fee_per_gas or fees.priority_fee or fees.gas_limit or fees.legacy:
        raise UnsupportedChain("gas settings are for EVM networks; Solana's fee is fixed")
    plans = _plans(payer, outputs)
    blockhash = payer.client.latest_blockhash().blockhash
    native = payer.network.native
    unsigned = []
    for position, (output, plan) in enumerate(zip(outputs, plans, strict=True)):
        message = transfer.message_bytes(plan.instructions, payer.sender, blockhash)
        fee = payer.client.fee_for_message(message)
        if fee is None:  # the blockhash expired between two calls: price it again
            fresh = payer.client.latest_blockhash().blockhash
            fee = payer.client.fee_for_message(
                transfer.message_bytes(plan.instructions, payer.sender, fresh)
            )
        if fee is None or fee > payer.network.limits.max_fee:
            raise ItemError(position, _fee_too_high(payer, fee))
        cost = fee + plan.rent
        preview = Preview(
            payer.network.name, None, payer.sender, (output,), cost, native,
            call_target=output.asset.contract,
        )  # fmt: skip
        unsigned.append(UnsignedTx(preview, plan, (position,)))
    _check_balances(payer, outputs, unsigned)
    return unsigned


def _fee_too_high(payer: Payer, fee: int | None) -> ChainError:
    ceiling = payer.network.limits.max_fee
    return FeeAboveCeiling(
        f"the node prices the transaction at {fee if fee is not None else 'no'} lamports, "
        f"above max-fee {ceiling} lamports for network {payer.network.name!r}: nothing "
        "was signed"
    )


def _plans(payer: Payer, outputs: Sequence[Output]) -> list[SolPlan]:
    recipients = [o.recipient for o in outputs]
    mints = {o.asset.contract for o in outputs if o.asset.contract}
    token_accounts = {
        (o.recipient, o.asset.contract): transfer.associated_account(
            o.recipient, payer.mint(o.asset.contract)
        )
        for o in outputs
        if o.asset.contract
    }
    wanted = list(dict.fromkeys(recipients + list(token_accounts.values())))
    found = dict(zip(wanted, payer.client.accounts(wanted), strict=True))
    account_rent = payer.client.rent_exempt_minimum(0)
    token_rent = payer.client.rent_exempt_minimum(transfer.TOKEN_ACCOUNT_SIZE) if mints else 0
    seen: Counter[tuple[str, str | None, int]] = Counter()
    created: set[str] = set()
    plans = []
    for position, output in enumerate(outputs):
        recipient = found.get(output.recipient)
        contract = output.asset.contract
        if contract is None:
            if recipient is None and output.amount < account_rent:
                raise ItemError(position, _below_rent(output, account_rent))
            instructions: tuple[Any, ...] = (
                transfer.native_transfer(payer.sender, output.recipient, output.amount),
            )
            rent = 0
        else:
            if recipient is not None and recipient.owner in transfer.SPL_PROGRAMS:
                raise ItemError(position, _token_account_recipient(output.recipient))
            account = token_accounts[(output.recipient, contract)]
            create = found.get(account) is None and account not in created
            created.add(account)
            instructions = transfer.token_transfer(
                payer.sender, output.recipient, payer.mint(contract), output.amount, create
            )
            rent = token_rent if create else 0
        key = (output.recipient, contract, output.amount)
        plans.append(SolPlan(transfer.distinct(instructions, seen[key]), rent))
        seen[key] += 1
    return plans


def _below_rent(output: Output, minimum: int) -> ChainError:
    return InvalidAmount(
        f"{output.recipient} has no account yet, and a new Solana account must receive "
        f"at least its rent-exempt minimum, {Decimal(minimum) / 10**9} SOL: send at least "
        "that much"
    )


def _check_balances(payer: Payer, outputs: Sequence[Output], plans: Sequence[UnsignedTx]) -> None:
    lamports = payer.client.balance(payer.sender)
    needed = 0
    tokens: dict[str, int] = {}
    held: dict[str, int] = {}
    for position, (output, plan) in enumerate(zip(outputs, plans, strict=True)):
        needed += plan.preview.fee_cap
        if output.asset.contract is None:
            needed += output.amount
        else:
            contract = output.asset.contract
            tokens[contract] = tokens.get(contract, 0) + output.amount
            if contract not in held:
                held[contract] = payer.token_balance(output.asset)
            if held[contract] < tokens[contract]:
                raise ItemError(position, _short(output.asset, held[contract], tokens[contract]))
        if needed > lamports:
            raise ItemError(position, _short(payer.network.native, lamports, needed))
    minimum = payer.client.rent_exempt_minimum(0)
    left = lamports - needed
    if 0 < left < minimum:
        raise ItemError(
            len(outputs) - 1,
            InsufficientFunds(
                f"this would leave {Decimal(left) / 10**9} SOL at {payer.sender}, below the "
                f"{Decimal(minimum) / 10**9} SOL a Solana account must keep (or send all "
                "of it, to leave exactly 0)"
            ),
        )


def _short(asset: Asset, held: int, needed: int) -> ChainError:
    from chains.amounts import format_amount

    unit = asset.symbol or asset.contract or "tokens"
    return InsufficientFunds(
        f"insufficient funds: {format_amount(held, asset.decimals)} {unit} held, "
        f"{format_amount(needed, asset.decimals)} {unit} needed (with fees and rent)"
    )


def _token_account_recipient(recipient: str) -> ChainError:
    return InvalidAddress(
        f"{recipient} is a token account, not a wallet: give its owner's address (tokens go "
        "to the owner's associated token account)"
    )
