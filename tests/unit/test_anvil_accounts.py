"""The ten well-known anvil/hardhat accounts (tests/vectors/anvil_accounts.json)."""

from __future__ import annotations

from chains.evm import derive
from chains.evm.adapter import EvmAdapter
from keystore.mnemonic import parse, to_seed
from tests.conftest import load_vectors

DATA = load_vectors("anvil_accounts.json")


def test_addresses_and_keys_match_anvil() -> None:
    seed = to_seed(parse(DATA["mnemonic"]))
    public = derive.public_account(seed, 0)
    assert public.path == DATA["path_prefix"]
    vectors = DATA["vectors"]
    assert len(vectors) == 10
    derived = derive.addresses(public, [v["index"] for v in vectors])
    adapter = EvmAdapter()
    for vector, account in zip(vectors, derived, strict=True):
        assert account.address == vector["address"]
        assert account.path == vector["path"]
        key = derive.private_key(seed, 0, vector["index"])
        assert "0x" + key.reveal().hex() == vector["private_key"]
        assert adapter.address_of_key(key) == vector["address"]
