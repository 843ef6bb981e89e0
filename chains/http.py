"""HTTP to a node: one keep-alive connection, an overall deadline per request, and a cap on
the size of the reply. Shared by the EVM JSON-RPC client and the Bitcoin backends.

A per-read socket timeout is not a deadline: a server trickling one byte every few seconds
never trips it. Here every write and every read re-arms the socket timeout to what is left
of the request's deadline, so connecting, the status line, the headers and the body together
finish by the deadline or fail. A reply whose Content-Length, or whose bytes read so far,
pass the cap is refused before it is held in memory.

A keep-alive connection the server closed while idle fails the next request before the
server sees it; that request is sent again once on a new connection. A request that must
not reach the node twice (`idempotent=False`: a raw transaction) is instead sent on a new
connection if the old one sat idle, and never again: no full answer is `NoAnswer`.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

from chains.errors import NodeUnreachable, ReplyTooLarge

DEFAULT_TIMEOUT = 10.0
MAX_REPLY_BYTES = 32 * 1024 * 1024
CHUNK = 64 * 1024
IDLE_REUSE = 1.0  # seconds a connection may sit idle and still carry a non-idempotent request


class NoAnswer(NodeUnreachable):
    """No full answer came back: a timeout, or a connection refused or dropped. Whether the
    node acted on the request is unknown, so only one that changes nothing (a read) may be
    sent again. Still `node-unreachable` (exit 6) for whoever does not retry."""


class _Deadline:
    def __init__(self) -> None:
        self.at = 0.0

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left


class _DeadlineReader(io.RawIOBase):
    """The socket's reading side, each `recv` bounded by what is left of the deadline.

    It reads through the socket's own `makefile` (unbuffered), which keeps the socket open
    while the response is read even after http.client closes the connection."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(self._deadline.remaining())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineSocket:
    """What http.client sees as its socket: writes and reads re-armed to the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def sendall(self, data: Any) -> None:
        self._sock.settimeout(self._deadline.remaining())
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _HTTP(http.client.HTTPConnection):
    deadline: _Deadline

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self.deadline)


class _HTTPS(http.client.HTTPSConnection):
    deadline: _Deadline

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()  # connects, then wraps the socket in TLS within the time left
        self.sock = _DeadlineSocket(self.sock, self.deadline)


def display_url(url: str) -> str:
    """The URL without user and password: what messages may show."""
    parts = urlsplit(url)
    if not parts.username and not parts.password:
        return url
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def one_line(text: object, limit: int = 200) -> str:
    """A node's words, safe to put in a one-line message."""
    return " ".join(str(text).split())[:limit]


class HttpClient:
    """Requests to one origin over one keep-alive connection, each bounded in time and size."""

    def __init__(
        self, url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_REPLY_BYTES
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NodeUnreachable(f"the URL {display_url(url)!r} is not an http(s) URL")
        self.url = display_url(url)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        try:
            self._port = parts.port
        except ValueError:
            raise NodeUnreachable(f"the URL {self.url!r} has a malformed port") from None
        self._base = parts.path.rstrip("/")
        self._query = f"?{parts.query}" if parts.query else ""
        self._deadline = _Deadline()
        self._connection: _HTTP | _HTTPS | None = None
        self._served = 0  # requests answered on the current connection
        self._idle_since = 0.0  # monotonic time of its last answer

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self,
        method: str,
        path: str = "",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
        idempotent: bool = True,
    ) -> tuple[int, bytes]:
        """(status, body) of one request, by `deadline` (monotonic) and at most `timeout`.
        `idempotent=False`: never sent twice, not even after a stale keep-alive connection."""
        own = time.monotonic() + self.timeout
        self._deadline.at = own if deadline is None else min(own, deadline)
        target = (self._base + path or "/") + (self._query if not path else "")
        if not idempotent and time.monotonic() - self._idle_since > IDLE_REUSE:
            self.close()  # the server may have closed it meanwhile: do not find out by sending
        for attempt in (1, 2):
            reused = self._served > 0
            connection = self._connect()
            try:
                connection.request(method, target, body=body, headers=headers or {})
                response = connection.getresponse()
                data = self._read(response)
            except TimeoutError:
                self.close()
                raise NoAnswer(
                    f"the node at {self.url} did not answer within {self.timeout:g} s"
                    if self._deadline.at == own
                    else f"the node at {self.url} did not answer in the time left"
                ) from None
            except (ConnectionError, http.client.HTTPException) as exc:
                # A keep-alive connection the server closed: retry once on a new one.
                self.close()
                if attempt == 1 and reused and idempotent:
                    continue
                reason = one_line(exc) or type(exc).__name__
                raise NoAnswer(f"the node at {self.url} is unreachable: {reason}") from None
            except OSError as exc:
                self.close()
                reason = one_line(exc.strerror or exc) or type(exc).__name__
                raise NodeUnreachable(f"the node at {self.url} is unreachable: {reason}") from None
            if response.will_close:
                self.close()
            else:
                self._served += 1
                self._idle_since = time.monotonic()
            return response.status, data
        raise NodeUnreachable(f"the node at {self.url} is unreachable")  # pragma: no cover

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        declared = (response.getheader("Content-Length") or "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            self._too_large()
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = response.read(CHUNK)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > self.max_bytes:
                self._too_large()
            chunks.append(chunk)

    def _too_large(self) -> NoReturn:
        self.close()
        mib, rest = divmod(self.max_bytes, 1024 * 1024)
        limit = f"{mib} MiB" if not rest else f"{self.max_bytes} bytes"
        raise ReplyTooLarge(f"the node at {self.url} sent a reply larger than {limit}; refused")

    def _connect(self) -> _HTTP | _HTTPS:
        if self._connection is None:
            cls: type[_HTTP | _HTTPS] = _HTTPS if self._https else _HTTP
            connection = cls(self._host, self._port)
            connection.deadline = self._deadline
            self._connection = connection
            self._served = 0
        return self._connection
