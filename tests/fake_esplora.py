"""A minimal Esplora REST server for the README tour (scripts/tour.sh): standard library only,
so any python3 runs it. It funds the addresses given on the command line with one coin each,
quotes fees, and accepts broadcasts, shaped as Esplora's API documents them. No live Bitcoin
node can run on these machines.

Usage: python3 tests/fake_esplora.py PORT_FILE ADDRESS:SATS [ADDRESS:SATS ...]
Writes the port it listens on to PORT_FILE, serves until killed (or for 10 minutes).
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIFETIME = 600.0


def handler(coins: dict[str, int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _send(self, body: str, kind: str = "application/json", status: int = 200) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = self.path.removeprefix("/esplora")
            if path == "/fee-estimates":
                self._send(json.dumps({"1": 12.5, "2": 9.8, "6": 3.2, "144": 1.0}))
            elif path.startswith("/address/") and path.endswith("/utxo"):
                address = path.split("/")[2]
                items = []
                if address in coins:
                    txid = hashlib.sha256(address.encode()).hexdigest()
                    status = {"confirmed": True, "block_height": 101, "block_hash": "00" * 32}
                    items.append(
                        {"txid": txid, "vout": 0, "value": coins[address], "status": status}
                    )
                self._send(json.dumps(items))
            else:
                self._send("Not Found", "text/plain", 404)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path.removeprefix("/esplora") == "/tx":
                self._send(hashlib.sha256(raw).hexdigest(), "text/plain")
            else:
                self._send("Not Found", "text/plain", 404)

    return Handler


def main() -> None:
    port_file, *funded = sys.argv[1:]
    coins = {item.rsplit(":", 1)[0]: int(item.rsplit(":", 1)[1]) for item in funded}
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(coins))
    with open(port_file, "w") as handle:
        handle.write(str(server.server_address[1]))
    threading.Timer(LIFETIME, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
