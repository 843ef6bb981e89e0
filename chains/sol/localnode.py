"""A local Solana node for testing: LiteSVM (the Solana runtime built into `solders`)
behind the part of Solana's JSON-RPC the wallet speaks (https://solana.com/docs/rpc).

Not a validator: no consensus, no gossip, no clock of its own. Every transaction it accepts
is executed at once by the real runtime (system, SPL Token, Token-2022 and Associated Token
programs included) and counts as one block. A blockhash is valid for the next 150 blocks,
as on Solana. Besides the standard methods it has a few of its own, named `localnode_*` (as
anvil's are `anvil_*`), that a test uses to make a transaction go missing, a blockhash
expire or a mint exist.

Run it with `python -m chains.sol.localnode --port 8899 [--fund ADDRESS:LAMPORTS ...]`
(`wallet devnet up --chain sol` does). It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import struct
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chains.sol import address
from chains.sol.transfer import MINT_SIZE, SPL_PROGRAM, TOKEN_ACCOUNT_SIZE, token_amount

BLOCKHASH_LIFETIME = 150  # blocks a blockhash is valid for (MAX_PROCESSING_AGE)
LAMPORTS_PER_SIGNATURE = 5000
SIMULATION_FAILED = -32002  # solana-core's code for a failed preflight
INVALID_PARAMS = -32602


class Fault(Exception):
    def __init__(self, code: int, message: str, data: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


@dataclass
class Status:
    slot: int
    err: str | None


class LocalNode:
    """The node's state and methods; thread-safe (one lock around the runtime)."""

    def __init__(self) -> None:
        from solders.litesvm import LiteSVM

        self.svm = LiteSVM()
        self.lock = threading.Lock()
        self.height = 1
        self.genesis = address.encode(hashlib.sha256(b"wallet localnode genesis").digest())
        self.valid_until: dict[str, int] = {}
        self.statuses: dict[str, Status] = {}
        self.drop = 0  # sends to accept and lose
        self.expire_on_drop = False
        self.refuse = 0  # sends to refuse with "Blockhash not found"
        self._note_blockhash()

    def _note_blockhash(self) -> str:
        current = str(self.svm.latest_blockhash())
        self.valid_until.setdefault(current, self.height + BLOCKHASH_LIFETIME)
        return current

    def _context(self, value: object) -> dict[str, Any]:
        return {"context": {"slot": self.height, "apiVersion": "localnode"}, "value": value}

    def _advance(self, blocks: int) -> None:
        self.height += blocks
        current = str(self.svm.latest_blockhash())
        if self.valid_until.get(current, 0) < self.height:
            self.svm.expire_blockhash()
        self._note_blockhash()

    def handle(self, method: str, params: list[Any]) -> Any:
        with self.lock:
            handler = getattr(self, "rpc_" + method, None)
            if handler is None:
                raise Fault(-32601, f"Method not found: {method}")
            try:
                return handler(*params)
            except Fault:
                raise
            except (TypeError, ValueError, IndexError, KeyError) as exc:
                raise Fault(INVALID_PARAMS, f"Invalid params: {exc}") from None

    # standard methods

    def rpc_getHealth(self) -> str:
        return "ok"

    def rpc_getVersion(self) -> dict[str, Any]:
        return {"solana-core": "localnode (LiteSVM)", "feature-set": 0}

    def rpc_getGenesisHash(self) -> str:
        return self.genesis

    def rpc_getSlot(self, options: object = None) -> int:
        return self.height

    def rpc_getBlockHeight(self, options: object = None) -> int:
        return self.height

    def rpc_getLatestBlockhash(self, options: object = None) -> dict[str, Any]:
        current = self._note_blockhash()
        return self._context(
            {"blockhash": current, "lastValidBlockHeight": self.valid_until[current]}
        )

    def rpc_isBlockhashValid(self, blockhash: str, options: object = None) -> dict[str, Any]:
        current = str(self.svm.latest_blockhash())
        return self._context(blockhash == current and self.valid_until[current] >= self.height)

    def rpc_getBalance(self, key: str, options: object = None) -> dict[str, Any]:
        return self._context(self.svm.get_balance(_pubkey(key)) or 0)

    def rpc_getAccountInfo(self, key: str, options: object = None) -> dict[str, Any]:
        return self._context(self._account(key))

    def rpc_getMultipleAccounts(self, keys: list[str], options: object = None) -> dict[str, Any]:
        if len(keys) > 100:
            raise Fault(INVALID_PARAMS, "Too many inputs provided; max 100")
        return self._context([self._account(k) for k in keys])

    def rpc_getMinimumBalanceForRentExemption(self, size: int, options: object = None) -> int:
        return int(self.svm.minimum_balance_for_rent_exemption(int(size)))

    def rpc_getFeeForMessage(self, message: str, options: object = None) -> dict[str, Any]:
        from solders.message import from_bytes_versioned

        decoded = from_bytes_versioned(base64.b64decode(message))
        blockhash = str(decoded.recent_blockhash)
        if blockhash != str(self.svm.latest_blockhash()):
            return self._context(None)
        signers = decoded.header.num_required_signatures
        return self._context(signers * LAMPORTS_PER_SIGNATURE)

    def rpc_getTokenAccountBalance(self, key: str, options: object = None) -> dict[str, Any]:
        account = self.svm.get_account(_pubkey(key))
        if account is None or len(bytes(account.data)) != TOKEN_ACCOUNT_SIZE:
            raise Fault(INVALID_PARAMS, "Invalid param: not a Token account")
        data = bytes(account.data)
        amount = token_amount(data)
        mint = self.svm.get_account(_pubkey(address.encode(data[:32])))
        decimals = bytes(mint.data)[44] if mint is not None else 0
        return self._context(
            {"amount": str(amount), "decimals": decimals, "uiAmountString": str(amount)}
        )

    def rpc_requestAirdrop(self, key: str, lamports: int, options: object = None) -> str:
        self.svm.airdrop(_pubkey(key), int(lamports))
        self._advance(1)
        digest = hashlib.sha512(f"airdrop {key} {lamports} {self.height}".encode()).digest()
        signature = address.encode(digest)
        self.statuses[signature] = Status(self.height, None)
        return signature

    def rpc_sendTransaction(self, encoded: str, options: dict[str, Any] | None = None) -> str:
        from solders.transaction import VersionedTransaction

        options = options or {}
        if options.get("encoding", "base58") != "base64":
            raise Fault(INVALID_PARAMS, "this node takes base64-encoded transactions only")
        tx = VersionedTransaction.from_bytes(base64.b64decode(encoded))
        signature = str(tx.signatures[0])
        if self.refuse:
            self.refuse -= 1
            self._advance(BLOCKHASH_LIFETIME + 1)
            raise _blockhash_not_found()
        if not options.get("skipPreflight"):
            simulated = self.svm.simulate_transaction(tx)
            error = _error_of(simulated)
            if error == "BlockhashNotFound":
                raise _blockhash_not_found()
            if error is not None:
                logs = list(getattr(simulated.meta(), "logs", []))
                raise Fault(
                    SIMULATION_FAILED,
                    f"Transaction simulation failed: {error}",
                    {"err": error, "logs": logs, "accounts": None, "unitsConsumed": 0},
                )
        if self.drop:
            self.drop -= 1
            if self.expire_on_drop:
                self._advance(BLOCKHASH_LIFETIME + 1)
            return signature
        outcome = self.svm.send_transaction(tx)
        error = _error_of(outcome)
        if error in ("AlreadyProcessed", "BlockhashNotFound"):
            if error == "BlockhashNotFound":
                raise _blockhash_not_found()
            return signature
        self._advance(1)
        self.statuses[signature] = Status(self.height, error)
        return signature

    def rpc_getSignatureStatuses(
        self, signatures: list[str], options: object = None
    ) -> dict[str, Any]:
        if len(signatures) > 256:
            raise Fault(INVALID_PARAMS, "Too many inputs provided; max 256")
        found: list[object] = []
        for signature in signatures:
            status = self.statuses.get(signature)
            if status is None:
                found.append(None)
                continue
            found.append(
                {
                    "slot": status.slot,
                    "confirmations": None,
                    "err": status.err,
                    "status": {"Ok": None} if status.err is None else {"Err": status.err},
                    "confirmationStatus": "finalized",
                }
            )
        return self._context(found)

    # the node's own methods, for tests

    def rpc_localnode_dropNext(self, count: int, expire: bool = False) -> bool:
        """The next `count` transactions are answered with their signature and lost; with
        `expire`, their blockhash expires as it happens (a transaction that never lands)."""
        self.drop, self.expire_on_drop = int(count), bool(expire)
        return True

    def rpc_localnode_refuseNext(self, count: int) -> bool:
        """The next `count` transactions are refused with "Blockhash not found", their
        blockhash expiring as they arrive."""
        self.refuse = int(count)
        return True

    def rpc_localnode_expireBlockhash(self) -> str:
        self._advance(BLOCKHASH_LIFETIME + 1)
        return str(self.svm.latest_blockhash())

    def rpc_localnode_createMint(
        self, decimals: int, holder: str | None = None, amount: int = 0
    ) -> dict[str, Any]:
        """A new SPL Token mint (no mint authority: a fixed supply) and, with `holder`, that
        holder's associated token account holding all of it."""
        from solders.account import Account
        from solders.pubkey import Pubkey
        from solders.token.associated import get_associated_token_address

        digest = hashlib.sha256(f"mint {self.height} {len(self.statuses)}".encode()).digest()
        mint = Pubkey.from_bytes(digest)
        token = Pubkey.from_string(SPL_PROGRAM)
        data = struct.pack("<I32sQBBI32s", 0, bytes(32), int(amount), int(decimals), 1, 0, b"")
        rent = int(self.svm.minimum_balance_for_rent_exemption(MINT_SIZE))
        self.svm.set_account(mint, Account(rent, data, token, False, 0))
        result: dict[str, Any] = {"mint": str(mint)}
        if holder is not None:
            owner = _pubkey(holder)
            ata = get_associated_token_address(owner, mint)
            body = struct.pack(
                "<32s32sQI32sBI8sQI32s", bytes(mint), bytes(owner), int(amount),
                0, b"", 1, 0, b"", 0, 0, b"",
            )  # fmt: skip
            rent = int(self.svm.minimum_balance_for_rent_exemption(TOKEN_ACCOUNT_SIZE))
            self.svm.set_account(ata, Account(rent, body, token, False, 0))
            result["account"] = str(ata)
        self._advance(1)
        return result

    def _account(self, key: str) -> dict[str, Any] | None:
        account = self.svm.get_account(_pubkey(key))
        if account is None or (account.lamports == 0 and not bytes(account.data)):
            return None
        return {
            "data": [base64.b64encode(bytes(account.data)).decode(), "base64"],
            "executable": bool(account.executable),
            "lamports": int(account.lamports),
            "owner": str(account.owner),
            "rentEpoch": 0,
            "space": len(bytes(account.data)),
        }


def _pubkey(text: str) -> Any:
    from solders.pubkey import Pubkey

    return Pubkey.from_string(str(text))


def _error_of(outcome: object) -> str | None:
    """The runtime's error of a failed transaction, as its name (with its fields, if any)."""
    err = getattr(outcome, "err", None)
    if err is None:
        return None
    text = str(err() if callable(err) else err)
    return text.removeprefix("TransactionError")


def _blockhash_not_found() -> Fault:
    return Fault(
        SIMULATION_FAILED,
        "Transaction simulation failed: Blockhash not found",
        {"err": "BlockhashNotFound", "logs": [], "accounts": None, "unitsConsumed": 0},
    )


class _Handler(BaseHTTPRequestHandler):
    node: LocalNode
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length))
        except ValueError:
            error = {"code": -32700, "message": "Parse error"}
            self._reply({"jsonrpc": "2.0", "id": None, "error": error})
            return
        if isinstance(request, list):
            self._reply([self._one(r) for r in request])
        else:
            self._reply(self._one(request))

    def _one(self, request: Any) -> dict[str, Any]:
        ident = request.get("id") if isinstance(request, dict) else None
        try:
            if not isinstance(request, dict) or not isinstance(request.get("method"), str):
                raise Fault(-32600, "Invalid request")
            params = request.get("params") or []
            if not isinstance(params, list):
                raise Fault(INVALID_PARAMS, "Invalid params: expected an array")
            result = self.node.handle(request["method"], params)
        except Fault as fault:
            error: dict[str, Any] = {"code": fault.code, "message": fault.message}
            if fault.data is not None:
                error["data"] = fault.data
            return {"jsonrpc": "2.0", "id": ident, "error": error}
        return {"jsonrpc": "2.0", "id": ident, "result": result}

    def _reply(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


def serve(node: LocalNode, port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server for `node` on 127.0.0.1:`port` (0: a free one); call serve_forever."""
    handler = type("Handler", (_Handler,), {"node": node})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m chains.sol.localnode", description=__doc__)
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument("--fund", action="append", default=[], metavar="ADDRESS:LAMPORTS")
    args = parser.parse_args(argv)
    node = LocalNode()
    for item in args.fund:
        key, _, lamports = item.partition(":")
        node.svm.airdrop(_pubkey(key), int(lamports))
    server = serve(node, args.port)
    if args.port_file:
        args.port_file.write_text(str(server.server_address[1]))
    sys.stdout.write(f"localnode listening on http://127.0.0.1:{server.server_address[1]}\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
