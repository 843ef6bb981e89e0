"""A lying JSON-RPC proxy in front of a real node, for tests of what the wallet trusts.

It listens on a free loopback port and passes every request to the upstream node (anvil)
unchanged, unless told to lie. Requests it lies to can be narrowed to those that hold one of
`methods` (a JSON-RPC batch holds several):

- `override`: the answer to a method (or one field of it) is replaced: inflated fees, null,
  non-hex text;
- `trickle`: the real answer, status line and headers included, one byte every `every` s;
- `stall`: the request is read and never answered;
- `swallow`: the request is passed to the node, and its answer never given back (the node
  acted; the caller cannot know);
- `huge`: the real answer followed by `huge_bytes` of JSON whitespace (still valid JSON),
  with its Content-Length declared, or streamed without one (`declare_length=False`).

Bounded: every handler gives up when the proxy stops, and the proxy stops itself after
`lifetime` seconds if a test forgets to.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.evm_helpers import free_port

GWEI = 10**9


class LyingProxy:
    def __init__(self, upstream: str, lifetime: float = 300.0) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.mode = "pass"
        self.methods: set[str] | None = None
        self.overrides: dict[tuple[str, str | None], Any] = {}
        self.every = 1.0
        self.huge_bytes = 100 * 1024 * 1024
        self.declare_length = True
        self.seen: list[str] = []
        self.stopped = threading.Event()
        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LyingProxy:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def lie(self, method: str, value: Any, field: str | None = None) -> None:
        """Answer `method` (or its `field`) with `value` from now on."""
        self.mode = "override"
        self.overrides[(method, field)] = value

    def targets(self, methods: list[str]) -> bool:
        return self.methods is None or any(m in self.methods for m in methods)

    def forward(self, body: bytes) -> bytes:
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            connection.request("POST", "/", body, {"Content-Type": "application/json"})
            return connection.getresponse().read()
        finally:
            connection.close()

    def rewrite(self, request: Any, answer: bytes) -> bytes:
        """Apply the overrides to the answers of the methods they name."""
        calls = request if isinstance(request, list) else [request]
        methods = {call.get("id"): call.get("method") for call in calls}
        answers = json.loads(answer)
        for item in answers if isinstance(answers, list) else [answers]:
            method = methods.get(item.get("id"))
            for (name, field), value in self.overrides.items():
                if name != method:
                    continue
                if field is None:
                    item["result"] = value
                elif isinstance(item.get("result"), dict):
                    item["result"][field] = value
        return json.dumps(answers).encode()


def _handler(proxy: LyingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = json.loads(body)
            calls = request if isinstance(request, list) else [request]
            methods = [str(call.get("method")) for call in calls]
            proxy.seen.extend(methods)
            mode = proxy.mode if proxy.targets(methods) else "pass"
            try:
                if mode == "stall":
                    proxy.stopped.wait(120)
                elif mode == "swallow":
                    proxy.forward(body)
                    proxy.stopped.wait(120)
                elif mode == "trickle":
                    self._trickle(proxy.forward(body))
                elif mode == "huge":
                    self._huge(proxy.forward(body))
                elif mode == "override":
                    self._answer(proxy.rewrite(request, proxy.forward(body)))
                else:
                    self._answer(proxy.forward(body))
            except (BrokenPipeError, ConnectionResetError):
                return  # the wallet gave up, as it should

        def _answer(self, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _trickle(self, data: bytes) -> None:
            head = (
                "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            for byte in head + data:
                if proxy.stopped.wait(proxy.every):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def _huge(self, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if proxy.declare_length:
                self.send_header("Content-Length", str(len(data) + proxy.huge_bytes))
            self.end_headers()
            self.wfile.write(data)
            block = b" " * (1024 * 1024)
            sent = 0
            while sent < proxy.huge_bytes and not proxy.stopped.is_set():
                self.wfile.write(block)
                sent += len(block)

    return Handler


@contextmanager
def lying_proxy(upstream: str) -> Iterator[LyingProxy]:
    proxy = LyingProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()
