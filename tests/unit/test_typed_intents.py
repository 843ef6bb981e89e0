"""What a signature gives away: the EIP-712 decoders (chains/evm/typed_intents.py) on
published payloads, the grant rules (wallet_cli/screening/grant_checks.py) on what they
decode, and the personal messages that are not text (chains/evm/messages.message_shape).

Payloads, where one was published:
- ERC-2612: Ledger's hw-app-eth test fixture tests/fixtures/messages/15-permit.json (npm
  @ledgerhq/hw-app-eth 7.1.0): a USDC permit of the maximum uint256 to 1inch's router.
- Permit2 PermitSingle: the same package's 16-permit2.json (WETH on Polygon, 69.42 WETH).
- Seaport: an OpenSea Seaport 1.5 listing on Sepolia as signed with eth_signTypedData_v4
  (an ERC-1155 item for 0.00975 ETH to the seller and 0.00025 ETH to OpenSea's fee
  recipient), published as a fixture of a public wallet-security extension.
- DAI: DAI's mainnet domain and `Permit(holder,spender,nonce,expiry,allowed)` as DAI's
  contract declares it (Uniswap's IERC20PermitAllowed docs: allowed true is uint256 max).
- Permit2 batch, transfer and witness forms: the type strings of Uniswap/permit2's
  PermitHash.sol, with addresses of our own.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chains.base import Asset, Network, Output, Preview
from chains.evm import eip712, typed_intents
from chains.evm.address import to_checksum
from chains.evm.messages import message_shape
from chains.evm.transfer import ETH
from tests.permit_fixtures import (
    DOMAIN_NAME_VERSION,
    PERMIT2_DOMAIN,
    PERMIT_DETAILS,
    SEAPORT_TYPES,
    TOKEN_PERMISSIONS,
)
from wallet_cli import screening
from wallet_cli.screening.context import Context
from wallet_cli.screening.lists import ListSet
from wallet_cli.screening.report import Report

DOMAIN4 = DOMAIN_NAME_VERSION
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
MAX = 2**256 - 1
SANCTIONED = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"  # on the shipped OFAC list
ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
SPENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
DEVNET = Network("devnet", "evm", "http://127.0.0.1:1", 31337, is_devnet=True)


def cs(address: str) -> str:
    return to_checksum(address[2:].lower())


LEDGER_PERMIT: dict[str, Any] = {
    "domain": {
        "name": "USD Coin",
        "verifyingContract": "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
        "chainId": 1,
        "version": "2",
    },
    "primaryType": "Permit",
    "message": {
        "deadline": 1718992051,
        "spender": "0x111111125421ca6dc452d289314280a0f8842a65",
        "nonce": 0,
        "value": str(MAX),
        "owner": "0x6cbcd73cd8e8a42844662f0a0e76d7f79afd933d",
    },
    "types": {
        "EIP712Domain": DOMAIN4,
        "Permit": [
            {"name": "owner", "type": "address"},
            {"name": "spender", "type": "address"},
            {"name": "value", "type": "uint256"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ],
    },
}
LEDGER_PERMIT2: dict[str, Any] = {
    "domain": {"name": "Permit2", "chainId": 137, "verifyingContract": PERMIT2.lower()},
    "primaryType": "PermitSingle",
    "message": {
        "details": {
            "expiration": "1718184249",
            "amount": "69420000000000000000",
            "nonce": "0",
            "token": "0x7ceb23fd6bc0add59e62ac25578270cff1b9f619",
        },
        "spender": "0xec7be89e9d109e7e3fec59c222cf297125fefda2",
        "sigDeadline": "1715594049",
    },
    "types": {
        "PermitSingle": [
            {"name": "details", "type": "PermitDetails"},
            {"name": "spender", "type": "address"},
            {"name": "sigDeadline", "type": "uint256"},
        ],
        "PermitDetails": PERMIT_DETAILS,
        "EIP712Domain": PERMIT2_DOMAIN,
    },
}
SELLER = "0xAB3f74BF693Cd9cF123A31838357625ce3e5c0d2"
OPENSEA_FEE = "0x0000a26b00c1F0DF003000390027140000fAa719"
NATIVE = "0x0000000000000000000000000000000000000000"
SEAPORT_LISTING: dict[str, Any] = {
    "types": SEAPORT_TYPES,
    "primaryType": "OrderComponents",
    "domain": {
        "name": "Seaport",
        "version": "1.5",
        "chainId": "11155111",
        "verifyingContract": "0x00000000000000ADc04C56Bf30aC9d3c0aAF14dC",
    },
    "message": {
        "offerer": SELLER,
        "offer": [
            {
                "itemType": "3",
                "token": "0xfc4A9d4Cd18DEA2aCD38d8a4F292dfA5006ec838",
                "identifierOrCriteria": "1",
                "startAmount": "1",
                "endAmount": "1",
            }
        ],
        "consideration": [
            {
                "itemType": "0",
                "token": NATIVE,
                "identifierOrCriteria": "0",
                "startAmount": "9750000000000000",
                "endAmount": "9750000000000000",
                "recipient": SELLER,
            },
            {
                "itemType": "0",
                "token": NATIVE,
                "identifierOrCriteria": "0",
                "startAmount": "250000000000000",
                "endAmount": "250000000000000",
                "recipient": OPENSEA_FEE,
            },
        ],
        "startTime": "1709272667",
        "endTime": "1711947467",
        "orderType": "1",
        "zone": "0x004C00500000aD104D7DBd00e3ae0A5C00560C00",
        "zoneHash": "0x" + "00" * 32,
        "salt": "24446860302761739304752683030156737591518664810215442929811201615252860937397",
        "conduitKey": "0x0000007b02230091a7ed01230072f7006a004d60a8d4e71d599b8104250f0000",
        "totalOriginalConsiderationItems": "2",
        "counter": "0",
    },
}


def dai_permit(allowed: bool) -> dict[str, Any]:
    return {
        "types": {
            "EIP712Domain": DOMAIN4,
            "Permit": [
                {"name": "holder", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
                {"name": "allowed", "type": "bool"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "Dai Stablecoin",
            "version": "1",
            "chainId": 1,
            "verifyingContract": "0x6B175474E89094C44Da98b954EedeAC495271d0F",
        },
        "message": {
            "holder": ME,
            "spender": SPENDER,
            "nonce": 0,
            "expiry": 0,
            "allowed": allowed,
        },
    }


def permit2_doc(primary: str, types: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": PERMIT2_DOMAIN, **types},
        "primaryType": primary,
        "domain": {"name": "Permit2", "chainId": 1, "verifyingContract": PERMIT2},
        "message": message,
    }


USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
WITNESS = [
    {"name": "recipient", "type": "address"},
    {"name": "minOut", "type": "uint256"},
]


def decode(document: dict[str, Any]) -> typed_intents.Intents:
    eip712.digest(document)  # the decoders read only what the signature covers
    return typed_intents.decode(document)


def test_erc2612_permit_of_the_maximum() -> None:
    intents = decode(LEDGER_PERMIT)
    assert intents.kind == "ERC-2612 Permit"
    (grant,) = intents.grants
    assert grant.token == cs("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
    assert grant.spender == cs("0x111111125421ca6dc452d289314280a0f8842a65")
    assert (grant.amount, grant.unlimited, grant.expires) == (MAX, True, None)
    assert grant.where == "message.spender"
    assert intents.deadline == 1718992051
    roles = {m.where: m.role for m in intents.mentions}
    assert roles == {"message.owner": "owner", "message.spender": "spender"}


def test_erc2612_finite_permit_is_not_unlimited() -> None:
    document = copy.deepcopy(LEDGER_PERMIT)
    document["message"]["value"] = str(2**255 - 1)
    (grant,) = decode(document).grants
    assert grant.amount == 2**255 - 1
    assert not grant.unlimited
    document["message"]["value"] = str(2**255)
    assert decode(document).grants[0].unlimited


@pytest.mark.parametrize(("allowed", "amount"), [(True, MAX), (False, 0)])
def test_dai_permit(allowed: bool, amount: int) -> None:
    intents = decode(dai_permit(allowed))
    assert intents.kind == "DAI Permit"
    (grant,) = intents.grants
    assert (grant.spender, grant.amount, grant.unlimited) == (SPENDER, amount, allowed)
    assert grant.token == "0x6B175474E89094C44Da98b954EedeAC495271d0F"
    assert intents.deadline is None  # expiry 0: DAI's "no deadline"


def test_permit2_permit_single() -> None:
    intents = decode(LEDGER_PERMIT2)
    assert intents.kind == "Permit2 PermitSingle"
    (grant,) = intents.grants
    assert grant.kind == "permit2"
    assert grant.token == cs("0x7ceb23fd6bc0add59e62ac25578270cff1b9f619")
    assert grant.spender == cs("0xec7be89e9d109e7e3fec59c222cf297125fefda2")
    assert (grant.amount, grant.unlimited) == (69420000000000000000, False)
    assert grant.expires == 1718184249
    assert intents.deadline == 1715594049
    assert grant.where == "message.details"
    wheres = {m.where for m in intents.mentions}
    assert wheres == {"message.details.token", "message.spender"}


def test_permit2_batch_each_detail_is_a_grant() -> None:
    details = [
        {"token": USDC, "amount": str(2**160 - 1), "expiration": "0", "nonce": "3"},
        {"token": WETH, "amount": "5", "expiration": "1900000000", "nonce": "0"},
    ]
    document = permit2_doc(
        "PermitBatch",
        {
            "PermitBatch": [
                {"name": "details", "type": "PermitDetails[]"},
                {"name": "spender", "type": "address"},
                {"name": "sigDeadline", "type": "uint256"},
            ],
            "PermitDetails": PERMIT_DETAILS,
        },
        {"details": details, "spender": SANCTIONED, "sigDeadline": "1800000000"},
    )
    first, second = decode(document).grants
    assert (first.token, first.unlimited, first.where) == (USDC, True, "message.details[0]")
    assert first.expires == 1800000000  # expiration 0: only until the signature's deadline
    assert (second.token, second.amount, second.unlimited) == (WETH, 5, False)
    assert second.expires == 1900000000
    assert {g.spender for g in (first, second)} == {SANCTIONED}
    fields = {f.path: f for f in typed_intents.fields(document)}
    assert fields["message.details[1].amount"].amount_of == WETH


def test_permit2_transfer_from_and_batch() -> None:
    single = permit2_doc(
        "PermitTransferFrom",
        {
            "PermitTransferFrom": [
                {"name": "permitted", "type": "TokenPermissions"},
                {"name": "spender", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
            "TokenPermissions": TOKEN_PERMISSIONS,
        },
        {
            "permitted": {"token": USDC, "amount": str(MAX)},
            "spender": SPENDER,
            "nonce": "7",
            "deadline": "1750000000",
        },
    )
    (grant,) = decode(single).grants
    assert (grant.kind, grant.token, grant.spender) == ("permit2-transfer", USDC, SPENDER)
    assert grant.unlimited
    assert grant.expires == 1750000000
    batch = permit2_doc(
        "PermitBatchTransferFrom",
        {
            "PermitBatchTransferFrom": [
                {"name": "permitted", "type": "TokenPermissions[]"},
                {"name": "spender", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
            "TokenPermissions": TOKEN_PERMISSIONS,
        },
        {
            "permitted": [{"token": USDC, "amount": "1"}, {"token": WETH, "amount": "2"}],
            "spender": SPENDER,
            "nonce": "8",
            "deadline": "1750000000",
        },
    )
    grants = decode(batch).grants
    assert [(g.token, g.amount, g.where) for g in grants] == [
        (USDC, 1, "message.permitted[0]"),
        (WETH, 2, "message.permitted[1]"),
    ]


@pytest.mark.parametrize("batch", [False, True])
def test_permit2_witness_forms_mention_the_witness_addresses(batch: bool) -> None:
    primary = "PermitBatchWitnessTransferFrom" if batch else "PermitWitnessTransferFrom"
    permitted_type = "TokenPermissions[]" if batch else "TokenPermissions"
    permitted: Any = [{"token": USDC, "amount": "10"}] if batch else {"token": USDC, "amount": "10"}
    document = permit2_doc(
        primary,
        {
            primary: [
                {"name": "permitted", "type": permitted_type},
                {"name": "spender", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
                {"name": "witness", "type": "Witness"},
            ],
            "TokenPermissions": TOKEN_PERMISSIONS,
            "Witness": WITNESS,
        },
        {
            "permitted": permitted,
            "spender": SPENDER,
            "nonce": "1",
            "deadline": "1750000000",
            "witness": {"recipient": SANCTIONED, "minOut": "99"},
        },
    )
    intents = decode(document)
    (grant,) = intents.grants
    assert (grant.spender, grant.token, grant.amount) == (SPENDER, USDC, 10)
    witness = next(m for m in intents.mentions if m.where == "message.witness.recipient")
    assert (witness.address, witness.role) == (SANCTIONED, "recipient")


def test_seaport_listing_pays_the_seller_and_the_fee() -> None:
    intents = decode(SEAPORT_LISTING)
    assert intents.kind == "Seaport order"
    (offer,) = intents.grants
    assert offer.kind == "order-offer"
    assert offer.token == "0xfc4A9d4Cd18DEA2aCD38d8a4F292dfA5006ec838"
    assert offer.spender == "0x00000000000000ADc04C56Bf30aC9d3c0aAF14dC"
    assert (offer.amount, offer.expires, offer.where) == (1, 1711947467, "message.offer[0]")
    assert [(p.recipient, p.token, p.amount) for p in intents.payments] == [
        (SELLER, None, 9750000000000000),
        (OPENSEA_FEE, None, 250000000000000),
    ]
    zone = next(m for m in intents.mentions if m.where == "message.zone")
    assert zone.role == "zone"
    assert all(m.address != NATIVE for m in intents.mentions)  # the zero address names nobody
    fields = {f.path: f for f in typed_intents.fields(SEAPORT_LISTING)}
    assert fields["message.consideration[0].startAmount"].amount_of == "native"
    assert fields["message.offer[0].startAmount"].amount_of is None  # an NFT count


def test_seaport_amount_is_the_larger_end() -> None:
    document = copy.deepcopy(SEAPORT_LISTING)
    document["message"]["consideration"][0]["endAmount"] = "1"  # a falling (Dutch) price
    assert decode(document).payments[0].amount == 9750000000000000
    document["message"]["consideration"][0]["endAmount"] = str(10**19)
    assert decode(document).payments[0].amount == 10**19


def test_other_typed_data_only_mentions() -> None:
    from tests.conftest import load_vectors

    mail = load_vectors("eip712.json")["vectors"][0]["typed_data"]
    intents = decode(mail)
    assert (intents.kind, intents.grants, intents.payments) == ("", (), ())
    assert {m.where for m in intents.mentions} == {"message.from.wallet", "message.to.wallet"}


def test_fields_show_every_value_with_its_path() -> None:
    fields = typed_intents.fields(LEDGER_PERMIT)
    assert [f.path for f in fields] == [
        "message.owner",
        "message.spender",
        "message.value",
        "message.nonce",
        "message.deadline",
    ]
    value = fields[2]
    assert value.value == str(MAX)
    assert value.amount_of == cs("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
    assert all(f.depth == 1 for f in fields)


# --- the grant rules on what the decoders found ---


class Code:
    def __init__(self, contracts: set[str]) -> None:
        self.contracts = contracts

    def prefetch(self, addresses: list[str]) -> None:
        return None

    def is_contract(self, address: str) -> bool | None:
        return address in self.contracts


def screen(document: dict[str, Any], sender: str = ME, **context: Any) -> Report:
    intents = decode(document)
    contract = typed_intents.verifying_contract(document)
    outputs = (Output(contract, ETH, 0, contract),) if contract else ()
    preview = Preview(
        "devnet", 31337, sender, outputs, 0, ETH, grants=intents.grants,
        payments=intents.payments, mentions=intents.mentions,
    )  # fmt: skip
    context.setdefault("network", DEVNET)
    return screening.check(preview, Context(**context))


def by_rule(report: Report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.rule, []).append(f"{finding.severity}: {finding.message}")
    return found


def test_a_permit_to_a_sanctioned_spender_blocks_naming_the_field() -> None:
    document = copy.deepcopy(LEDGER_PERMIT)
    document["message"]["spender"] = SANCTIONED
    found = by_rule(screen(document, lists=ListSet.load(None)))
    (sanctioned,) = found["sanctioned"]
    assert sanctioned.startswith("block: message.spender: ")
    assert "unlimited-grant" in found
    assert found["unlimited-grant"][0].startswith("warn")
    assert found["grant-expiry"][0].startswith("info")
    assert "no end date" in found["grant-expiry"][0]
    assert found["spender-not-checked"][0].startswith("info")  # no node: said, not skipped


def test_a_finite_permit_to_a_contact_is_quiet() -> None:
    document = copy.deepcopy(LEDGER_PERMIT)
    document["message"]["spender"] = SPENDER
    document["message"]["value"] = "1000"
    found = by_rule(
        screen(document, contacts={SPENDER: "bob"}, lists=ListSet.load(None), code=Code(set()))
    )
    assert "unlimited-grant" not in found
    assert "spender-not-contract" not in found  # a contact is not asked about
    assert not any(f.startswith("block") for fs in found.values() for f in fs)


def test_spender_without_code_warns_and_a_contract_does_not() -> None:
    document = copy.deepcopy(LEDGER_PERMIT2)
    spender = cs(document["message"]["spender"])
    found = by_rule(screen(document, code=Code(set())))
    assert found["spender-not-contract"][0].startswith(f"warn: spender {spender}")
    assert "spender-not-contract" not in by_rule(screen(document, code=Code({spender})))


def test_far_expiry_is_shown_and_a_near_one_is_not() -> None:
    document = copy.deepcopy(LEDGER_PERMIT2)
    document["message"]["details"]["expiration"] = str(2**48 - 1)
    (far,) = by_rule(screen(document))["grant-expiry"]
    assert "message.details" in far
    assert "may use it until" in far
    document["message"]["details"]["expiration"] = "1000"
    assert "grant-expiry" not in by_rule(screen(document))


def test_seaport_listing_of_the_signer_passes_the_order_rules() -> None:
    found = by_rule(screen(SEAPORT_LISTING, sender=SELLER))
    assert "order-pays-stranger" not in found
    assert "order-for-nothing" not in found


def test_seaport_order_paying_a_stranger_blocks() -> None:
    document = copy.deepcopy(SEAPORT_LISTING)
    document["message"]["consideration"][0]["recipient"] = SPENDER  # the drainer is paid
    found = by_rule(screen(document, sender=SELLER))
    (stranger,) = found["order-pays-stranger"]
    assert stranger.startswith("block: message.consideration[0] pays " + SPENDER)
    (nothing,) = found["order-for-nothing"]
    assert nothing.startswith("warn")
    assert "message.offer[0]" in nothing


def test_seaport_order_paying_the_signer_less_than_the_fee_warns() -> None:
    document = copy.deepcopy(SEAPORT_LISTING)
    document["message"]["consideration"][0]["startAmount"] = "1"
    document["message"]["consideration"][0]["endAmount"] = "1"
    found = by_rule(screen(document, sender=SELLER))
    assert "order-pays-stranger" not in found
    assert "pays others more than you" in found["order-for-nothing"][0]


def test_a_mention_lookalike_of_a_contact_is_a_lookalike() -> None:
    from wallet_cli.screening import lookalike

    treasury = "0xd9A1b0B1e1aE382DbDc898Ea68012FfcB2853a91"
    poison = "0xd9A1C3788D81257612E2581A6ea0aDa244853a91"
    document = copy.deepcopy(LEDGER_PERMIT)
    document["message"]["spender"] = poison
    index = lookalike.build("evm", [(treasury, "contact 'treasury'")])
    found = by_rule(screen(document, contacts={treasury: "treasury"}, lookalikes=index))
    assert found["lookalike"][0].startswith("block: message.spender: ")


# --- personal messages that are not text ---


def test_a_bare_hash_is_blind_signing() -> None:
    assert message_shape(b"0x" + b"ab" * 32) is not None
    assert message_shape(("0x" + "AB" * 32).encode()).kind == "hash"  # type: ignore[union-attr]
    assert message_shape(bytes(range(32))).kind == "hash"  # type: ignore[union-attr]
    assert message_shape(b"Hello, please sign this message.") is None  # 32 letters: text
    assert message_shape(b"0x" + b"ab" * 31) is None
    assert message_shape(b"hello") is None


def test_a_transaction_in_disguise_names_its_destination() -> None:
    from chains.evm.tx import Eip1559Tx, Signer
    from keystore.secret import PrivateKey

    signer = Signer(PrivateKey(bytes.fromhex("11" * 32)))
    to = bytes.fromhex(SANCTIONED[2:])
    signed = signer.sign(Eip1559Tx(1, 0, 10**9, 10**10, 21000, to, 10**18, b""))
    for message in (signed.raw_hex.encode(), bytes.fromhex(signed.raw_hex[2:])):
        shape = message_shape(message)
        assert shape is not None
        assert shape.kind == "transaction"
        assert "EIP-1559" in shape.description
        assert shape.addresses == ((SANCTIONED, "message (transaction `to`)"),)
    from chains.evm import rlp

    legacy = rlp.encode([0, 10**9, 21000, to, 1, b"", 27, 1, 1])
    assert message_shape(legacy).kind == "transaction"  # type: ignore[union-attr]


def test_typed_data_in_disguise() -> None:
    import json

    document = copy.deepcopy(LEDGER_PERMIT)
    document["message"]["spender"] = SANCTIONED
    shape = message_shape(json.dumps(document).encode())
    assert shape is not None
    assert shape.kind == "typed-data"
    assert (SANCTIONED, "message (message.spender)") in shape.addresses
    assert message_shape(b'{"hello": "world"}') is None


def test_message_findings_are_registered_rules() -> None:
    from wallet_cli.screening.grant_checks import message_findings
    from wallet_cli.screening.rules import RULES

    ids = {rule.id: rule.severity for rule in RULES}
    for kind in ("hash", "transaction", "typed-data"):
        (finding,) = message_findings(kind, "x")
        assert ids[finding.rule] == finding.severity == "warn"


def test_token_asset_labels_amounts() -> None:
    from wallet_cli.screening.labels import amount_text

    assert amount_text(1_500_000, Asset("USDC", 6, USDC)) == "1.5 USDC"
    assert amount_text(5, None) == "5 (base units; token unknown)"
    assert amount_text(MAX, Asset("USDC", 6, USDC), unlimited=True) == "UNLIMITED USDC"


def test_message_text_cannot_drive_the_terminal() -> None:
    from tests.conftest import load_vectors

    mail = copy.deepcopy(load_vectors("eip712.json")["vectors"][0]["typed_data"])
    mail["message"]["contents"] = "fine\n  spender: 0xGood (contact)\x1b[2J\u202e"
    (contents,) = [f for f in typed_intents.fields(mail) if f.name == "contents"]
    assert contents.value is not None
    assert "\n" not in contents.value
    assert "\x1b" not in contents.value
    assert "\u202e" not in contents.value
    assert contents.value.startswith('"fine\\n')
