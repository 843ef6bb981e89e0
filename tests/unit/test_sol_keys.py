"""Solana keys and addresses: SLIP-10 ed25519 against the published vectors, the Phantom /
solana-keygen path against bip-utils (an independent implementation), and address parsing."""

from __future__ import annotations

import pytest

from chains import base58
from chains.base import Network
from chains.errors import InvalidAddress, InvalidDerivationPath
from chains.registry import adapter_for
from chains.sol import address, keys
from keystore.mnemonic import to_seed
from keystore.secret import Mnemonic
from tests.conftest import ANVIL_MNEMONIC, load_vectors

SOLANA = Network("solana", "sol", "https://api.mainnet-beta.solana.com")
VECTORS = load_vectors("slip10_ed25519.json")["vectors"]
CASES = [(v["seed"], chain) for v in VECTORS for chain in v["chains"]]


@pytest.mark.parametrize(("seed", "chain"), CASES, ids=[c["path"] for _, c in CASES])
def test_slip10_ed25519_published_vectors(seed: str, chain: dict[str, str]) -> None:
    private, chain_code = keys.derive(bytes.fromhex(seed), chain["path"].replace("H", "'"))
    assert private.hex() == chain["private"]
    assert chain_code.hex() == chain["chain_code"]
    assert "00" + keys.public_key(private).hex() == chain["public"]


def test_non_hardened_step_is_refused() -> None:
    with pytest.raises(InvalidDerivationPath):
        keys.derive(b"\0" * 16, "m/44'/501'/0")


def _bip_utils_address(mnemonic: str, index: int) -> str:
    from bip_utils import Bip39SeedGenerator, Bip44, Bip44Changes, Bip44Coins

    seed = Bip39SeedGenerator(mnemonic).Generate()
    account = Bip44.FromSeed(seed, Bip44Coins.SOLANA).Purpose().Coin().Account(index)
    # bip-utils' Solana account level is m/44'/501'/i'; Phantom adds the hardened change 0'.
    return str(account.Change(Bip44Changes.CHAIN_EXT).PublicKey().ToAddress())


@pytest.mark.parametrize("index", [0, 1, 7])
def test_phantom_path_matches_bip_utils(index: int) -> None:
    seed = to_seed(Mnemonic(ANVIL_MNEMONIC))
    ours = adapter_for("sol")
    derived = ours.seed_addresses(seed, 0, [index])[0]  # type: ignore[attr-defined]
    assert derived.path == f"m/44'/501'/{index}'/0'"
    assert derived.address == _bip_utils_address(ANVIL_MNEMONIC, index)
    key = ours.private_key(seed, 0, index)
    assert ours.address_of_key(key) == derived.address


def test_parse_address_normalises_and_refuses() -> None:
    adapter = adapter_for("sol")
    good = base58.encode(keys.public_key(bytes(range(32))))
    assert adapter.parse_address(f"  {good} ", SOLANA) == good
    with pytest.raises(InvalidAddress, match="base58"):
        adapter.parse_address(good[:-1] + "0", SOLANA)  # 0 is not in the alphabet
    with pytest.raises(InvalidAddress, match="not 32"):
        adapter.parse_address(base58.encode(b"\1" * 31), SOLANA)
    with pytest.raises(InvalidAddress, match="not 32"):
        adapter.parse_address(base58.encode(b"\1" * 33), SOLANA)
    with pytest.raises(InvalidAddress, match="EVM"):
        adapter.parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", SOLANA)
    with pytest.raises(InvalidAddress, match="Bitcoin"):
        adapter.parse_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", SOLANA)
    with pytest.raises(InvalidAddress):
        adapter.parse_address("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", SOLANA)  # legacy: 25 bytes
    with pytest.raises(InvalidAddress):
        adapter.parse_address(good[:10] + "\u0430" + good[11:], SOLANA)  # Cyrillic a


def test_on_curve_tells_keys_from_program_addresses() -> None:
    import os

    assert all(address.on_curve(keys.public_key(os.urandom(32))) for _ in range(20))
    # The associated token account program's id is a plain key; a program-derived address is
    # off the curve by construction: search the first bump that gives one, as Solana does.
    import hashlib

    program = address.parse("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
    for bump in range(255, -1, -1):
        candidate = hashlib.sha256(
            b"seed" + bytes([bump]) + program + b"ProgramDerivedAddress"
        ).digest()
        if not address.on_curve(candidate):
            break
    else:
        pytest.fail("no off-curve candidate in 256 bumps")
    assert not address.on_curve(candidate)


def test_solana_text_is_refused_on_evm_and_bitcoin() -> None:
    good = base58.encode(keys.public_key(b"\3" * 32))
    with pytest.raises(InvalidAddress):
        adapter_for("evm").parse_address(good, Network("devnet", "evm", None, 31337))
    with pytest.raises(InvalidAddress):
        adapter_for("btc").parse_address(good, Network("bitcoin", "btc"))
