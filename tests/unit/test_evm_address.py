"""EVM address parsing: EIP-55 (its spec examples), and every kind of bad text."""

from __future__ import annotations

import pytest

from chains.base import Network
from chains.errors import InvalidAddress
from chains.evm.adapter import EvmAdapter
from chains.evm.address import has_checksum, parse, to_checksum

# The examples of https://eips.ethereum.org/EIPS/eip-55
EIP55_EXAMPLES = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
DEVNET = Network("devnet", "evm", "http://127.0.0.1:8545", 31337, True)


@pytest.mark.parametrize("address", EIP55_EXAMPLES)
def test_eip55_examples(address: str) -> None:
    assert to_checksum(address[2:].lower()) == address
    assert parse(address) == address
    assert parse(address.lower()) == address
    assert EvmAdapter().parse_address(f"  {address}\n", DEVNET) == address


def test_wrong_checksum_is_refused() -> None:
    good = EIP55_EXAMPLES[4]
    flipped = good[:3] + good[3].swapcase() + good[4:]
    assert has_checksum(flipped)
    with pytest.raises(InvalidAddress, match="EIP-55"):
        parse(flipped)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "has 39"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", "has 41"),
        ("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "starts with 0x"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "character 42"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin or Solana"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1Be\u0410ed", "CYRILLIC"),
        ("0x5aAeb6053F3E94C9\u200bb9A09f33669435E7Ef1BeAed", "character 19"),
    ],
)
def test_bad_addresses(text: str, message: str) -> None:
    with pytest.raises(InvalidAddress, match=message):
        parse(text)
