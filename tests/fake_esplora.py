"""A minimal Esplora REST server: standard library only, so any python3 runs it (the README
tour, scripts/tour.sh) and the tests import it. No live Bitcoin node can run on these
machines.

It keeps a small chain: blocks (height 0 is the genesis of the funded addresses' network,
regtest's by default) and real transactions (serialised as Bitcoin does, so bdk parses and
signs over them), confirmed in a block or waiting in the mempool. It answers what the
wallet's own backend asks (`/address/A/utxo`, `/fee-estimates`, `POST /tx`) and what bdk's
EsploraClient asks in a full scan or a sync (`/scripthash/H/txs`, `/blocks`), plus
`/tx/T`, `/tx/T/raw`, `/tx/T/status`, `/tx/T/outspend/N`, `/blocks/tip/height`,
`/blocks/tip/hash` and `/block-height/N`, shaped as Esplora's API documents them. Every
request path is recorded in `Chain.requests`.

Usage: python3 tests/fake_esplora.py PORT_FILE ADDRESS:SATS [ADDRESS:SATS ...]
Writes the port it listens on to PORT_FILE, serves until killed (or for 10 minutes).
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIFETIME = 600.0
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
GENESIS = {  # by address prefix: bdk checks that a chain update connects to its genesis
    "bc1": "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    "tb1": "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
    "bcrt1": REGTEST_GENESIS,
}
BLOCK_TIME = 1_700_000_000
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def _varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def address_script(address: str) -> bytes:
    """The output script of a bech32/bech32m (segwit v0 or v1) address."""
    data = address.lower().rsplit("1", 1)[1]
    values = [_CHARSET.index(c) for c in data[:-6]]
    version, bits, acc, out = values[0], 0, 0, []
    for value in values[1:]:
        acc, bits = (acc << 5) | value, bits + 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    program = bytes(out)
    return bytes([0x50 + version if version else 0, len(program)]) + program


@dataclass
class Tx:
    """A parsed transaction: enough to answer Esplora's JSON and find who spends what."""

    raw: bytes
    txid: str
    version: int
    locktime: int
    inputs: list[tuple[str, int, bytes, int, list[bytes]]]  # txid, vout, scriptSig, seq, wit
    outputs: list[tuple[int, bytes]]  # sats, script
    height: int | None = None  # None: in the mempool

    @property
    def weight(self) -> int:
        return len(self.stripped()) * 3 + len(self.raw)

    def stripped(self) -> bytes:
        body = self.version.to_bytes(4, "little") + _varint(len(self.inputs))
        for txid, vout, script, sequence, _ in self.inputs:
            body += bytes.fromhex(txid)[::-1] + vout.to_bytes(4, "little")
            body += _varint(len(script)) + script + sequence.to_bytes(4, "little")
        body += _varint(len(self.outputs))
        for sats, script in self.outputs:
            body += sats.to_bytes(8, "little") + _varint(len(script)) + script
        return body + self.locktime.to_bytes(4, "little")


def parse_tx(raw: bytes) -> Tx:
    pos = 0

    def take(n: int) -> bytes:
        nonlocal pos
        pos += n
        if pos > len(raw):
            raise ValueError("truncated transaction")
        return raw[pos - n : pos]

    def varint() -> int:
        first = take(1)[0]
        size = {0xFD: 2, 0xFE: 4, 0xFF: 8}.get(first)
        return int.from_bytes(take(size), "little") if size else first

    version = int.from_bytes(take(4), "little")
    segwit = raw[pos : pos + 2] == b"\x00\x01"
    if segwit:
        take(2)
    inputs: list[tuple[str, int, bytes, int, list[bytes]]] = []
    for _ in range(varint()):
        txid = take(32)[::-1].hex()
        vout = int.from_bytes(take(4), "little")
        script = take(varint())
        inputs.append((txid, vout, script, int.from_bytes(take(4), "little"), []))
    outputs = []
    for _ in range(varint()):
        sats = int.from_bytes(take(8), "little")
        outputs.append((sats, take(varint())))
    if segwit:
        for txin in inputs:
            txin[4].extend(take(varint()) for _ in range(varint()))
    locktime = int.from_bytes(take(4), "little")
    if pos != len(raw):
        raise ValueError("trailing bytes after the transaction")
    tx = Tx(raw, "", version, locktime, inputs, outputs)
    tx.txid = sha256d(tx.stripped())[::-1].hex()
    return tx


def funding_tx(outputs: list[tuple[int, bytes]], salt: int) -> bytes:
    """A transaction paying `outputs` from a made-up coin (`salt` keeps txids apart)."""
    prev = hashlib.sha256(b"fake-funding-%d" % salt).digest()
    body = b"\x02\x00\x00\x00" + b"\x01" + prev + b"\x00" * 4 + b"\x00" + b"\xfd\xff\xff\xff"
    body += _varint(len(outputs))
    for sats, script in outputs:
        body += sats.to_bytes(8, "little") + _varint(len(script)) + script
    return body + b"\x00" * 4


@dataclass
class Chain:
    """Blocks and transactions the server answers from; tests drive it directly."""

    txs: dict[str, Tx] = field(default_factory=dict)
    blocks: list[str] = field(default_factory=lambda: [REGTEST_GENESIS])
    requests: list[str] = field(default_factory=list)
    broadcasts: list[str] = field(default_factory=list)
    stall: float = 0.0  # seconds every GET waits before its answer (a slow server)
    fault: tuple[int, str] | None = None  # (status, body) every GET answers instead
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fund(self, outputs: list[tuple[int, bytes]], confirmed: bool = True) -> str:
        """A new transaction paying `outputs` (sats, script); mined in a new block or not."""
        with self.lock:
            tx = parse_tx(funding_tx(outputs, len(self.txs)))
            self.txs[tx.txid] = tx
        if confirmed:
            self.mine()
        return tx.txid

    def mine(self) -> int:
        """A new block confirming every mempool transaction; its height."""
        with self.lock:
            height = len(self.blocks)
            self.blocks.append(hashlib.sha256(b"fake-block-%d" % height).hexdigest())
            for tx in self.txs.values():
                if tx.height is None:
                    tx.height = height
            return height

    def accept(self, raw: bytes) -> str:
        """A broadcast: into the mempool, evicting what it double-spends (replacement)."""
        tx = parse_tx(raw)
        with self.lock:
            spent = {(i[0], i[1]) for i in tx.inputs}
            for other in list(self.txs.values()):
                if other.height is None and spent & {(i[0], i[1]) for i in other.inputs}:
                    del self.txs[other.txid]
            self.txs[tx.txid] = tx
            self.broadcasts.append(raw.hex())
        return tx.txid

    def history(self, script_hash: str) -> list[Tx]:
        """Transactions paying or spending the script, newest first (mempool on top)."""
        found = []
        for tx in self.txs.values():
            scripts = [s for _, s in tx.outputs] + [
                p[1] for p in (self.prevout(i[0], i[1]) for i in tx.inputs) if p
            ]
            if any(hashlib.sha256(s).hexdigest() == script_hash for s in scripts):
                found.append(tx)
        return sorted(found, key=lambda t: -(t.height if t.height is not None else 10**9))

    def prevout(self, txid: str, vout: int) -> tuple[int, bytes] | None:
        tx = self.txs.get(txid)
        return tx.outputs[vout] if tx and vout < len(tx.outputs) else None

    def spender(self, txid: str, vout: int) -> tuple[Tx, int] | None:
        for tx in self.txs.values():
            for index, txin in enumerate(tx.inputs):
                if (txin[0], txin[1]) == (txid, vout):
                    return tx, index
        return None

    def status(self, tx: Tx) -> dict[str, object]:
        if tx.height is None:
            return {"confirmed": False}
        return {
            "confirmed": True,
            "block_height": tx.height,
            "block_hash": self.blocks[tx.height],
            "block_time": BLOCK_TIME + tx.height * 600,
        }

    def tx_json(self, tx: Tx) -> dict[str, object]:
        vin, known = [], 0
        for txid, vout, script, sequence, witness in tx.inputs:
            prev = self.prevout(txid, vout)
            if prev is None:  # a made-up coin: say what it held so the fee is sane
                prev = (sum(s for s, _ in tx.outputs) + 1_000, b"\x51")
            known += prev[0]
            vin.append(
                {
                    "txid": txid,
                    "vout": vout,
                    "prevout": {"scriptpubkey": prev[1].hex(), "value": prev[0]},
                    "scriptsig": script.hex(),
                    "witness": [w.hex() for w in witness],
                    "sequence": sequence,
                    "is_coinbase": False,
                }
            )
        outputs = [{"scriptpubkey": s.hex(), "value": v} for v, s in tx.outputs]
        return {
            "txid": tx.txid,
            "version": tx.version,
            "locktime": tx.locktime,
            "vin": vin,
            "vout": outputs,
            "size": len(tx.raw),
            "weight": tx.weight,
            "fee": known - sum(v for v, _ in tx.outputs),
            "status": self.status(tx),
        }

    def block_json(self, height: int) -> dict[str, object]:
        return {
            "id": self.blocks[height],
            "height": height,
            "version": 0x20000000,
            "timestamp": BLOCK_TIME + height * 600,
            "tx_count": 1,
            "size": 250,
            "weight": 1000,
            "merkle_root": "00" * 32,
            "previousblockhash": self.blocks[height - 1] if height else None,
            "mediantime": BLOCK_TIME + height * 600,
            "nonce": 0,
            "bits": 0x207FFFFF,
            "difficulty": 1,
        }

    def utxos(self, script: bytes) -> list[dict[str, object]]:
        items = []
        for tx in self.txs.values():
            for vout, (sats, out) in enumerate(tx.outputs):
                if out == script and self.spender(tx.txid, vout) is None:
                    items.append(
                        {"txid": tx.txid, "vout": vout, "value": sats, "status": self.status(tx)}
                    )
        return items


def _answer(chain: Chain, path: str) -> tuple[int, str | bytes]:
    """Esplora's reply to GET `path`: (HTTP status, body); JSON bodies as text."""
    parts = path.strip("/").split("/")
    if path == "/fee-estimates":
        return 200, json.dumps({"1": 12.5, "2": 9.8, "6": 3.2, "144": 1.0})
    if parts[0] == "address" and len(parts) == 3 and parts[2] == "utxo":
        return 200, json.dumps(chain.utxos(address_script(parts[1])))
    if parts[0] == "scripthash" and len(parts) >= 3 and parts[2] == "txs":
        history = chain.history(parts[1])
        if len(parts) == 5 and parts[3] == "chain":  # the page after txid parts[4]
            confirmed = [t for t in history if t.height is not None]
            at = next((i for i, t in enumerate(confirmed) if t.txid == parts[4]), len(confirmed))
            return 200, json.dumps([chain.tx_json(t) for t in confirmed[at + 1 : at + 26]])
        mempool = [t for t in history if t.height is None][:50]
        confirmed = [t for t in history if t.height is not None][:25]
        return 200, json.dumps([chain.tx_json(t) for t in mempool + confirmed])
    if parts[0] == "tx" and len(parts) >= 2 and parts[1] in chain.txs:
        tx = chain.txs[parts[1]]
        if len(parts) == 2:
            return 200, json.dumps(chain.tx_json(tx))
        if parts[2] == "raw":
            return 200, tx.raw
        if parts[2] == "status":
            return 200, json.dumps(chain.status(tx))
        if parts[2] == "outspend" and len(parts) == 4 and parts[3].isdigit():
            spender = chain.spender(tx.txid, int(parts[3]))
            if spender is None:
                return 200, json.dumps({"spent": False})
            by, vin = spender
            return 200, json.dumps(
                {"spent": True, "txid": by.txid, "vin": vin, "status": chain.status(by)}
            )
    if parts[0] == "tx":
        return 404, "Transaction not found"
    if path == "/blocks/tip/height":
        return 200, str(len(chain.blocks) - 1)
    if path == "/blocks/tip/hash":
        return 200, chain.blocks[-1]
    if parts[0] == "blocks" and len(parts) <= 2:
        top = len(chain.blocks) - 1
        if len(parts) == 2 and parts[1].isdigit():
            top = min(top, int(parts[1]))
        return 200, json.dumps([chain.block_json(h) for h in range(top, max(-1, top - 10), -1)])
    if parts[0] == "block-height" and len(parts) == 2 and parts[1].isdigit():
        height = int(parts[1])
        if height < len(chain.blocks):
            return 200, chain.blocks[height]
        return 404, "Block not found"
    return 404, "Not Found"


def handler(chain: Chain) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _send(self, body: str | bytes, status: int = 200) -> None:
            data = body.encode() if isinstance(body, str) else body
            kind = "application/json" if data[:1] in (b"{", b"[") else "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            time.sleep(chain.stall)
            path = self.path.removeprefix("/esplora")
            with chain.lock:
                chain.requests.append(path)
                status, body = chain.fault or _answer(chain, path)
            self._send(body, status)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            path = self.path.removeprefix("/esplora")
            with chain.lock:
                chain.requests.append("POST " + path)
            if path != "/tx":
                self._send("Not Found", 404)
                return
            try:
                self._send(chain.accept(bytes.fromhex(raw.decode("ascii").strip())))
            except ValueError as exc:
                self._send(f"sendrawtransaction RPC error: {exc}", 400)

    return Handler


def serve(chain: Chain) -> tuple[ThreadingHTTPServer, int]:
    """A server on a free local port, answering from `chain` in a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(chain))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


def main() -> None:
    port_file, *funded = sys.argv[1:]
    prefix = funded[0].split("1", 1)[0] + "1" if funded else "bcrt1"
    chain = Chain(blocks=[GENESIS.get(prefix, REGTEST_GENESIS)])
    for item in funded:
        address, sats = item.rsplit(":", 1)
        chain.fund([(int(sats), address_script(address))])
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(chain))
    with open(port_file, "w") as handle:
        handle.write(str(server.server_address[1]))
    threading.Timer(LIFETIME, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
