"""The library API: open a home, create or open a wallet, list addresses, unlock, re-key.

Scripts import this instead of shelling out (docs/library.md); the CLI is a thin layer over
it. Nothing here prompts or prints: passphrases arrive as strings or as `PassphraseSources`
whose prompt is a callback the caller supplies, and what a person should hear (a vault sealed
below the default KDF cost) goes to the `notify` callback. A wallet unlocks at most once per object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chains.base import Account, Family, SeedAddresses
from chains.registry import adapter_for
from keystore import vault
from keystore.errors import WrongPassphrase
from keystore.files import KEYSTORE_LIMIT, read_limited
from keystore.hardening import disable_core_dumps
from keystore.kdf import Argon2idParams
from keystore.passphrase import PassphraseSources, resolve
from keystore.secret import Mnemonic, PrivateKey
from wallet_cli import attempts
from wallet_cli.errors import (
    BadInput,
    HomeUnusable,
    InvalidIndex,
    WalletAmbiguous,
    WalletExists,
    WalletNotFound,
)
from wallet_cli.operations import Operations
from wallet_cli.public_check import (
    DEFAULT_FAMILIES,
    check_public,
    key_family,
    public_record,
    unlock_families,
)
from wallet_cli.rekeying import Rekeying
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.config import Config
from wallet_cli.store.home import Home, validate_name
from wallet_cli.store.permissions import check_dir, check_file
from wallet_cli.store.public import ChainRecord, PublicRecord

MAX_INDEX = 2**31 - 1
MAX_COUNT = 10_000


def select_name(home: Home, config: Config, requested: str | None) -> str:
    """The wallet a command acts on: the one named, the only one, or the configured default."""
    if requested:
        return validate_name(requested)
    names = home.wallet_names()
    if len(names) == 1:
        return names[0]
    if config.default_wallet and config.default_wallet in names:
        return config.default_wallet
    if not names:
        raise WalletNotFound(
            f"no wallet in {home.root}; create one with 'wallet init' or 'wallet restore'"
        )
    raise WalletAmbiguous(
        f"{len(names)} wallets in this home ({', '.join(names)}) and no default: pick one "
        f"with --wallet NAME, or make one the default with 'wallet use NAME'"
    )


def keyring_account(home: Home, name: str) -> str:
    return f"{home.root}:{name}"


@dataclass
class Wallet(Rekeying, Operations):
    """One wallet of a home: its public data always, its secret once unlocked. The
    operations (send, batch, balance, check, messages, PSBTs) come from `Operations`, the
    re-keying (passphrase, second factor) from `Rekeying`."""

    home: Home
    name: str
    public: PublicRecord
    _secret: vault.Secret | None = field(default=None, repr=False)
    _unlocked_vault: bytes = field(default=b"", repr=False)
    _totp: str | None = field(default=None, repr=False)  # the second factor's secret
    _verified: set[str] = field(default_factory=set, repr=False)  # families checked
    _sealed: bool = field(default=False, repr=False)  # history sealed by this unlock
    # The unlocked vault's KDF cost, and where to say that it is below the default.
    kdf: Argon2idParams | None = field(default=None, repr=False)
    notify: Callable[[str], None] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, home: Home, name: str) -> Wallet:
        folder = home.wallet_dir(name)
        if not (folder / "vault.json").exists():
            known = ", ".join(home.wallet_names()) or "none"
            raise WalletNotFound(f"no wallet named {name!r} in {home.root} (wallets: {known})")
        home.check_permissions()
        check_dir(folder, ours=True, notice=home.notice)
        check_file(home.vault_path(name))
        check_file(home.public_path(name))
        return cls(home, name, PublicRecord.read(home.public_path(name)))

    @classmethod
    def create(
        cls,
        home: Home,
        name: str,
        secret: Mnemonic | PrivateKey,
        passphrase: str,
        *,
        kdf: Argon2idParams | None = None,
    ) -> Wallet:
        """Seal `secret` and write the wallet folder whole; `WalletExists` if the name is taken."""
        disable_core_dumps()  # a script holding this secret must not leave it in a core file
        validate_name(name)
        home.ensure()
        if home.wallet_dir(name).exists():
            raise WalletExists(f"a wallet named {name!r} already exists in {home.root}")
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        public = public_record(name, secret, created_at)
        sealed = vault.seal(secret, passphrase, name=name, created_at=created_at, kdf=kdf)
        with home.lock():
            home.create_wallet_dir(
                name, {"vault.json": sealed.to_bytes(), "public.json": public.to_bytes()}
            )
        return cls(home, name, public, secret)

    @property
    def kind(self) -> str:
        return self.public.kind

    def chain(self, key: str) -> ChainRecord:
        record = self.public.chains.get(key)
        if record is None:
            single = {"key": "a single imported EVM key", "sol-key": "a single Solana key"}
            what = (
                f"{single[self.kind]} has none"
                if self.kind in single
                else "made before that chain: any command that unlocks it adds the account, "
                "e.g. 'wallet address --unlock'"
            )
            raise HomeUnusable(
                f"wallet {self.name!r} has no {key} account in its public data ({what})"
            )
        return record

    def addresses(self, family: str, indexes: Sequence[int]) -> list[Account]:
        """Addresses by index of an account ("evm", "btc:bitcoin:wpkh", ...), from public
        data; new ones are derived and cached."""
        for index in indexes:
            if not 0 <= index <= MAX_INDEX:
                raise InvalidIndex(f"address index {index} is outside 0 to {MAX_INDEX}")
        record = self.chain(family)
        single = record.account.xpub is None and record.account.path is None
        if single and any(i != 0 for i in indexes):
            raise InvalidIndex(f"wallet {self.name!r} holds a single key: its only index is 0")
        cached = self.public.cached(family, list(indexes))
        if cached is not None:
            return cached
        derived = adapter_for(record.account.family).addresses(record.account, list(indexes))
        self._cache(family, derived)
        return derived

    def _cache(self, family: str, accounts: list[Account]) -> None:
        """Remember derived addresses; a read-only home just means no cache."""
        try:
            with self.home.lock():
                fresh = PublicRecord.read(self.home.public_path(self.name))
                fresh.chains[family].addresses.update({a.index: a.address for a in accounts})
                write_atomic(self.home.public_path(self.name), fresh.to_bytes())
                self.public = fresh
        except OSError:
            self.chain(family).addresses.update({a.index: a.address for a in accounts})

    def _vault_bytes(self) -> bytes:
        """A vault is about 1 KiB; a bigger one is not ours (read at most 64 KiB of it)."""
        return read_limited(self.home.vault_path(self.name), KEYSTORE_LIMIT, "vault file")

    def read_vault(self) -> vault.SealedVault:
        return vault.parse(self._vault_bytes(), self.home.vault_path(self.name))

    def unlock(self, passphrase: str | PassphraseSources) -> vault.Secret:
        """Decrypt once per process and check public.json's EVM account (a single key's
        every record) against what the vault derives (other families' records are checked by
        `verify_public` before their keys are handed out: a Bitcoin account's descriptors
        cost bdk a tenth of a second). Core dumps are turned off first, for scripts as for
        the CLI. Failures are counted, with a growing wait, and audited (attempts.py)."""
        if self._secret is not None:
            return self._secret
        disable_core_dumps()
        attempts.check(self.home, self.name, "passphrase")
        data = self._vault_bytes()
        sealed = vault.parse(data, self.home.vault_path(self.name))
        try:
            if isinstance(passphrase, str):
                opened = vault.unseal_all(sealed, passphrase)
            else:
                opened = self._unseal_from(sealed, passphrase)
        except WrongPassphrase:
            attempts.unlock_failed(self.home, self.name)
            raise
        secret, self._totp = opened.secret, opened.totp
        families = unlock_families(secret, self.public)
        for family in sorted(families):
            self._verify_public(secret, family)
        self._secret, self._unlocked_vault = secret, data
        self._verified = set(families)
        self._add_missing_families(secret)
        self.kdf = sealed.header.kdf
        attempts.unlocked(self.home, self.name)
        self._note_weak_kdf()
        return secret

    def _add_missing_families(self, secret: vault.Secret) -> None:
        """A wallet made before a family existed (public.json without a Solana account)
        gains that family's accounts now, written atomically under the lock: no restore."""
        if not isinstance(secret, Mnemonic):
            return
        missing = tuple(
            f
            for f in DEFAULT_FAMILIES
            if not any(r.account.family == f for r in self.public.chains.values())
        )
        if not missing:
            return
        added = public_record(self.name, secret, self.public.created_at, missing).chains
        try:
            with self.home.lock():
                fresh = PublicRecord.read(self.home.public_path(self.name))
                for key, record in added.items():
                    fresh.chains.setdefault(key, record)
                write_atomic(self.home.public_path(self.name), fresh.to_bytes())
                self.public = fresh
        except OSError:
            for key, record in added.items():
                self.public.chains.setdefault(key, record)
        # Not marked verified: another process may have written these records first, so
        # `verify_public` still checks them before any of their keys sign.

    def seed_addresses(self, family: str, indexes: Sequence[int]) -> list[Account]:
        """Addresses of a seed-only family (Solana) beyond the cache: derived from the
        unlocked secret and cached in public.json, so later calls need no passphrase."""
        secret = self._secret
        if secret is None:
            raise WrongPassphrase(f"wallet '{self.name}' is locked")
        record = self.chain(family)
        adapter = adapter_for(record.account.family)
        if not isinstance(secret, Mnemonic) or not isinstance(adapter, SeedAddresses):
            return self.addresses(family, indexes)
        from keystore.mnemonic import to_seed

        self.verify_public(record.account.family)
        derived = adapter.seed_addresses(to_seed(secret), 0, list(indexes))
        self._cache(family, derived)
        return derived

    def _note_weak_kdf(self) -> None:
        if self.kdf is None or not self.kdf.below_default() or self.notify is None:
            return
        self.notify(
            f"wallet '{self.name}' is sealed below the default KDF cost ({self.kdf.describe()}; "
            f"default {Argon2idParams().describe()}): 'wallet passwd' without a lowering "
            "[vault] in config.toml raises it"
        )

    def _unseal_from(self, sealed: vault.SealedVault, sources: PassphraseSources) -> vault.Unsealed:
        resolved = resolve(sources, f"wallet '{self.name}'")
        try:
            return vault.unseal_all(sealed, resolved.value)
        except WrongPassphrase:
            if resolved.source != "keyring":
                raise
            if sources.prompt is None:
                raise WrongPassphrase(
                    f"the passphrase the OS keyring holds for wallet '{self.name}' is wrong; "
                    "run 'wallet keyring enable' again"
                ) from None
            return vault.unseal_all(sealed, sources.prompt())

    def verify_public(self, family: Family) -> None:
        """Check public.json's `family` records against the unlocked vault, once per process,
        before that family's keys sign anything built from them (Bitcoin change goes to the
        public descriptors). Raises `PublicDataMismatch`, or `WrongPassphrase` if locked."""
        if self._secret is None:
            raise WrongPassphrase(f"wallet '{self.name}' is locked")
        if family not in self._verified:
            self._verify_public(self._secret, family)
            self._verified.add(family)

    def _verify_public(self, secret: vault.Secret, family: Family) -> None:
        check_public(self.home.public_path(self.name), self.public, secret, family)

    def is_unlocked(self) -> bool:
        return self._secret is not None

    def unlocked_secret(self) -> vault.Secret | None:
        """The secret if `unlock` ran, else None: for library code that derives keys (so a
        freeze stops it: `WalletFrozen`)."""
        if self._secret is not None:
            self._keys_leave()
        return self._secret

    def _keys_leave(self) -> None:
        """Every key access passes here: the owner's freeze stops it (wallet_cli/freeze.py),
        and the first one seals the history and audit heads (wallet_cli/store/seal.py)."""
        from wallet_cli import freeze
        from wallet_cli.store import seal

        freeze.check(self.home, self.name)
        if not self._sealed and self._secret is not None:
            self._sealed = True
            seal.on_unlock(self.home, self.name, self._secret, self.notify)

    def private_key(self, family: Family, index: int) -> PrivateKey:
        secret = self._secret
        if secret is None:
            raise WrongPassphrase(f"wallet '{self.name}' is locked")
        self._keys_leave()
        if isinstance(secret, PrivateKey):
            if family != key_family(secret):
                names = {"evm": "EVM", "btc": "Bitcoin", "sol": "Solana"}
                raise BadInput(
                    f"wallet {self.name!r} holds a single {names[key_family(secret)]} key: "
                    f"it has no {names.get(family, family)} account"
                )
            if index != 0:
                raise InvalidIndex(f"wallet {self.name!r} holds a single key: its only index is 0")
            return secret
        from keystore.mnemonic import to_seed

        self.verify_public(family)
        return adapter_for(family).private_key(to_seed(secret), 0, index)
