"""The screening rules: small functions over one output, listed in one registry.

Each rule has a stable kebab-case id, a default severity, a one-line doc and an example;
docs/screening.md is generated from this registry (`python -m wallet_cli.screening.docs`).
A rule yields nothing when it has nothing to say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chains.base import Output, Preview
from wallet_cli.screening.amount_checks import (
    UNUSUAL_FACTOR,
    fee_exceeds_amount,
    spending_limit,
    unusual_amount,
)
from wallet_cli.screening.context import Context
from wallet_cli.screening.destination_checks import (
    burn_address,
    contract_recipient,
    dev_key_recipient,
    dev_key_sender,
    no_checksum,
    precompile,
    program_address,
    token_to_itself,
    typed_data_chain,
    zero_address,
)
from wallet_cli.screening.report import Finding, Severity
from wallet_cli.screening.trust_checks import (
    first_time,
    listed,
    lookalike,
    seen_as_poisoner,
    self_transfer,
)

RuleCheck = Callable[[Output, Preview, Context], Iterable[Finding]]
PreviewCheck = Callable[[Preview, Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    doc: str
    example: str
    check: RuleCheck | None = None  # run on every output
    preview_check: PreviewCheck | None = None  # run once on the whole preview


RULES: tuple[Rule, ...] = (
    Rule(
        "lookalike",
        "block",
        "Shares its first and last characters with a trusted address (a contact, one of "
        "yours, or one you sent to): 3+3 or more blocks, a weaker resemblance warns.",
        "0x[d9a1]c3788d81257612e2581a6ea0ada244[853a91] looks like contact 'treasury' "
        "0x[d9a1]b0b1e1ae382dbdc898ea68012ffcb2[853a91]",
        lookalike,
    ),
    Rule(
        "seen-as-poisoner",
        "block",
        "Only ever appeared (in `wallet sync`) as the sender of zero-value, dust or unlisted "
        "token transfers to this wallet, or of transfers forged in its name.",
        "0xbaff…f8b5 only ever sent this wallet a zero-value USDT transfer",
        seen_as_poisoner,
    ),
    Rule(
        "sanctioned",
        "block",
        "On the OFAC SDN list shipped with the wallet.",
        "0x8589…5d8e is on the sanctioned list 'ofac-sdn'",
        listed,
    ),
    Rule(
        "scam-listed",
        "block",
        "On the shipped scam list (MyEtherWallet darklist, Forta labelled datasets).",
        "0x0000…7865 is on the scam list 'scam' (Fake_Phishing3901)",
        listed,
    ),
    Rule(
        "user-listed",
        "block",
        "On a list added with `wallet lists add`.",
        "0x… is on the user list 'exchange-blocklist'",
        listed,
    ),
    Rule(
        "zero-address",
        "block",
        "The zero address burns what it receives.",
        "0x0000000000000000000000000000000000000000",
        zero_address,
    ),
    Rule(
        "burn-address",
        "block",
        "A well-known burn address such as 0x…dEaD.",
        "0x000000000000000000000000000000000000dEaD",
        burn_address,
    ),
    Rule(
        "precompile",
        "block",
        "An EVM precompile (0x…01 to 0x…ff) is not an account.",
        "0x0000000000000000000000000000000000000001",
        precompile,
    ),
    Rule(
        "program-address",
        "block",
        "A protocol fixture nobody holds a key to: on Solana a native or SPL program, a "
        "sysvar, the incinerator or the wrapped-SOL mint (the chain adapter's `well_known`).",
        "11111111111111111111111111111111 is the System Program",
        program_address,
    ),
    Rule(
        "token-to-itself",
        "block",
        "A token sent to its own contract is lost.",
        "sending TUSD to the TUSD contract",
        token_to_itself,
    ),
    Rule(
        "contract-recipient",
        "warn",
        "A native transfer to a contract (eth_getCode) that is not a contact or this home's Safe.",
        "sending ETH to a token contract",
        contract_recipient,
    ),
    Rule(
        "lookup-failed",
        "warn",
        "The node could not be asked whether the recipient is a contract: said, not skipped.",
        "could not ask the node whether 0x… is a contract",
        contract_recipient,
    ),
    Rule(
        "dev-key-sender",
        "block",
        "Sending from an account of the public test mnemonic on a network that is not a devnet.",
        "sending from 0xf39F…2266 on mainnet",
        dev_key_sender,
    ),
    Rule(
        "dev-key-recipient",
        "warn",
        "Sending to an account of the public test mnemonic on a network that is not a devnet.",
        "sending to 0x7099…79C8 on mainnet",
        dev_key_recipient,
    ),
    Rule(
        "first-time-recipient",
        "info",
        "This wallet never sent to the address before.",
        "this wallet has never sent to 0x… before (1.5 ETH)",
        first_time,
    ),
    Rule(
        "self-transfer",
        "info",
        "The destination is one of this wallet's addresses (or a Safe this home knows).",
        "0x7099…79C8 is one of this wallet's own addresses",
        self_transfer,
    ),
    Rule(
        "no-checksum",
        "info",
        "An all-lower-case EVM address carries no EIP-55 checksum to catch typos.",
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
        no_checksum,
    ),
    Rule(
        "spending-limit",
        "block",
        "Over the wallet's max-per-transfer or max-per-day for the asset (config.toml).",
        "12 ETH is over this wallet's max-per-transfer of 10 ETH",
        spending_limit,
    ),
    Rule(
        "unusual-amount",
        "warn",
        f"More than {UNUSUAL_FACTOR} times the largest amount this wallet sent before.",
        "50 ETH is more than 10 times the largest this wallet sent before (2 ETH)",
        unusual_amount,
    ),
    Rule(
        "fee-exceeds-amount",
        "warn",
        "The fee (its cap) is more than the amount sent and more than the network's "
        "`fee-warn-floor` (default 0.001 ETH, 10,000 sat). Native transfers only: a token "
        "amount has no price in the native asset to compare with.",
        "the fee (at most 0.021 ETH) is more than the amount sent (0.000000000000000001 ETH)",
        preview_check=fee_exceeds_amount,
    ),
    Rule(
        "typed-data-chain",
        "warn",
        "EIP-712 typed data whose domain names another chain than the network's.",
        "the typed data is for chain id 1, but network 'devnet' is chain id 31337",
        preview_check=typed_data_chain,
    ),
)


def checks() -> list[RuleCheck]:
    """Each output check once (several ids can share one function)."""
    return list(dict.fromkeys(rule.check for rule in RULES if rule.check is not None))


def preview_checks() -> list[PreviewCheck]:
    return list(dict.fromkeys(r.preview_check for r in RULES if r.preview_check is not None))
