"""Rules about the destination itself: impossible, wasteful or dangerous places to send."""

from __future__ import annotations

from collections.abc import Iterable

from chains.base import Output, Preview
from chains.registry import adapter_for
from wallet_cli.screening.context import Context, dev_addresses
from wallet_cli.screening.report import Finding

ZERO = "0x" + "0" * 40
BURN_ADDRESSES = frozenset(
    {
        "0x000000000000000000000000000000000000dead",
        "0xdead000000000000000042069420694206942069",
        "0x0000000000000000000000000000000000000000",
        "0xdeaddeaddeaddeaddeaddeaddeaddeaddeaddead",
        "0xffffffffffffffffffffffffffffffffffffffff",
    }
)


def zero_address(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if output.recipient.lower() == ZERO:
        yield Finding(
            "zero-address",
            "block",
            "the destination is the zero address: whatever is sent there is lost for good",
        )


def burn_address(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    lowered = output.recipient.lower()
    if lowered in BURN_ADDRESSES and lowered != ZERO:
        yield Finding(
            "burn-address",
            "block",
            f"{output.recipient} is a well-known burn address: nobody holds its key",
        )


def precompile(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if context.network.family != "evm":
        return
    value = int(output.recipient[2:], 16)
    if 1 <= value <= 0xFF:
        yield Finding(
            "precompile",
            "block",
            f"{output.recipient} is an EVM precompile (0x…01 to 0x…ff), not an account: "
            "funds sent there are lost",
        )


def program_address(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    """A protocol fixture of the chain (Solana: a program, a sysvar, the wrapped-SOL mint),
    as the chain's adapter names it: no family's table lives here."""
    what = adapter_for(context.network.family).well_known(output.recipient)
    if what:
        yield Finding(
            "program-address",
            "block",
            f"{output.recipient} is {what}, not an account anyone holds a key to: "
            "whatever is sent there is lost",
        )


def token_to_itself(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    contract = output.asset.contract
    if contract and output.recipient.lower() == contract.lower():
        yield Finding(
            "token-to-itself",
            "block",
            f"the recipient is the {output.asset.symbol} token contract itself: tokens sent to "
            "their own contract are almost always lost",
        )


def contract_recipient(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if output.asset.contract is not None or output.data or context.code is None:
        return  # a call with data is meant for a contract
    if output.recipient in context.contacts or output.recipient.lower() == ZERO:
        return
    if output.recipient in context.own_addresses:
        return  # this home's own multisig: a contract meant to hold the funds
    answer = context.code.is_contract(output.recipient)
    if answer is None:
        yield Finding(
            "lookup-failed",
            "warn",
            f"could not ask the node whether {output.recipient} is a contract; "
            "that check was not made",
        )
    elif answer:
        yield Finding(
            "contract-recipient",
            "warn",
            f"{output.recipient} is a contract (on Solana: a program, mint or token account), "
            f"not a wallet: sending it {output.asset.symbol} directly may lose the funds unless "
            "it is meant to receive them",
        )


def dev_key_sender(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if context.network.is_devnet or context.network.family != "evm":
        return
    if preview.sender in dev_addresses():
        yield Finding(
            "dev-key-sender",
            "block",
            f"{preview.sender} belongs to the public test mnemonic ('test test … junk'): "
            f"anyone can spend from it, so never on {context.network.name}",
        )


def dev_key_recipient(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    if context.network.is_devnet or context.network.family != "evm":
        return
    if output.recipient in dev_addresses():
        yield Finding(
            "dev-key-recipient",
            "warn",
            f"{output.recipient} belongs to the public test mnemonic: bots sweep whatever "
            "arrives there within seconds",
        )


def no_checksum(output: Output, preview: Preview, context: Context) -> Iterable[Finding]:
    typed = output.typed_as.strip()
    body = typed[2:] if typed[:2].lower() == "0x" else ""
    if body and body == body.lower() and any(c.isalpha() for c in body):
        yield Finding(
            "no-checksum",
            "info",
            "the address was typed in lower case, so its EIP-55 checksum could not catch a typo",
        )


def typed_data_chain(preview: Preview, context: Context) -> Iterable[Finding]:
    wanted = preview.domain_chain_id
    if wanted is not None and context.network.chain_id not in (None, wanted):
        yield Finding(
            "typed-data-chain",
            "warn",
            f"the typed data is for chain id {wanted}, but network "
            f"{context.network.name!r} is chain id {context.network.chain_id}",
        )
