"""A local HTTP server answering JSON POSTs, for tests of the JSON-RPC clients: `answer` gets
each parsed request body and returns the reply body, or `DROP` to close the connection
without a reply (a lost request)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DROP = object()


@contextmanager
def json_server(
    answer: Callable[[Any], Any], idle_timeout: Callable[[], float | None] | None = None
) -> Iterator[str]:
    """Serve on a free loopback port; yields the URL. `idle_timeout`: asked as each connection
    opens, the seconds it may stay idle before the server closes it (None: no limit)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            if idle_timeout is not None:
                self.connection.settimeout(idle_timeout())

        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            reply = answer(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            if reply is DROP:
                self.close_connection = True
                return
            body = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
