"""The `Wallet` facade used in-process as a script would: real homes, a real anvil, real PSBTs.
Each answer is checked against an independent reading (the node itself, eth-account)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ANVIL_ADDRESS_0, PASSPHRASE, Devnet, clean_env, load_vectors, run_wallet
from wallet_cli import api

PAYEE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FOREIGN = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def opened(home: Path, network: str) -> tuple[api.Wallet, api.Network, api.Config]:
    where = api.open_home(home)
    config = api.load_config(where)
    return api.open_wallet(where, config), api.open_network(where, config, network), config


def test_balance_native_and_token_match_the_node(
    evm_home: Path, devnet: Devnet, chain: Any
) -> None:
    wallet, network, config = opened(evm_home, "devnet")
    own = wallet.balance(network, config)
    assert (own.address, own.asset, own.token) == (ANVIL_ADDRESS_0, "ETH", None)
    assert own.base_units == chain.balance(ANVIL_ADDRESS_0)
    other = wallet.balance(network, config, address=PAYEE.lower())
    assert (other.address, other.base_units) == (PAYEE, chain.balance(PAYEE))
    token = wallet.balance(network, config, token="TUSD")
    assert (token.asset, token.token, token.decimals) == ("TUSD", devnet.token, 6)
    assert token.base_units == 10**12  # the whole supply, minted to anvil account 0
    assert token.to_json()["balance"] == "1000000"


def test_check_and_a_refused_send_sign_nothing(evm_home: Path, chain: Any) -> None:
    from keystore.errors import WrongPassphrase

    wallet, network, config = opened(evm_home, "devnet")
    assert wallet.check(network, config, PAYEE).verdict in ("ok", "info")
    nonce = chain.nonce(ANVIL_ADDRESS_0)
    request = api.SendRequest(to=PAYEE, amount="1")
    with pytest.raises(WrongPassphrase) as caught:
        wallet.send(network, config, request, unlock="wrong")
    assert (caught.value.code, caught.value.kind) == ("wrong-passphrase", "auth")
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce
    result = wallet.send(network, config, request, unlock=PASSPHRASE)
    assert result.status == "success"
    assert chain.nonce(ANVIL_ADDRESS_0) == nonce + 1


def test_sign_message_verifies_with_eth_account(anvil_home: Path) -> None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    wallet, _, _ = opened(anvil_home, "devnet")
    signed = wallet.sign_message(b"hello library", unlock=PASSPHRASE)
    recovered = Account.recover_message(
        encode_defunct(b"hello library"), signature=signed.signature
    )
    assert recovered == signed.address == ANVIL_ADDRESS_0
    assert api.Wallet.verify_message(ANVIL_ADDRESS_0, b"hello library", signed.signature) == (
        True,
        ANVIL_ADDRESS_0,
    )
    assert api.Wallet.verify_message(PAYEE, b"hello library", signed.signature)[0] is False


@pytest.fixture
def btc_home(home: Path) -> Path:
    mnemonic = load_vectors("bip84.json")["mnemonic"]
    env = clean_env(WALLET_PASSPHRASE=PASSPHRASE)
    assert run_wallet(["restore"], home=home, stdin=mnemonic, env=env).returncode == 0
    return home


def test_psbt_create_sign_finalize_in_the_library(btc_home: Path, tmp_path: Path) -> None:
    """Signing derives the seed inside the library: the caller gives only a passphrase."""
    from chains.btc import psbt as psbts
    from keystore.errors import WrongPassphrase
    from wallet_cli.psbts import write

    wallet, network, config = opened(btc_home, "bitcoin-regtest")
    ours = [wallet.receive_address(network, i) for i in (0, 3)]
    utxos = [f"{'11' * 32}:0:100000:{ours[0]}", f"{'22' * 32}:1:50000:{ours[1]}"]
    made = wallet.psbt_create(network, config, FOREIGN, "0.0012", utxos=utxos)
    assert made.signed == 0
    assert made.report.verdict in ("ok", "info")
    text = str(made.psbt.serialize())
    assert wallet.psbt_show(network, config, text).summary.inputs == made.summary.inputs
    with pytest.raises(WrongPassphrase):
        wallet.psbt_sign(network, config, text, unlock="wrong")
    done = wallet.psbt_sign(network, config, text, unlock=PASSPHRASE)
    assert done.signed == 2
    raw = api.Wallet.psbt_finalize(str(done.psbt.serialize()))
    assert raw == psbts.finalize(done.psbt)
    path = tmp_path / "signed.psbt"
    write(path, done.psbt, replace=False, binary=False)
    assert api.Wallet.psbt_finalize(path.read_text()) == raw


def test_unlocking_from_a_script_turns_core_dumps_off(anvil_home: Path) -> None:
    """The library protects a script's process as the CLI protects its own."""
    import subprocess
    import sys

    code = (
        "import ctypes, resource\n"
        "from pathlib import Path\n"
        "from wallet_cli.store.home import Home\n"
        "from wallet_cli.wallet import Wallet\n"
        "dumpable = lambda: ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE\n"
        f"wallet = Wallet.open(Home(Path({str(anvil_home)!r})), 'dev')\n"
        "before = dumpable()\n"
        f"wallet.unlock({PASSPHRASE!r})\n"
        "print(before, dumpable(), resource.getrlimit(resource.RLIMIT_CORE)[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "0", "0"], out.stdout
