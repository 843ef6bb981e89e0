"""Process hardening for whoever holds secrets: the CLI calls it before reading any, so a
crash cannot write one to a core file (`Wallet.unlock` and `Wallet.create` call it too)."""

from __future__ import annotations

from keystore.hardening import disable_core_dumps

__all__ = ["disable_core_dumps"]
