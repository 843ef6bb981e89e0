"""The screening rules: small functions over one output, listed in one registry.

Each rule has a stable kebab-case id, a default severity, a one-line doc, an example and
advice (the risk and the next step, kept in wallet_cli/screening/advice.py so this list
stays readable) under a stable anchor; docs/screening.md is generated from this registry
(`python -m wallet_cli.screening.docs`).
A rule yields nothing when it has nothing to say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chains.base import Output, Preview
from wallet_cli.screening.advice import RULE_ADVICE
from wallet_cli.screening.advice import link as doc_link
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
from wallet_cli.screening.grant_checks import (
    grant_expiry,
    mentions,
    order_for_nothing,
    order_pays_stranger,
    spender_not_contract,
    unlimited_grant,
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

    @property
    def advice(self) -> str:
        """One sentence: the risk, then what a careful owner does next ("" if missing)."""
        return RULE_ADVICE.get(self.id, "")

    @property
    def anchor(self) -> str:
        """The heading id in docs/screening.md: the rule id itself, so it never moves."""
        return self.id

    @property
    def link(self) -> str:
        return doc_link(self.anchor)


RULES: tuple[Rule, ...] = (
    Rule(
        "lookalike",
        "block",
        "Shares its first and last characters with a trusted address: against contacts, your "
        "own, and recent or frequent recipients 3+3 or more blocks and a weaker resemblance "
        "warns; against older recipients 9 characters (both ends at least 3) block, 8 warn.",
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
    Rule(
        "message-address",
        "block",
        "Every address a signed message or a call names (a Permit's spender, a Seaport "
        "recipient or zone, a Permit2 witness's recipient, a disguised transaction's `to`…) "
        "is screened like a destination: the findings keep those rules' ids (`sanctioned`, "
        "`scam-listed`, `user-listed`, `lookalike`, `seen-as-poisoner`) and name the field.",
        "message.spender: 0x8589…5d8e is on the sanctioned list 'ofac-sdn'",
        preview_check=mentions,
    ),
    Rule(
        "unlimited-grant",
        "warn",
        "A signature or call that lets a spender take everything: an amount of 2^255 or more "
        "(2^160 - 1 for Permit2's uint160), or DAI's `allowed: true`.",
        "message.spender lets 0x… take ALL of 0x6B17…1d0F, not an amount",
        preview_check=unlimited_grant,
    ),
    Rule(
        "grant-expiry",
        "info",
        "What a grant is good for: no end date (an ERC-2612 or DAI allowance lasts until "
        "revoked) or an end more than a year away.",
        "message.details: 0x… may use it until 2030-01-01 (in 4 years)",
        preview_check=grant_expiry,
    ),
    Rule(
        "spender-not-contract",
        "warn",
        "The spender of a grant has no contract code on the node (eth_getCode): an ordinary "
        "account, not a protocol. Contacts and your own addresses are not asked about.",
        "spender 0x… has no contract code on mainnet",
        preview_check=spender_not_contract,
    ),
    Rule(
        "spender-not-checked",
        "info",
        "The node was not asked (offline, or it did not answer) whether a spender is a "
        "contract: said, not skipped.",
        "no node was asked whether 0x… is a contract (offline)",
        preview_check=spender_not_contract,
    ),
    Rule(
        "order-pays-stranger",
        "block",
        "A Seaport consideration item pays an address that is neither you nor a known fee "
        "recipient (OpenSea's 0x0000a26b00c1F0DF003000390027140000fAa719): the shape of a "
        "listing phished at a price paid to the drainer.",
        "message.consideration[1] pays 0x…, neither you nor a known fee recipient",
        preview_check=order_pays_stranger,
    ),
    Rule(
        "order-for-nothing",
        "warn",
        "A Seaport order gives items away and pays you nothing when filled, or pays others "
        "more than you in the same token.",
        "the order gives away message.offer[0] and pays you nothing",
        preview_check=order_for_nothing,
    ),
    Rule(
        "blind-signing",
        "warn",
        "`sign-message` of a bare 32-byte value (0x and 64 hex digits, or 32 raw bytes): a "
        "hash signed blind, which may approve anything.",
        "the message is a bare 32-byte value, most likely a hash signed blind",
    ),
    Rule(
        "disguised-message",
        "warn",
        "`sign-message` of an EVM transaction (RLP, legacy or typed 0x01/0x02/0x04) or an "
        "EIP-712 document passed as a personal message; the addresses it names are screened "
        "too.",
        "the message is an EIP-1559 transaction in disguise",
    ),
)


def checks() -> list[RuleCheck]:
    """Each output check once (several ids can share one function)."""
    return list(dict.fromkeys(rule.check for rule in RULES if rule.check is not None))


def preview_checks() -> list[PreviewCheck]:
    return list(dict.fromkeys(r.preview_check for r in RULES if r.preview_check is not None))
