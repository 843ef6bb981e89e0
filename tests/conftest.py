"""Shared fixtures: vector loading, temporary homes, and running the real `wallet` command.

Every CLI test runs the installed console script in a subprocess started in a new session
(no controlling terminal), with stdin from a pipe: exactly how a script calls it, and never
able to hang on a prompt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Files the tests write (passphrase files, CSVs, config) are private, as a careful user's are:
# the wallet refuses secret-bearing files that others can read.
os.umask(0o077)

VECTORS = Path(__file__).parent / "vectors"
WALLET_BIN = str(Path(sys.executable).with_name("wallet"))
# The folder of public source data the shipped lists and the screening corpus are built from
# (see wallet_cli/screening/data/SOURCES.md); tests that compare against it skip that part
# when it is not given.
SOURCE_DATA = (
    Path(os.environ["WALLET_SOURCE_DATA"]) if os.environ.get("WALLET_SOURCE_DATA") else None
)
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_ADDRESS_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
PASSPHRASE = "correct horse battery staple"
FAST_KDF_CONFIG = "[vault]\nkdf_memory_kib = 8192\nkdf_iterations = 1\nkdf_lanes = 1\n"


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLET_")}
    env.update(extra)
    return env


def run_wallet(
    args: list[str],
    *,
    home: Path | None = None,
    stdin: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> Result:
    environment = env if env is not None else clean_env()
    if home is not None:
        environment["WALLET_HOME"] = str(home)
    proc = subprocess.run(
        [WALLET_BIN, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        start_new_session=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return Result(proc.returncode, proc.stdout, proc.stderr)


def make_fast_home(path: Path) -> Path:
    """A home whose config lowers the KDF cost, so tests do not spend 0.6 s per seal."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    (path / "config.toml").write_text(FAST_KDF_CONFIG)
    return path


@pytest.fixture(autouse=True)
def _test_process_keeps_core_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Wallet.unlock` turns core dumps off for the whole process, for good (the hard limit
    cannot be raised again). Tests that unlock in process would do that to the pytest worker,
    and a later test could no longer let its child processes dump core (the core-dump test
    needs a control that does). The library's own call is tested in a subprocess
    (tests/integration/test_library_api.py); here it is a no-op."""
    import wallet_cli.wallet

    monkeypatch.setattr(wallet_cli.wallet, "disable_core_dumps", lambda: None)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_fast_home(tmp_path / "home")


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


@dataclass(frozen=True)
class Devnet:
    url: str
    pid: int
    token: str  # TestToken "TUSD", 6 decimals, all supply held by anvil account 0
    reverter: str


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """A real anvil on a free loopback port (--prune-history, its HOME in a temp folder),
    with the test contracts deployed; stopped by pid at the end of the session."""
    from chains.evm import anvil
    from chains.evm.rpc import RpcClient
    from tests.evm_helpers import Chain, artifact, encode_token_constructor, free_port

    process = anvil.start(free_port(), tmp_path_factory.mktemp("anvil"))
    try:
        chain = Chain(RpcClient(process.url), process.url)
        key = load_vectors("anvil_accounts.json")["vectors"][0]["private_key"]
        token_code = bytes.fromhex(artifact("TestToken")["bytecode"][2:])
        args = encode_token_constructor("Test USD", "TUSD", 6, 10**12)
        token = chain.deploy(key, token_code + args)
        reverter = chain.deploy(key, bytes.fromhex(artifact("Reverter")["bytecode"][2:]))
        chain.client.close()
        yield Devnet(process.url, process.pid, token, reverter)
    finally:
        anvil.stop(process.pid)


@pytest.fixture
def chain(devnet: Devnet) -> Iterator[Any]:
    """The devnet's state is snapshotted before each test and reverted after it."""
    from chains.evm.rpc import RpcClient
    from tests.evm_helpers import Chain

    client = RpcClient(devnet.url)
    snapshot = client.call("evm_snapshot")
    try:
        yield Chain(client, devnet.url)
    finally:
        assert client.call("evm_revert", [snapshot]) is True
        client.close()


@pytest.fixture
def evm_home(anvil_home: Path, devnet: Devnet, chain: Any) -> Path:
    """A home with wallet 'dev' (the anvil mnemonic) whose `devnet` network is the fixture's
    anvil, and TUSD in its token list."""
    config = anvil_home / "config.toml"
    config.write_text(
        config.read_text()
        + f'\n[networks.devnet]\nchain = "evm"\nrpc = "{devnet.url}"\nchain_id = 31337\n'
        + "devnet = true\n"
        + f'\n[tokens.devnet]\nTUSD = "{devnet.token}"\n'
    )
    return anvil_home


@pytest.fixture(scope="session")
def _anvil_home_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = make_fast_home(tmp_path_factory.mktemp("template") / "home")
    result = run_wallet(
        ["restore", "--name", "dev"],
        home=template,
        stdin=ANVIL_MNEMONIC + "\n",
        env=clean_env(WALLET_PASSPHRASE=PASSPHRASE),
    )
    assert result.returncode == 0, result.stderr
    return template


@pytest.fixture
def anvil_home(_anvil_home_template: Path, tmp_path: Path) -> Path:
    """A home holding wallet 'dev' restored from the anvil mnemonic (passphrase PASSPHRASE)."""
    target = tmp_path / "anvil-home"
    shutil.copytree(_anvil_home_template, target)
    return target
