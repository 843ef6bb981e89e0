"""Message signing through the same screen-then-sign step as transfers.

On Solana networks a message is signed with ed25519 over its bytes (base58 signature).

A personal message (EIP-191) has no destination; one that is not text (a bare 32-byte
hash, an EVM transaction or an EIP-712 document in disguise) warns, and the addresses a
disguised one names are screened. Typed data (EIP-712) is decoded whole: its verifying
contract is screened like a recipient, every address of its message like a destination,
and what it grants or pays (Permit, Permit2, Seaport) by the grant rules; a domain chain id
other than the network's is a warning (a signature meant for another chain is a common
phishing trick). The person is shown the whole message, each address labelled, before the
verdict is enforced, so a refused signature is seen for what it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chains.base import Asset, Grant, Mention, Network, Output, Payment, Preview
from chains.errors import ChainError
from chains.evm import messages, typed_intents
from chains.evm.transfer import ETH
from chains.evm.tx import Signer
from chains.registry import adapter_for
from chains.session import ChainSession
from wallet_cli import screening
from wallet_cli.errors import NotConfirmed
from wallet_cli.screening.context import Context
from wallet_cli.screening.grant_checks import message_findings, when
from wallet_cli.screening.labels import amount_text, label
from wallet_cli.store.config import Config
from wallet_cli.transfer import Confirm, Unlock, enforce, screening_context
from wallet_cli.wallet import Wallet

TypedDataSummary = messages.TypedDataSummary
printable = typed_intents.printable  # message text as a terminal may show it


@dataclass(frozen=True)
class TypedDataView:
    """What a person sees before signing typed data: the domain, the whole message (one
    line per field, indented, addresses labelled, amounts in the token's units), and one
    line per thing it grants or pays. `refused`: a block stops it; shown, not asked."""

    summary: TypedDataSummary
    decoded: str
    lines: tuple[str, ...]
    intents: tuple[str, ...]
    refused: bool


ShowAndConfirm = Callable[[TypedDataView, screening.Report], bool]  # shown before enforced


@dataclass(frozen=True)
class MessageSignature:
    address: str
    signature: str
    digest: str
    report: screening.Report
    message: dict[str, Any] | None = None  # typed data: the message as given
    grants: tuple[Grant, ...] = ()
    payments: tuple[Payment, ...] = ()
    decoded: str = ""  # the form recognised: "ERC-2612 Permit", "Permit2 PermitSingle", …


def _refuse(report: screening.Report, preview: Preview) -> bool:
    return False


def sign_personal(
    wallet: Wallet,
    index: int,
    message: bytes,
    unlock: Unlock,
    family: str = "evm",
    *,
    network: Network | None = None,
    config: Config | None = None,
    confirm: Confirm = _refuse,
    allow: frozenset[str] = frozenset(),
) -> MessageSignature:
    """EIP-191. A message that is not text warns (`blind-signing`, `disguised-message`;
    `confirm` decides, by default no) and the addresses a disguised one names are screened
    when `network` and `config` are given."""
    if family == "sol":
        return _sign_solana(wallet, index, message, unlock)
    address = wallet.addresses("evm", [index])[0].address
    report = screening.Report()
    shape = messages.message_shape(message)
    if shape is not None:
        mentions = tuple(Mention(a, "message", where) for a, where in shape.addresses)
        name, chain_id = (network.name, network.chain_id) if network else ("", None)
        preview = Preview(name, chain_id, address, (), 0, ETH, mentions=mentions)
        findings = message_findings(shape.kind, shape.description)
        if mentions and network is not None and config is not None:
            context = screening_context(wallet, network, config, None)
            findings += screening.check(preview, context).findings
        report = screening.Report(tuple(findings))
        enforce(report, allow, confirm, preview)
    unlock()
    digest = messages.personal_digest(message)
    signature = messages.sign_digest(Signer(wallet.private_key("evm", index)), digest)
    return MessageSignature(address, "0x" + signature.hex(), "0x" + digest.hex(), report)


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


def typed_preview(
    document: dict[str, Any], network: Network, signer: str
) -> tuple[Preview, typed_intents.Intents]:
    """What screening checks of typed data signed by `signer`: its verifying contract as the
    output (a signature's destination), and what it grants, pays and names."""
    summary = messages.summarize(document)
    intents = typed_intents.decode(document)
    outputs: tuple[Output, ...] = ()
    if summary.verifying_contract:
        contract = adapter_for("evm").parse_address(summary.verifying_contract, network)
        outputs = (Output(contract, ETH, 0, summary.verifying_contract),)
    preview = Preview(
        network.name, network.chain_id, signer, outputs, 0, ETH,
        domain_chain_id=summary.chain_id, grants=intents.grants, payments=intents.payments,
        mentions=intents.mentions,
    )  # fmt: skip
    return preview, intents


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
    """Decode, screen, enforce (warnings go to `confirm`), then `show_and_confirm` the
    whole message, labelled, and what it grants before signing. A refused signature is
    shown too (`view.refused`, nothing asked) before `ScreeningBlocked`."""
    summary = messages.summarize(document)
    digest = messages.typed_data_digest(document)
    address = wallet.addresses("evm", [index])[0].address
    preview, intents = typed_preview(document, network, address)
    node = _node(network)
    try:
        context = screening_context(wallet, network, config, node)
        report = screen_signature(preview, context)
        assets = _assets(node, config, network, _tokens(document, intents))
    finally:
        if node is not None:
            node.close()
    refused = any(f.rule not in allow for f in report.blocking())
    view = view_of(summary, document, intents, context, assets, address, refused)
    if refused:
        show_and_confirm(view, report)  # seen for what it was, then refused
    enforce(report, allow, confirm, preview)  # the pipeline's own decision, as a send's
    if not show_and_confirm(view, report):
        raise NotConfirmed("signing the typed data was not confirmed: nothing was signed")
    unlock()
    signature = messages.sign_digest(Signer(wallet.private_key("evm", index)), digest)
    return MessageSignature(
        address, "0x" + signature.hex(), "0x" + digest.hex(), report,
        document.get("message") if isinstance(document.get("message"), dict) else {},
        intents.grants, intents.payments, intents.kind,
    )  # fmt: skip


# A verifying contract is meant to be a contract, and nothing is sent to it: the rules
# about sending the native coin to a contract say nothing about a signature.
_NOT_FOR_SIGNATURES = frozenset({"contract-recipient", "lookup-failed"})


def screen_signature(preview: Preview, context: screening.Context) -> screening.Report:
    """Screening of a signature's preview: every rule, less those about sending coin to a
    contract (a verifying contract is where a signature goes, not coin)."""
    report = screening.check(preview, context)
    return screening.Report(tuple(f for f in report.findings if f.rule not in _NOT_FOR_SIGNATURES))


def _node(network: Network) -> ChainSession | None:
    """A read-only session for contract code and token decimals, or None: offline (no
    node configured, or it does not answer); the spender rule then says it did not ask."""
    from wallet_cli.transfer import connect

    if not network.rpc_url:
        return None
    try:
        return connect(network, timeout=5.0)
    except ChainError:
        return None


def _tokens(document: dict[str, Any], intents: typed_intents.Intents) -> list[str]:
    found = [f.amount_of for f in typed_intents.fields(document) if f.amount_of]
    found += [g.token for g in intents.grants if g.token]
    found += [p.token for p in intents.payments if p.token]
    return [t for t in dict.fromkeys(found) if t != "native"]


def _assets(
    node: ChainSession | None, config: Config, network: Network, tokens: list[str]
) -> dict[str, Asset]:
    """Symbol and decimals of each token: asked of the node (`decimals()`, `symbol()`);
    offline, a token of config's `[tokens.NETWORK]` keeps its symbol, its amounts raw."""
    named = {address.lower(): symbol for symbol, address in config.tokens(network.name).items()}
    assets: dict[str, Asset] = {"native": network.native}
    for asked, token in enumerate(tokens):
        if node is not None and asked < TOKEN_LOOKUPS:
            try:
                asset = node.asset(token)
                symbol = named.get(token.lower(), asset.symbol)
                assets[token] = Asset(symbol, asset.decimals, token)
                continue
            except ChainError:
                pass
        if token.lower() in named:
            assets[token] = Asset(named[token.lower()], UNKNOWN_DECIMALS, token)
    return assets


TOKEN_LOOKUPS = 32  # tokens asked of the node per message; a real one names a few
UNKNOWN_DECIMALS = -1  # a token known by name only: its amounts are shown raw
_TIMES = ("deadline", "expiry", "expiration", "sigDeadline", "startTime", "endTime")


def view_of(
    summary: TypedDataSummary,
    document: dict[str, Any],
    intents: typed_intents.Intents,
    context: Context,
    assets: dict[str, Asset],
    sender: str,
    refused: bool,
) -> TypedDataView:
    now = int(datetime.now(UTC).timestamp())

    def who(address: str) -> str:
        named = assets.get(address)
        known = label(address, context, sender)
        if named is not None:
            known = f"token {named.symbol}" + ("" if known == "unknown" else f"; {known}")
        return f"{address} ({known})"

    def amount(value: int, token: str | None, unlimited: bool = False) -> str:
        asset = assets.get(token or "native")
        if asset is not None and asset.decimals == UNKNOWN_DECIMALS:
            return "UNLIMITED" if unlimited else f"{value} (base units of {asset.symbol})"
        return amount_text(value, asset, unlimited)

    lines = []
    for field in typed_intents.fields(document):
        pad, name = "  " * field.depth, field.name
        if field.value is None:
            lines.append(f"{pad}{name} ({field.type}):")
        elif field.address is not None:
            lines.append(f"{pad}{name}: {who(field.address)}")
        elif field.amount_of is not None:
            number = int(field.value)
            big = number >= typed_intents.UNLIMITED_UINT256 or (
                field.type == "uint160" and number >= typed_intents.MAX_UINT160
            )
            lines.append(f"{pad}{name}: {field.value} = {amount(number, field.amount_of, big)}")
        elif name in _TIMES and field.value.isdigit() and int(field.value) > 0:
            lines.append(f"{pad}{name}: {field.value} = {when(int(field.value), now)}")
        else:
            lines.append(f"{pad}{name}: {field.value}")
    said = [_grant_line(g, who, amount, g.token in assets, now) for g in intents.grants]
    said += [
        f"pays {amount(p.amount, p.token)} to {who(p.recipient)} when filled ({p.where})"
        for p in intents.payments
    ]
    if intents.deadline:
        said.append(f"the signature can be used until {when(intents.deadline, now)}")
    return TypedDataView(summary, intents.kind, tuple(lines), tuple(said), refused)


def _grant_line(
    grant: Grant,
    who: Callable[[str], str],
    amount: Callable[[int, str | None, bool], str],
    known_token: bool,
    now: int,
) -> str:
    """`lets 0x… (label) take UNLIMITED PTK (0x…) until 2030-01-01 (in 4 years)`."""
    until = f"until {when(grant.expires, now)}" if grant.expires else "for good (no end date)"
    what = amount(grant.amount or 0, grant.token, grant.unlimited)
    if grant.token is None:
        what += " of every token" if grant.kind != "order-offer" else ""
    elif known_token:
        what += f" ({grant.token})"
    else:
        what += f" of {who(grant.token)}"
    if grant.kind == "order-offer":
        return f"gives {what} to whoever fills the order, {until} ({grant.where})"
    verb = "transfer, once," if grant.kind == "permit2-transfer" else "take"
    return f"lets {who(grant.spender)} {verb} {what} {until} ({grant.where})"


def decoded_json(signed: MessageSignature) -> dict[str, Any]:
    """`message`, `grants` and `payments` as docs/cli.md names them: amounts and times as
    decimal strings (base units, unix seconds), null where there is none."""

    def text(value: int | None) -> str | None:
        return None if value is None else str(value)

    return {
        "decoded": signed.decoded or None,
        "message": signed.message,
        "grants": [
            {
                "kind": g.kind,
                "token": g.token,
                "spender": g.spender,
                "amount": text(g.amount),
                "unlimited": g.unlimited,
                "expires": text(g.expires),
                "where": g.where,
            }
            for g in signed.grants
        ],
        "payments": [
            {"recipient": p.recipient, "token": p.token, "amount": str(p.amount), "where": p.where}
            for p in signed.payments
        ],
    }
