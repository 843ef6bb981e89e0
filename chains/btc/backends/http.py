"""One small HTTP helper for the backends on chains/http.py (an overall deadline per request,
a cap on the reply's size), with node errors in the node's own words."""

from __future__ import annotations

from chains.errors import RpcError
from chains.http import DEFAULT_TIMEOUT, HttpClient, one_line

__all__ = ["DEFAULT_TIMEOUT", "Http"]


class Http:
    """GET and POST below one base URL, on one keep-alive connection."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._client = HttpClient(url, timeout)
        self.url = self._client.url

    def request(
        self,
        path: str = "",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """`timeout` replaces the client's own for this request (a UTXO set scan)."""
        method = "POST" if data is not None else "GET"
        usual = self._client.timeout
        self._client.timeout = usual if timeout is None else timeout
        try:
            status, body = self._client.request(method, path, data, headers)
        finally:
            self._client.timeout = usual
        if status >= 400:
            text = body[:4096].decode("utf-8", "replace")
            raise RpcError(f"the node answered HTTP {status}: {one_line(text, 300)}", status, text)
        return body

    def close(self) -> None:
        self._client.close()
