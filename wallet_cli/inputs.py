"""Bounded reads of what a person hands the wallet: files and standard input are refused
past a size limit, and JSON past a nesting depth, before anything parses them. The same
readers guard the keystore's own files; callers above the library take them from here.
"""

from __future__ import annotations

from keystore.files import (
    KEYSTORE_LIMIT,
    SECRET_TEXT_LIMIT,
    JsonRejected,
    load_json,
    read_limited,
    read_stream,
    read_stream_text,
)

__all__ = [
    "KEYSTORE_LIMIT",
    "SECRET_TEXT_LIMIT",
    "JsonRejected",
    "load_json",
    "read_limited",
    "read_stream",
    "read_stream_text",
]
