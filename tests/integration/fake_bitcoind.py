"""A local server speaking bitcoind's JSON-RPC over the fake chain of tests/fake_esplora.py:
`scantxoutset` (address and ranged descriptor scans, answered as Bitcoin Core documents
them: the coin's inferred descriptor with its key origin, height, scriptPubKey),
`getblockhash`, `getrawtransaction` (without -txindex: a confirmed transaction needs its
block hash), `getmempoolentry`, `estimatesmartfee` and `sendrawtransaction`. Every call is
recorded as (method, params)."""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fake_esplora import Chain, address_script

_DESCRIPTOR = re.compile(r"(wpkh|tr)\(\[([0-9a-f]{8})/([^\]]+)\]([a-zA-Z0-9]+)/([01])/\*\)")


@dataclass
class Node:
    chain: Chain = field(default_factory=Chain)
    calls: list[tuple[str, list[Any]]] = field(default_factory=list)
    with_blockhash: bool = False  # Bitcoin Core 28+ adds "blockhash" to scantxoutset
    inflate: int = 0  # sats a lying node adds to every amount its scan reports
    scan_seconds: float = 0.0  # how long scantxoutset takes (minutes on mainnet)
    url: str = ""  # set while the server runs


def _btc(sats: int) -> Decimal:
    return Decimal(sats) / Decimal(100_000_000)


@functools.cache
def _scripts(descriptor: str, end: int) -> dict[bytes, str]:
    """Output script -> the descriptor Core infers for it (with key origin), for 0..end
    (kept: tests scan the same descriptors again and again)."""
    from chains.bip32 import ExtendedPublicKey, parse_extended_key

    match = _DESCRIPTOR.fullmatch(descriptor.split("#")[0])
    if match is None:
        raise ValueError(f"unsupported descriptor {descriptor}")
    kind, fingerprint, path, xpub, chain = match.groups()
    import bdkpython

    parsed = bdkpython.Descriptor(descriptor, bdkpython.NetworkKind.TEST)
    node = parse_extended_key(xpub)
    assert isinstance(node, ExtendedPublicKey)
    branch = node.child(int(chain))
    found = {}
    for index in range(end + 1):
        address = str(parsed.derive_address(index, bdkpython.Network.REGTEST))
        key = branch.child(index).public_key
        shown = key.hex() if kind == "wpkh" else key[1:].hex()
        origin = f"{fingerprint}/{path.replace(chr(39), 'h')}/{chain}/{index}"
        found[address_script(address)] = f"{kind}([{origin}]{shown})#00000000"
    return found


def _scan(node: Node, targets: list[Any]) -> dict[str, Any]:
    wanted: dict[bytes, str] = {}
    for target in targets:
        if isinstance(target, str) and target.startswith("addr("):
            address = target[5:-1]
            wanted[address_script(address)] = f"addr({address})#00000000"
        else:
            spec = target if isinstance(target, dict) else {"desc": target}
            span = spec.get("range", 1000)
            end = span[1] if isinstance(span, list) else span
            wanted.update(_scripts(spec["desc"], end))
    unspents: list[dict[str, Any]] = []
    chain = node.chain
    for tx in chain.txs.values():
        if tx.height is None:
            continue  # the UTXO set holds confirmed coins only
        for vout, (sats, script) in enumerate(tx.outputs):
            if script in wanted and chain.spender(tx.txid, vout) is None:
                item = {
                    "txid": tx.txid,
                    "vout": vout,
                    "scriptPubKey": script.hex(),
                    "desc": wanted[script],
                    "amount": _btc(sats + node.inflate),
                    "coinbase": False,
                    "height": tx.height,
                }
                if node.with_blockhash:
                    item["blockhash"] = chain.blocks[tx.height]
                unspents.append(item)
    total = sum((u["amount"] for u in unspents), Decimal(0))
    return {
        "success": True,
        "txouts": 1000,
        "height": len(chain.blocks) - 1,
        "bestblock": chain.blocks[-1],
        "unspents": unspents,
        "total_amount": total,
    }


def _call(node: Node, method: str, params: list[Any]) -> Any:
    chain = node.chain
    if method == "scantxoutset":
        time.sleep(node.scan_seconds)
        return _scan(node, params[1])
    if method == "getblockhash":
        return chain.blocks[params[0]]
    if method == "getrawtransaction":
        tx = chain.txs.get(params[0])
        blockhash = params[2] if len(params) > 2 else None
        if tx is None or (tx.height is not None and blockhash != chain.blocks[tx.height]):
            raise LookupError(
                "No such mempool transaction. Use -txindex or provide a block hash to enable "
                "blockchain transaction queries. Use gettransaction for wallet transactions."
            )
        return tx.raw.hex()
    if method == "getmempoolentry":
        tx = chain.txs.get(params[0])
        if tx is None or tx.height is not None:
            raise LookupError("Transaction not in mempool")
        return {"vsize": len(tx.raw), "fees": {"base": Decimal("0.00001")}}
    if method == "estimatesmartfee":
        return {"feerate": Decimal("0.00012345"), "blocks": 2}
    if method == "sendrawtransaction":
        return chain.accept(bytes.fromhex(params[0]))
    raise NotImplementedError(method)


def _dumps(value: Any) -> str:
    """JSON with Decimal amounts written as JSON numbers, as bitcoind writes them."""
    text = json.dumps(value, default=lambda d: f"<decimal {d}>")
    return re.sub(r'"<decimal (-?[0-9.E+-]+)>"', r"\1", text)


def handler(node: Node) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            method, params = request["method"], request["params"]
            node.calls.append((method, params))
            status, error, result = 200, None, None
            try:
                result = _call(node, method, params)
            except LookupError as exc:
                status, error = 500, {"code": -5, "message": str(exc)}
            except NotImplementedError:
                error = {"code": -32601, "message": "Method not found"}
            body = _dumps({"result": result, "error": error, "id": request["id"]}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def running(node: Node) -> Iterator[str]:
    """The node's URL while the server runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(node))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    node.url = f"http://user:pass@127.0.0.1:{server.server_address[1]}"
    try:
        yield node.url
    finally:
        server.shutdown()
        server.server_close()
