"""The keyed seal over a wallet's history and audit heads: `wallets/<name>/seal.json`.

The journals' hash chains (store/history.py) show accidental damage, but anyone who can write
the files can edit an entry and recompute every hash after it. The seal is an HMAC-SHA256,
keyed by HKDF from the vault secret, over both heads (count, last hash, size); with the hash
chain, a seal that verifies vouches for every entry up to those heads. Someone without the
passphrase cannot make one.

It is written when keys are first used after an unlock (`on_unlock`), and only to extend the
old one: if the journals no longer start with what the old seal covers, the old seal stays
(the evidence survives the owner's next unlock) and the owner is told. Entries appended
without the passphrase since (a `sync`, a freeze, a failed attempt) are reported as not yet
sealed, never as tampering; the next unlock seals them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from keystore.passphrase import PassphraseSources
from keystore.secret import Mnemonic
from keystore.vault import Secret
from wallet_cli.errors import WalletError
from wallet_cli.store.history import Commit, History
from wallet_cli.store.home import Home

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet

SEAL_FILE = "seal.json"
VERSION = 1
MAX_SEAL_BYTES = 4096
_SALT = b"wallet seal v1"


def hkdf(ikm: bytes, info: bytes, length: int = 32, salt: bytes = _SALT) -> bytes:
    """HKDF-SHA256 (RFC 5869): extract then expand, from the standard library."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def seal_key(secret: Secret, wallet: str) -> bytes:
    """The MAC key: derived for this purpose only, so it reveals nothing about the keys."""
    if isinstance(secret, Mnemonic):
        material = (
            b"mnemonic\0"
            + secret.reveal_phrase().encode()
            + b"\0"
            + secret.reveal_passphrase().encode()
        )
    else:
        material = b"key\0" + secret.reveal()
    return hkdf(material, b"history+audit seal|" + wallet.encode())


def _journals(home: Home, wallet: str) -> dict[str, History]:
    from wallet_cli.store.audit import AuditLog

    return {"history": History(home, wallet), "audit": AuditLog(home, wallet)}


def _mac(key: bytes, body: dict[str, Any]) -> str:
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _commit_doc(commit: Commit) -> dict[str, Any]:
    return {"count": commit.count, "hash": commit.hash, "size": commit.size}


def _read(home: Home, wallet: str) -> dict[str, Any] | str | None:
    """The seal document, None if there is none, or what is wrong with it."""
    path = home.wallet_dir(wallet) / SEAL_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{SEAL_FILE} cannot be read ({exc.strerror})"
    try:
        with os.fdopen(fd, "rb") as handle:
            document = json.loads(handle.read(MAX_SEAL_BYTES))
    except (OSError, ValueError):
        return f"{SEAL_FILE} is malformed"
    if not isinstance(document, dict) or not isinstance(document.get("mac"), str):
        return f"{SEAL_FILE} is malformed"
    return document


def _sealed_commit(document: dict[str, Any], part: str) -> Commit | None:
    value: Any = document.get(part)
    try:
        commit = Commit(int(value["count"]), str(value["hash"]), int(value["size"]))
    except (TypeError, KeyError, ValueError):
        return None
    return commit if commit.count >= 0 and commit.size >= 0 else None


@dataclass(frozen=True)
class PartCheck:
    """One journal against the seal: how many entries it vouches for, how many came after."""

    name: str
    sealed: int
    unsealed: int
    problem: str | None = None


@dataclass(frozen=True)
class SealCheck:
    ok: bool
    sealed_at: str | None
    parts: tuple[PartCheck, ...]
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "sealed_at": self.sealed_at,
            "problem": self.problem,
            **{
                p.name: {"sealed": p.sealed, "unsealed": p.unsealed, "problem": p.problem}
                for p in self.parts
            },
        }


def check(home: Home, wallet: str, secret: Secret) -> SealCheck:
    """The keyed check: the seal's MAC under the key from `secret`, then each journal's chain
    (unkeyed) and that it still starts with the sealed entries. Read-only."""
    document = _read(home, wallet)
    if document is None:
        return SealCheck(
            False,
            None,
            (),
            "no keyed seal (it is written when the wallet is unlocked to sign; a missing one "
            "after that means it was deleted)",
        )
    if isinstance(document, str):
        return SealCheck(False, None, (), document)
    body = {k: v for k, v in document.items() if k != "mac"}
    if not hmac.compare_digest(_mac(seal_key(secret, wallet), body), document["mac"]):
        return SealCheck(
            False, None, (), "the seal's MAC does not match: it was not made with this vault"
        )
    sealed_at = body.get("time") if isinstance(body.get("time"), str) else None
    parts = []
    for name, journal in _journals(home, wallet).items():
        commit = _sealed_commit(body, name)
        if commit is None:
            parts.append(PartCheck(name, 0, 0, f"the seal has no valid {name} head"))
            continue
        chain = journal.verify()
        if not chain.ok:
            parts.append(PartCheck(name, 0, 0, chain.problem))
            continue
        problem = journal.sealed_prefix_problem(commit)
        total = chain.entries + chain.pending
        parts.append(PartCheck(name, commit.count, max(total - commit.count, 0), problem))
    bad = [p for p in parts if p.problem]
    problem = "; ".join(f"{p.name}: {p.problem}" for p in bad) if bad else None
    return SealCheck(not bad, sealed_at, tuple(parts), problem)


def check_wallet(
    wallet: Wallet, sources: PassphraseSources, *, required: bool
) -> tuple[SealCheck, bool] | None:
    """Unlock from `sources` and run the keyed check, then extend the seal if it held.
    Returns the check and whether it resealed, or None when no source gives a passphrase
    and the check is not `required` (the caller reports the unkeyed check only)."""
    from keystore.errors import NoPassphrase

    try:
        secret = wallet.unlock(sources)
    except NoPassphrase:
        if required:
            raise
        return None
    result = check(wallet.home, wallet.name, secret)
    resealed = result.ok and on_unlock(wallet.home, wallet.name, secret, None)
    return result, resealed


def on_unlock(
    home: Home, wallet: str, secret: Secret, notify: Callable[[str], None] | None = None
) -> bool:
    """Seal the current heads if the old seal (if any) still holds; whether it wrote one.
    Never fails the command that unlocked: a read-only home or a busy lock just skips it."""
    try:
        return _reseal(home, wallet, secret, notify)
    except (OSError, WalletError):
        return False


def _reseal(home: Home, wallet: str, secret: Secret, notify: Callable[[str], None] | None) -> bool:
    from wallet_cli.store.atomic import write_atomic
    from wallet_cli.store.audit import record

    broken: str | None = None
    with home.lock():
        journals = _journals(home, wallet)
        heads = {name: journal.recover_locked() for name, journal in journals.items()}
        if _read(home, wallet) is not None:
            result = check(home, wallet, secret)
            broken = result.problem if not result.ok else None
        if broken is None:
            body: dict[str, Any] = {
                "version": VERSION,
                "wallet": wallet,
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                **{name: _commit_doc(commit) for name, commit in heads.items()},
            }
            body["mac"] = _mac(seal_key(secret, wallet), body)
            data = json.dumps(body, sort_keys=True).encode() + b"\n"
            write_atomic(home.wallet_dir(wallet) / SEAL_FILE, data)
    if broken is None:
        return True
    if notify is not None:
        notify(
            f"the keyed seal of wallet '{wallet}' does not hold ({broken}): the history or "
            "audit log was changed without the passphrase; the old seal is kept as evidence "
            "('wallet history --verify --unlock')"
        )
    with contextlib.suppress(OSError, WalletError):
        record(home, wallet, "seal-broken")
    return False
