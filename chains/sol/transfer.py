"""Solana transfers as instructions: SOL by the System Program, SPL tokens by `TransferChecked`
to the recipient's associated token account, created first (idempotently) when it is missing.

The instructions are built by hand from the programs' published layouts, because solders has
no builders for the token programs: System `Transfer` is solders' own; SPL Token
`TransferChecked` is instruction 12 (amount u64 LE, decimals u8; source, mint, destination,
owner), the same in Token-2022; Associated Token `CreateIdempotent` is instruction 1 (payer,
account, wallet, mint, system program, token program). `TransferChecked` makes the token
program itself refuse a transfer whose decimals are not the mint's.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from chains.errors import ChainError, UnknownToken

SYSTEM_PROGRAM = "11111111111111111111111111111111"
SPL_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
SPL_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ASSOCIATED_ACCOUNT_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
SPL_PROGRAMS = (SPL_PROGRAM, SPL_2022_PROGRAM)
MINT_SIZE = 82  # a mint's base layout; Token-2022 mints may carry extensions after it
TOKEN_ACCOUNT_SIZE = 165
TRANSFER_CHECKED = 12
CREATE_IDEMPOTENT = 1


@dataclass(frozen=True)
class Mint:
    address: str
    program: str  # the token program that owns it (Token or Token-2022)
    decimals: int


@dataclass(frozen=True)
class SolPlan:
    """What one output becomes: its instructions, and what it costs the sender besides the
    amount (a new token account's rent)."""

    instructions: tuple[Any, ...]
    rent: int = 0


def read_mint(address: str, owner: str | None, data: bytes | None) -> Mint:
    """The mint at `address` from its account (owner program and data), or `UnknownToken`."""
    if owner is None or data is None:
        raise UnknownToken(f"no account at {address}: not a token mint on this network")
    if owner not in SPL_PROGRAMS or len(data) < MINT_SIZE or data[45] != 1:
        raise UnknownToken(f"{address} is not an SPL token mint (owner {owner})")
    return Mint(address, owner, data[44])


def token_amount(data: bytes) -> int:
    """The amount a token account holds (its bytes 64..72)."""
    return int(struct.unpack_from("<Q", data, 64)[0])


def associated_account(owner: str, mint: Mint) -> str:
    from solders.pubkey import Pubkey
    from solders.token.associated import get_associated_token_address

    return str(
        get_associated_token_address(
            Pubkey.from_string(owner), Pubkey.from_string(mint.address), _key(mint.program)
        )
    )


def native_transfer(sender: str, recipient: str, lamports: int) -> Any:
    from solders.system_program import TransferParams, transfer

    return transfer(
        TransferParams(from_pubkey=_key(sender), to_pubkey=_key(recipient), lamports=lamports)
    )


def token_transfer(
    sender: str, recipient: str, mint: Mint, amount: int, create: bool
) -> tuple[Any, ...]:
    """TransferChecked from the sender's associated account to the recipient's, created first
    when `create`."""
    from solders.instruction import AccountMeta, Instruction

    source = associated_account(sender, mint)
    destination = associated_account(recipient, mint)
    program = _key(mint.program)
    transfer = Instruction(
        program,
        struct.pack("<BQB", TRANSFER_CHECKED, amount, mint.decimals),
        [
            AccountMeta(_key(source), is_signer=False, is_writable=True),
            AccountMeta(_key(mint.address), is_signer=False, is_writable=False),
            AccountMeta(_key(destination), is_signer=False, is_writable=True),
            AccountMeta(_key(sender), is_signer=True, is_writable=False),
        ],
    )
    if not create:
        return (transfer,)
    create_account = Instruction(
        _key(ASSOCIATED_ACCOUNT_PROGRAM),
        bytes([CREATE_IDEMPOTENT]),
        [
            AccountMeta(_key(sender), is_signer=True, is_writable=True),
            AccountMeta(_key(destination), is_signer=False, is_writable=True),
            AccountMeta(_key(recipient), is_signer=False, is_writable=False),
            AccountMeta(_key(mint.address), is_signer=False, is_writable=False),
            AccountMeta(_key(SYSTEM_PROGRAM), is_signer=False, is_writable=False),
            AccountMeta(program, is_signer=False, is_writable=False),
        ],
    )
    return (create_account, transfer)


def distinct(instructions: tuple[Any, ...], repeat: int) -> tuple[Any, ...]:
    """The `repeat`-th copy of the same payment made different: two transactions with the
    same instructions, payer and blockhash have the same signature, and the network runs only
    one of them. A Compute Budget limit (200,000 minus `repeat`, more than a transfer uses)
    changes the bytes and nothing else."""
    if not repeat:
        return instructions
    from solders.compute_budget import set_compute_unit_limit

    return (set_compute_unit_limit(200_000 - repeat), *instructions)


def sign(instructions: tuple[Any, ...], payer: str, blockhash: str, secret: bytes) -> Any:
    """A legacy transaction of `instructions`, fee paid and signed by `payer`."""
    from solders.hash import Hash
    from solders.keypair import Keypair
    from solders.message import Message
    from solders.transaction import Transaction

    keypair = Keypair.from_seed(secret)
    if str(keypair.pubkey()) != payer:
        raise ChainError("the key handed over is not the sender's: nothing was signed")
    recent = Hash.from_string(blockhash)
    message = Message.new_with_blockhash(list(instructions), _key(payer), recent)
    return Transaction([keypair], message, recent)


def message_bytes(instructions: tuple[Any, ...], payer: str, blockhash: str) -> bytes:
    """The unsigned message, as getFeeForMessage prices it."""
    from solders.hash import Hash
    from solders.message import Message

    message = Message.new_with_blockhash(
        list(instructions), _key(payer), Hash.from_string(blockhash)
    )
    return bytes(message)


def _key(text: str) -> Any:
    from solders.pubkey import Pubkey

    return Pubkey.from_string(text)
