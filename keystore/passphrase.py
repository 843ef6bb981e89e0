"""Where a keystore passphrase comes from, in the contract's order.

1. a file (its first line; the file must be private, as ssh demands of keys), 2. the
`WALLET_PASSPHRASE` environment variable (the weakest: other processes of the same user may
read it), 3. the OS keyring, only where the user turned it on, 4. a prompt, only when a
terminal is there. With none, `NoPassphrase` at once: a script must never hang waiting for
input that will not come.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from keystore.errors import KeyringUnavailable, NoPassphrase, UnreadableFile

ENV_VAR = "WALLET_PASSPHRASE"
KEYRING_SERVICE = "wallet"

Source = Literal["file", "env", "keyring", "prompt"]
Prompt = Callable[[], str]
Notice = Callable[[str], None]
BOM = "\ufeff"


@dataclass(frozen=True)
class Resolved:
    value: str
    source: Source


@dataclass(frozen=True)
class PassphraseSources:
    file: Path | None
    environ: Mapping[str, str]
    keyring_account: str | None = None
    prompt: Prompt | None = None
    notice: Notice | None = None  # told when the file's byte-order mark is removed


def resolve(sources: PassphraseSources, purpose: str) -> Resolved:
    if sources.file is not None:
        return Resolved(read_passphrase_file(sources.file, notice=sources.notice), "file")
    from_env = sources.environ.get(ENV_VAR)
    if from_env:
        return Resolved(from_env, "env")
    if sources.keyring_account is not None:
        try:
            stored = keyring_get(sources.keyring_account)
        except KeyringUnavailable:
            stored = None
        if stored:
            return Resolved(stored, "keyring")
    if sources.prompt is not None:
        return Resolved(sources.prompt(), "prompt")
    raise NoPassphrase(
        f"no passphrase for {purpose}: no terminal to prompt on; use --passphrase-file, "
        f"{ENV_VAR}, or the keyring"
    )


def read_passphrase_file(
    path: Path,
    what: str = "passphrase file",
    *,
    allow_empty: bool = False,
    notice: Notice | None = None,
) -> str:
    """The first line of a private file (mode 600, ours); at most 64 KiB of it is read.

    A UTF-8 byte-order mark (Windows Notepad writes one) is removed, never taken as part of
    the passphrase, and `notice` is told. An empty first line is refused unless
    `allow_empty` (a v3 key file may have the empty password).
    """
    from keystore.files import read_first_line

    value = read_first_line(path, what)
    if value.startswith(BOM):
        value = value[len(BOM) :]
        if notice is not None:
            notice(
                f"note: {what} {path} starts with a UTF-8 byte-order mark; it was removed and "
                "is not part of the passphrase"
            )
    if not value and not allow_empty:
        raise UnreadableFile(f"{what} {path} is empty")
    return value


def keyring_backend() -> tuple[bool, str]:
    """Whether a usable OS keyring is there, and its name, for `keyring status`."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # pragma: no cover - keyring is a declared dependency
        return False, "keyring package missing"
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return False, "none"
    try:
        priority = float(backend.priority)
    except Exception:
        return False, name
    return priority > 0, name


def keyring_get(account: str) -> str | None:
    keyring = _keyring_module()
    try:
        value = keyring.get_password(KEYRING_SERVICE, account)
    except Exception as exc:
        raise KeyringUnavailable(f"the OS keyring did not answer ({type(exc).__name__})") from None
    return value if isinstance(value, str) else None


def keyring_set(account: str, passphrase: str) -> None:
    keyring = _keyring_module()
    try:
        keyring.set_password(KEYRING_SERVICE, account, passphrase)
    except Exception as exc:
        raise KeyringUnavailable(
            f"the OS keyring refused to store the passphrase ({type(exc).__name__})"
        ) from None


def keyring_delete(account: str) -> bool:
    keyring = _keyring_module()
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, account)
    except PasswordDeleteError:
        return False
    except Exception as exc:
        raise KeyringUnavailable(f"the OS keyring did not answer ({type(exc).__name__})") from None
    return True


def _keyring_module() -> Any:
    available, name = keyring_backend()
    if not available:
        raise KeyringUnavailable(
            f"no OS keyring is available (backend: {name}); on Linux a Secret Service such as "
            "gnome-keyring must be running in this session"
        )
    import keyring

    return keyring
