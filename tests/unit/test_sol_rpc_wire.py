"""SolRpcClient (chains/sol/rpc.py) on the wire, against a small local JSON-RPC server that
answers with the example replies of the Solana RPC documentation, copied verbatim (the URL
of each is in a comment), then with malformed ones, no answer, or no server at all.

The documented examples are what a real node says: each parsed value is checked against the
example's own numbers, and each request against what the client must ask (commitment,
encoding, preflight). The last test speaks to the project's local node (chains/sol/localnode.py)
through the same client, so the two agree on the shapes.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from chains.errors import MalformedReply, NodeUnreachable, RpcError
from chains.sol import address
from chains.sol.rpc import (
    COMMITMENT,
    MAX_ACCOUNTS,
    MAX_SIGNATURES,
    AccountInfo,
    Blockhash,
    SignatureStatus,
    SolRpcClient,
    is_blockhash_error,
)
from tests.evm_helpers import free_port
from tests.json_server import DROP, json_server
from wallet_cli.cli.exits import EXIT_CODES

Reply = dict[str, Any]
SYSTEM = "11111111111111111111111111111111"
VINES = "vines1vzrYbzLMRdu58ou5XTby4qAqVRLmqo36NKPTg"
OTHER = "4fYNw3dojWmQ4dXtSGE9epjRGy9pFSx62YypT7avPYvA"
SIGNATURE = (
    "4cdd1oX7cfVALfr26tP52BZ6cSzrgnNGtYD7BFhm6FFeZV5sPTnRvg6NRn8yC6DbEikXcrNChBM5vVJnTgKhGhVu"
)


def doc(text: str) -> Reply:
    """A documented reply, its JSON text copied from the page named above it."""
    reply: Reply = json.loads(text)
    return reply


# https://solana.com/docs/rpc/http/getgenesishash
GENESIS = doc(
    '{"jsonrpc": "2.0", "result": "GH7ome3EiwEr7tu9JuTh2dpYWBJK3z69Xm1ZE3MEE6JC", "id": 1}'
)
# https://solana.com/docs/rpc/http/getlatestblockhash
LATEST_BLOCKHASH = doc("""{"jsonrpc": "2.0", "result": {"context": {"slot": 2792}, "value": {
  "blockhash": "EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N", "lastValidBlockHeight": 3090}},
  "id": 1}""")
# https://solana.com/docs/rpc/http/getblockheight
BLOCK_HEIGHT = doc('{"jsonrpc": "2.0", "result": 1233, "id": 1}')
# https://solana.com/docs/rpc/http/getbalance
BALANCE = doc('{"jsonrpc": "2.0", "result": {"context": {"slot": 1}, "value": 0}, "id": 1}')
# https://solana.com/docs/rpc/http/getminimumbalanceforrentexemption
RENT = doc('{"jsonrpc": "2.0", "result": 500, "id": 1}')
# https://solana.com/docs/rpc/http/getfeeformessage (the request's message, and the reply)
FEE_MESSAGE = (
    "AQABAgIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEBAQAA"
)
FEE = doc('{"jsonrpc": "2.0", "result": {"context": {"slot": 5068}, "value": 5000}, "id": 1}')
# The same page: "u64 | null", null when the message's blockhash has expired.
FEE_NULL = doc('{"jsonrpc": "2.0", "result": {"context": {"slot": 5068}, "value": null}, "id": 1}')
# getMultipleAccounts with base64 data: the Solana JSON-RPC API docs' example
# (https://docs.solana.com/developing/clients/jsonrpc-api#getmultipleaccounts, the page that
# https://solana.com/docs/rpc/http/getmultipleaccounts replaced; its example now asks base58).
ACCOUNTS_BASE64 = doc("""{"jsonrpc": "2.0", "result": {"context": {"slot": 1}, "value": [
  {"data": ["AAAAAAEAAAACtzNsyJrW0g==", "base64"], "executable": false, "lamports": 1000000000,
   "owner": "11111111111111111111111111111111", "rentEpoch": 2},
  {"data": ["", "base64"], "executable": false, "lamports": 5000000000,
   "owner": "11111111111111111111111111111111", "rentEpoch": 2}]}, "id": 1}""")
# https://solana.com/docs/rpc/http/getmultipleaccounts (today's example: base58 data, which
# the client never asks for, so it is refused)
ACCOUNTS_BASE58 = doc("""{"jsonrpc": "2.0", "result": {
  "context": {"apiVersion": "2.0.15", "slot": 341197247}, "value": [
  {"data": ["", "base58"], "executable": false, "lamports": 88849814690250,
   "owner": "11111111111111111111111111111111", "rentEpoch": 18446744073709551615, "space": 0},
  {"data": ["", "base58"], "executable": false, "lamports": 998763433,
   "owner": "2WRuhE4GJFoE23DYzp2ij6ZnuQ8p9mJeU6gDgfsjR4or", "rentEpoch": 18446744073709551615,
   "space": 0}]}, "id": 1}""")
# https://solana.com/docs/rpc/http/sendtransaction
SENT = doc("""{"jsonrpc": "2.0", "result":
  "2id3YC2jK9G5Wo2phDx4gJVAew8DcY5NAojnVuao8rkxwPYPe8cSwE5GzhEgJA2y8fVjDEo6iR6ykBvDxrTQrtpb",
  "id": 1}""")
# https://solana.com/docs/rpc/http/getsignaturestatuses
STATUSES = doc("""{"jsonrpc": "2.0", "result": {"context": {"slot": 82}, "value": [
  {"slot": 48, "confirmations": null, "err": null, "status": {"Ok": null},
   "confirmationStatus": "finalized"}, null]}, "id": 1}""")
# The earlier version of the same page (docs.solana.com jsonrpc-api#getsignaturestatuses):
# a status seen by the cluster but not yet finalized.
STATUSES_CONFIRMED = doc("""{"jsonrpc": "2.0", "result": {"context": {"slot": 82}, "value": [
  {"slot": 72, "confirmations": 10, "err": null, "status": {"Ok": null},
   "confirmationStatus": "confirmed"}, null]}, "id": 1}""")


def preflight_failure(err: str, words: str) -> Reply:
    """A refused send as solana-core answers it: code -32002 (JSON_RPC_SERVER_ERROR_SEND_
    TRANSACTION_PREFLIGHT_FAILURE, agave rpc-client-api/src/custom_error.rs), the message
    "Transaction simulation failed: <the error's words>" and, as data, the simulation's result
    (the fields of https://solana.com/docs/rpc/http/simulatetransaction)."""
    data: dict[str, object] = {
        "err": err,
        "logs": [],
        "accounts": None,
        "unitsConsumed": 0,
        "returnData": None,
    }
    error = {"code": -32002, "message": f"Transaction simulation failed: {words}", "data": data}
    return {"jsonrpc": "2.0", "error": error, "id": 1}


@dataclass
class DocNode:
    """Answers each method with `replies[method]` (a reply, or a function of the params that
    returns one), with the request's id; records every request; an action in `script` is
    taken instead of answering ("drop": close the connection without a word)."""

    replies: dict[str, Reply | Callable[[list[Any]], Reply]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def methods(self) -> list[str]:
        return [str(r["method"]) for r in self.requests]

    def params(self, method: str) -> list[list[Any]]:
        return [list(r["params"]) for r in self.requests if r["method"] == method]


@pytest.fixture
def doc_node() -> Iterator[tuple[DocNode, SolRpcClient]]:
    node = DocNode()

    def answer(request: dict[str, Any]) -> object:
        with node.lock:
            node.requests.append(request)
            action = node.script.pop(0) if node.script else "answer"
        if action == "drop":
            return DROP
        reply = node.replies[request["method"]]
        found = reply(request["params"]) if callable(reply) else reply
        return {**found, "id": request["id"]}

    with json_server(answer) as url:
        client = SolRpcClient(url, timeout=2.0)
        try:
            yield node, client
        finally:
            client.close()


def with_value(reply: Reply, value: object) -> Reply:
    """`reply` (one with a context) whose value is `value` instead."""
    return {**reply, "result": {**reply["result"], "value": value}}


# the documented replies, parsed


def test_genesis_hash_block_height_and_rent(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies.update(
        getGenesisHash=GENESIS, getBlockHeight=BLOCK_HEIGHT, getMinimumBalanceForRentExemption=RENT
    )
    assert client.genesis_hash() == "GH7ome3EiwEr7tu9JuTh2dpYWBJK3z69Xm1ZE3MEE6JC"
    assert client.block_height() == 1233
    assert client.rent_exempt_minimum(50) == 500
    assert node.params("getBlockHeight") == [[{"commitment": COMMITMENT}]]
    assert node.params("getMinimumBalanceForRentExemption") == [[50]]


def test_latest_blockhash_and_balance(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies.update(getLatestBlockhash=LATEST_BLOCKHASH, getBalance=BALANCE)
    assert client.latest_blockhash() == Blockhash(
        "EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N", 3090
    )
    assert client.balance(VINES) == 0
    node.replies["getBalance"] = with_value(BALANCE, 2**64 - 1)  # the largest u64 is fine
    assert client.balance(VINES) == 2**64 - 1
    assert node.params("getLatestBlockhash") == [[{"commitment": "confirmed"}]]
    assert node.params("getBalance")[0] == [VINES, {"commitment": "confirmed"}]


def test_fee_for_message_and_its_null(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    message = base64.b64decode(FEE_MESSAGE)
    node.replies["getFeeForMessage"] = FEE
    assert client.fee_for_message(message) == 5000
    node.replies["getFeeForMessage"] = FEE_NULL
    assert client.fee_for_message(message) is None
    asked = node.params("getFeeForMessage")
    assert asked[0] == [FEE_MESSAGE, {"commitment": "confirmed"}]


def test_multiple_accounts_base64(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies["getMultipleAccounts"] = ACCOUNTS_BASE64
    found = client.accounts([VINES, OTHER])
    assert found == [
        AccountInfo(1000000000, SYSTEM, False, base64.b64decode("AAAAAAEAAAACtzNsyJrW0g==")),
        AccountInfo(5000000000, SYSTEM, False, b""),
    ]
    assert found[0] is not None
    assert len(found[0].data) == 16
    assert node.params("getMultipleAccounts") == [
        [[VINES, OTHER], {"encoding": "base64", "commitment": "confirmed"}]
    ]
    # "null - if the account at that Pubkey doesn't exist"
    missing = [ACCOUNTS_BASE64["result"]["value"][0], None]
    node.replies["getMultipleAccounts"] = with_value(ACCOUNTS_BASE64, missing)
    assert client.accounts([VINES, OTHER])[1] is None
    # Today's example carries base58 data: not what was asked, so not trusted.
    node.replies["getMultipleAccounts"] = ACCOUNTS_BASE58
    with pytest.raises(MalformedReply, match="account data"):
        client.accounts([VINES, OTHER])


def test_send_transaction(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies["sendTransaction"] = SENT
    raw = bytes(range(200))
    assert client.send(raw) == SENT["result"]
    [[encoded, options]] = node.params("sendTransaction")
    assert base64.b64decode(encoded) == raw
    assert options == {"encoding": "base64", "preflightCommitment": "confirmed", "maxRetries": 0}
    assert "skipPreflight" not in options  # the node's simulation runs before a fee is spent


def test_send_refused_by_preflight(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies["sendTransaction"] = preflight_failure(
        "AccountNotFound", "Attempt to debit an account but found no record of a prior credit."
    )
    with pytest.raises(RpcError) as refused:
        client.send(b"\x01" * 100)
    assert refused.value.rpc_code == -32002
    assert isinstance(refused.value.data, dict)
    assert refused.value.data["err"] == "AccountNotFound"
    assert "prior credit" in refused.value.message
    assert not is_blockhash_error(refused.value)
    node.replies["sendTransaction"] = preflight_failure("BlockhashNotFound", "Blockhash not found")
    with pytest.raises(RpcError) as expired:
        client.send(b"\x01" * 100)
    assert expired.value.rpc_code == -32002
    assert is_blockhash_error(expired.value)


def test_signature_statuses(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    other = SIGNATURE[:-1] + "2"
    node.replies["getSignatureStatuses"] = STATUSES
    assert client.statuses([SIGNATURE, other]) == [
        SignatureStatus(48, False, None, "finalized"),
        None,
    ]
    assert node.params("getSignatureStatuses") == [
        [[SIGNATURE, other], {"searchTransactionHistory": True}]
    ]
    node.replies["getSignatureStatuses"] = STATUSES_CONFIRMED
    assert client.statuses([SIGNATURE, other])[0] == SignatureStatus(72, False, None, "confirmed")
    # "err: <object|null> - Error if transaction failed": a runtime error object.
    failed = dict(STATUSES["result"]["value"][0])
    failed.update(
        err={"InstructionError": [0, {"Custom": 1}]},
        status={"Err": {"InstructionError": [0, {"Custom": 1}]}},
    )
    node.replies["getSignatureStatuses"] = with_value(STATUSES, [failed, None])
    status = client.statuses([SIGNATURE, other])[0]
    assert status == SignatureStatus(48, True, '{"InstructionError":[0,{"Custom":1}]}', "finalized")


# malformed replies: MalformedReply (exit 6, "network"), never a crash


def test_malformed_reply_is_a_network_error() -> None:
    assert MalformedReply.kind == "network"
    assert EXIT_CODES[MalformedReply.kind] == 6


@pytest.mark.parametrize("lamports", [-1, True, 1.5, 2**64, "1000", None])
def test_malformed_lamports(doc_node: tuple[DocNode, SolRpcClient], lamports: object) -> None:
    node, client = doc_node
    node.replies["getBalance"] = with_value(BALANCE, lamports)
    with pytest.raises(MalformedReply, match=r"getBalance.*lamports"):
        client.balance(VINES)
    node.replies["getMinimumBalanceForRentExemption"] = {**RENT, "result": lamports}
    with pytest.raises(MalformedReply, match="lamports"):
        client.rent_exempt_minimum(0)
    account = {**ACCOUNTS_BASE64["result"]["value"][0], "lamports": lamports}
    node.replies["getMultipleAccounts"] = with_value(ACCOUNTS_BASE64, [account])
    with pytest.raises(MalformedReply, match="lamports"):
        client.accounts([VINES])


@pytest.mark.parametrize(
    "blockhash",
    ["EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN10", "0x" + "ab" * 32, "", 42, None, "Ek" * 50],
)
def test_malformed_blockhash(doc_node: tuple[DocNode, SolRpcClient], blockhash: object) -> None:
    node, client = doc_node
    value = {**LATEST_BLOCKHASH["result"]["value"], "blockhash": blockhash}
    node.replies["getLatestBlockhash"] = with_value(LATEST_BLOCKHASH, value)
    with pytest.raises(MalformedReply, match="blockhash"):
        client.latest_blockhash()


def test_malformed_values(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    no_value = {"jsonrpc": "2.0", "result": {"context": {"slot": 1}}, "id": 1}
    node.replies.update(getBalance=no_value, getLatestBlockhash=no_value, getFeeForMessage=no_value)
    for read in (
        lambda: client.balance(VINES),
        client.latest_blockhash,
        lambda: client.fee_for_message(b"\x01"),
    ):
        with pytest.raises(MalformedReply, match="no value"):
            read()
    node.replies["getBalance"] = {"jsonrpc": "2.0", "result": 5, "id": 1}  # not wrapped
    with pytest.raises(MalformedReply, match="no value"):
        client.balance(VINES)
    node.replies["getLatestBlockhash"] = with_value(LATEST_BLOCKHASH, "EkSnNWid")
    with pytest.raises(MalformedReply, match="not an object"):
        client.latest_blockhash()
    node.replies["getFeeForMessage"] = with_value(FEE, -5000)
    with pytest.raises(MalformedReply, match="fee"):
        client.fee_for_message(b"\x01")
    node.replies["getGenesisHash"] = {**GENESIS, "result": "not base58!"}
    with pytest.raises(MalformedReply, match="genesis hash"):
        client.genesis_hash()
    node.replies["sendTransaction"] = {**SENT, "result": {"signature": SENT["result"]}}
    with pytest.raises(MalformedReply, match="signature"):
        client.send(b"\x01")


def test_malformed_statuses(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    first = STATUSES["result"]["value"][0]
    node.replies["getSignatureStatuses"] = STATUSES  # two entries for three signatures
    with pytest.raises(MalformedReply, match="statuses"):
        client.statuses([SIGNATURE, SIGNATURE[:-1] + "2", SIGNATURE[:-1] + "3"])
    for bad in ("rooted", None, 3, "Finalized"):
        node.replies["getSignatureStatuses"] = with_value(
            STATUSES, [{**first, "confirmationStatus": bad}]
        )
        with pytest.raises(MalformedReply, match="confirmationStatus"):
            client.statuses([SIGNATURE])
    node.replies["getSignatureStatuses"] = with_value(STATUSES, [{**first, "slot": -48}])
    with pytest.raises(MalformedReply, match="slot"):
        client.statuses([SIGNATURE])
    node.replies["getSignatureStatuses"] = with_value(STATUSES, ["finalized"])
    with pytest.raises(MalformedReply, match="status"):
        client.statuses([SIGNATURE])


def test_malformed_accounts(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    first = ACCOUNTS_BASE64["result"]["value"][0]
    bad_data = (["AAAA!!==", "base64"], ["AAAAAQ", "base64"], [None, "base64"], [1234, "base64"])
    for data in (*bad_data, "AAAA", ["AAAA"], None):
        node.replies["getMultipleAccounts"] = with_value(ACCOUNTS_BASE64, [{**first, "data": data}])
        with pytest.raises(MalformedReply, match="account data"):
            client.accounts([VINES])
    node.replies["getMultipleAccounts"] = ACCOUNTS_BASE64  # two accounts for one address
    with pytest.raises(MalformedReply, match="accounts"):
        client.accounts([VINES])
    for item, word in (
        ({**first, "owner": "not an address"}, "owner"),
        ({**first, "executable": "false"}, "executable"),
        ("account", "account"),
    ):
        node.replies["getMultipleAccounts"] = with_value(ACCOUNTS_BASE64, [item])
        with pytest.raises(MalformedReply, match=word):
            client.accounts([VINES])


# the node down, no answer, and chunking


def test_node_down_is_unreachable() -> None:
    client = SolRpcClient(f"http://127.0.0.1:{free_port()}", timeout=2.0)  # nothing listens
    with pytest.raises(NodeUnreachable):
        client.genesis_hash()
    with pytest.raises(NodeUnreachable):
        client.send(b"\x01")
    client.close()


def test_a_read_with_no_answer_is_asked_again(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies["getBalance"] = with_value(BALANCE, 1000000000)
    node.script = ["drop"]
    assert client.balance(VINES) == 1000000000
    assert node.methods() == ["getBalance", "getBalance"]
    assert client.retried == 1


def test_a_send_is_never_sent_twice(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies["sendTransaction"] = SENT
    node.script = ["drop"]
    with pytest.raises(NodeUnreachable):
        client.send(b"\x01" * 100)
    assert node.methods() == ["sendTransaction"]
    assert client.retried == 0


def _nulls(params: list[Any]) -> Reply:
    return {"jsonrpc": "2.0", "result": {"context": {"slot": 1}, "value": [None] * len(params[0])}}


def test_accounts_and_statuses_are_asked_in_chunks(doc_node: tuple[DocNode, SolRpcClient]) -> None:
    node, client = doc_node
    node.replies.update(getMultipleAccounts=_nulls, getSignatureStatuses=_nulls)
    addresses = [address.encode(i.to_bytes(32, "big")) for i in range(1, 251)]
    assert client.accounts(addresses) == [None] * 250
    chunks = [params[0] for params in node.params("getMultipleAccounts")]
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert max(len(c) for c in chunks) <= MAX_ACCOUNTS == 100
    assert [a for chunk in chunks for a in chunk] == addresses  # in order, none twice
    signatures = [address.encode(i.to_bytes(64, "big")) for i in range(1, 301)]
    assert client.statuses(signatures) == [None] * 300
    chunks = [params[0] for params in node.params("getSignatureStatuses")]
    assert [len(c) for c in chunks] == [256, 44]
    assert max(len(c) for c in chunks) <= MAX_SIGNATURES == 256
    assert [s for chunk in chunks for s in chunk] == signatures


# the project's local node speaks the same shapes


def test_local_node_answers_the_same_shapes() -> None:
    from chains.sol.localnode import LocalNode, serve

    local = LocalNode()
    server = serve(local, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = SolRpcClient(f"http://127.0.0.1:{server.server_address[1]}", timeout=5.0)
    try:
        assert client.genesis_hash() == local.genesis
        recent = client.latest_blockhash()
        height = client.block_height()
        assert height <= recent.last_valid_height <= height + 150
        assert client.balance(VINES) == 0
        signature = client.call("requestAirdrop", [VINES, 3 * 10**9])
        assert client.balance(VINES) == 3 * 10**9
        assert client.block_height() == height + 1
        [status] = client.statuses([signature])
        assert status is not None
        assert not status.failed
        assert status.confirmation == "finalized"
        [account, missing] = client.accounts([VINES, OTHER])
        assert account == AccountInfo(3 * 10**9, SYSTEM, False, b"")
        assert missing is None
        assert client.rent_exempt_minimum(0) > 0
    finally:
        client.close()
        server.shutdown()
        server.server_close()
