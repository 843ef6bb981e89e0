"""Message signing through the same screen-then-sign step as transfers.

On Solana networks a message is signed with ed25519 over its bytes (base58 signature).

A personal message (EIP-191) has no destination, so nothing is screened; typed data
(EIP-712) names a verifying contract, which is screened like a recipient, and a domain
chain id other than the network's is a warning: a signature meant for another chain is a
common phishing trick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chains.base import Network, Output, Preview
from chains.evm import messages
from chains.evm.transfer import ETH
from chains.evm.tx import Signer
from chains.registry import adapter_for
from wallet_cli import screening
from wallet_cli.errors import NotConfirmed
from wallet_cli.store.config import Config
from wallet_cli.transfer import Confirm, Unlock, enforce, screening_context
from wallet_cli.wallet import Wallet

TypedDataSummary = messages.TypedDataSummary  # what `show_and_confirm` is shown
ShowAndConfirm = Callable[[TypedDataSummary, screening.Report], bool]


@dataclass(frozen=True)
class MessageSignature:
    address: str
    signature: str
    digest: str
    report: screening.Report


def sign_personal(
    wallet: Wallet, index: int, message: bytes, unlock: Unlock, family: str = "evm"
) -> MessageSignature:
    if family == "sol":
        return _sign_solana(wallet, index, message, unlock)
    address = wallet.addresses("evm", [index])[0].address
    unlock()
    digest = messages.personal_digest(message)
    signature = messages.sign_digest(Signer(wallet.private_key("evm", index)), digest)
    return MessageSignature(
        address, "0x" + signature.hex(), "0x" + digest.hex(), screening.Report()
    )


def _sign_solana(wallet: Wallet, index: int, message: bytes, unlock: Unlock) -> MessageSignature:
    """Ed25519 over the message bytes themselves (no prefix, no digest): what Solana
    wallets' signMessage gives; `digest` is the message in hex, for the record."""
    from chains.sol import messages as sol_messages

    address = wallet.addresses("sol", [index])[0].address
    unlock()
    signature = sol_messages.sign(wallet.private_key("sol", index), message)
    return MessageSignature(address, signature, message.hex(), screening.Report())


def verify_solana(address: str, message: bytes, signature: str) -> bool:
    from chains.sol import messages as sol_messages

    return sol_messages.verify(address, message, signature)


def verify_personal(address: str, message: bytes, signature_hex: str) -> tuple[bool, str]:
    text = signature_hex.strip().removeprefix("0x")
    try:
        signature = bytes.fromhex(text)
    except ValueError:
        from chains.errors import InvalidSignature

        raise InvalidSignature("the signature is not hex") from None
    recovered = messages.recover(messages.personal_digest(message), signature)
    return recovered == address, recovered


def sign_typed(
    wallet: Wallet,
    network: Network,
    config: Config,
    index: int,
    document: dict[str, Any],
    *,
    unlock: Unlock,
    confirm: Confirm,
    show_and_confirm: ShowAndConfirm,
    allow: frozenset[str] = frozenset(),
) -> MessageSignature:
    summary = messages.summarize(document)
    digest = messages.typed_data_digest(document)
    address = wallet.addresses("evm", [index])[0].address
    outputs: tuple[Output, ...] = ()
    if summary.verifying_contract:
        contract = adapter_for("evm").parse_address(summary.verifying_contract, network)
        outputs = (Output(contract, ETH, 0, summary.verifying_contract),)
    preview = Preview(
        network.name, network.chain_id, address, outputs, 0, ETH, domain_chain_id=summary.chain_id
    )
    context = screening_context(wallet, network, config, None)
    report = screening.check(preview, context)
    enforce(report, allow, confirm, preview)  # the pipeline's own decision, as a send's
    if not show_and_confirm(summary, report):
        raise NotConfirmed("signing the typed data was not confirmed: nothing was signed")
    unlock()
    signature = messages.sign_digest(Signer(wallet.private_key("evm", index)), digest)
    return MessageSignature(address, "0x" + signature.hex(), "0x" + digest.hex(), report)
