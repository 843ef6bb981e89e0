"""The node's HTTP is bounded (chains/http.py): an overall deadline that a trickling server
cannot stretch, and a cap on the reply's size, checked on the Content-Length and while
reading. Against small local servers written here, at the socket level."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from chains.errors import MalformedReply, NodeUnreachable, ReplyTooLarge
from chains.evm.rpc import RpcClient, checked_receipt, hex_data, quantity
from chains.http import HttpClient

Serve = Callable[[socket.socket, threading.Event], None]


def _server(serve: Serve) -> Iterator[str]:
    """A one-connection-at-a-time TCP server on a free port; `serve` answers each one."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                try:
                    connection.recv(65536)
                    serve(connection, stop)
                except OSError:
                    pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def _trickle(connection: socket.socket, stop: threading.Event) -> None:
    reply = b'HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{"jsonrpc":"2.0","id":1,"result":"0x1"}'
    for byte in reply:
        if stop.wait(0.2):
            return
        connection.sendall(bytes([byte]))


def _stall(connection: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)


def _declared_huge(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n{")


def _streamed_huge(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
    block = b" " * 65536
    for _ in range(200):  # 12.5 MiB, past the 1 MiB cap of the test client
        if stop.is_set():
            return
        connection.sendall(block)


@pytest.fixture
def trickling() -> Iterator[str]:
    yield from _server(_trickle)


@pytest.fixture
def stalling() -> Iterator[str]:
    yield from _server(_stall)


def test_a_trickling_server_is_cut_off_at_the_deadline(trickling: str) -> None:
    """A byte every 0.2 s never trips a per-read timeout of 1 s; the deadline of 1 s does."""
    client = RpcClient(trickling, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(NodeUnreachable, match="did not answer within 1 s"):
        client.call("eth_chainId")
    assert 0.9 < time.monotonic() - started < 1.5


def test_a_stalled_server_is_cut_off_at_the_deadline(stalling: str) -> None:
    client = HttpClient(stalling, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(NodeUnreachable):
        client.request("POST", body=b"{}")
    assert time.monotonic() - started < 1.0


def test_a_deadline_shorter_than_the_timeout_wins(stalling: str) -> None:
    client = RpcClient(stalling, timeout=30.0)
    started = time.monotonic()
    with pytest.raises(NodeUnreachable, match="in the time left"):
        client.call("eth_chainId", deadline=time.monotonic() + 0.3)
    assert time.monotonic() - started < 0.8


def test_a_receipt_wait_ends_at_its_timeout_even_mid_call(stalling: str) -> None:
    client = RpcClient(stalling, timeout=30.0)
    started = time.monotonic()
    assert client.wait_for_receipts(["0x" + "ab" * 32], 0.5) == {}
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("serve", [_declared_huge, _streamed_huge])
def test_a_reply_over_the_cap_is_refused(serve: Serve) -> None:
    for url in _server(serve):
        client = RpcClient(url, timeout=5.0, max_bytes=1024 * 1024)
        with pytest.raises(ReplyTooLarge, match="larger than 1 MiB"):
            client.call("eth_chainId")


def test_credentials_never_appear_in_messages(stalling: str) -> None:
    with_password = stalling.replace("http://", "http://user:hunter2@")
    client = HttpClient(with_password, timeout=0.2)
    with pytest.raises(NodeUnreachable) as caught:
        client.request("GET")
    assert "hunter2" not in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0x0", 0), ("0x1", 1), ("0xDEADbeef", 0xDEADBEEF), ("0x" + "f" * 64, 2**256 - 1)],
)
def test_quantity_reads_hex(value: str, expected: int) -> None:
    assert quantity(value, "eth_getBalance", "balance") == expected


@pytest.mark.parametrize(
    "value", [None, 12, "12", "0x", "0xzz", "0x" + "f" * 65, [1], {"a": 1}, True]
)
def test_quantity_names_method_and_field(value: object) -> None:
    with pytest.raises(MalformedReply, match="eth_getBalance reply has a malformed balance"):
        quantity(value, "eth_getBalance", "balance")


def test_hex_data_and_receipts() -> None:
    assert hex_data("0x00ff", "eth_call", "result") == b"\x00\xff"
    with pytest.raises(MalformedReply, match="eth_call"):
        hex_data("0x0", "eth_call", "result")
    assert checked_receipt({"blockNumber": "0x5", "status": "0x1"})["blockNumber"] == "0x5"
    with pytest.raises(MalformedReply, match="status"):
        checked_receipt({"blockNumber": "0x5", "status": None})
    with pytest.raises(MalformedReply, match="not an object"):
        checked_receipt("mined")
