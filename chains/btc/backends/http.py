"""One small HTTP helper for the backends: timeouts, and node errors with the node's words."""

from __future__ import annotations

import urllib.error
import urllib.request

from chains.errors import NodeUnreachable, RpcError

TIMEOUT = 15.0


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
    method = "POST" if data is not None else "GET"
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:  # noqa: S310
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        raise RpcError(f"the node answered HTTP {exc.code}: {detail}", exc.code, detail) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NodeUnreachable(f"the node at {url} is unreachable: {reason}") from None
