"""Re-sealing a wallet's vault: a new passphrase (`wallet passwd`), and the second factor's
secret sealed in or out (`wallet 2fa`). A mixin of `Wallet` (wallet.py), which keeps to opening
and unlocking; both re-seal through `_reseal`, under the home lock, refusing a vault that
changed since it was unlocked."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from keystore import vault
from keystore.errors import WrongPassphrase
from keystore.kdf import Argon2idParams
from wallet_cli.errors import VaultChanged
from wallet_cli.store.atomic import write_atomic
from wallet_cli.store.home import Home

if TYPE_CHECKING:
    from wallet_cli.wallet import Wallet


class Rekeying:
    home: Home
    name: str
    _secret: vault.Secret | None
    _unlocked_vault: bytes
    _totp: str | None
    kdf: Argon2idParams | None

    def read_vault(self) -> vault.SealedVault:
        raise NotImplementedError  # Wallet's

    def _vault_bytes(self) -> bytes:
        raise NotImplementedError  # Wallet's

    def totp_secret(self) -> str | None:
        """The vault's TOTP secret, None without a second factor; only once unlocked."""
        if self._secret is None:
            raise WrongPassphrase(f"wallet '{self.name}' is locked")
        return self._totp

    def set_totp(self, totp: str | None, passphrase: str) -> None:
        """Re-seal with (or without) a TOTP secret; `passphrase` checked first: no re-keying."""
        vault.unseal(self.read_vault(), passphrase)
        old, self._totp = self._totp, totp
        try:
            self._reseal(passphrase, self.kdf, lower=True)
        except BaseException:
            self._totp = old
            raise

    def change_passphrase(
        self,
        new: str,
        kdf: Argon2idParams | None = None,
        *,
        lower: bool = False,
        code: str | None = None,
    ) -> Argon2idParams:
        """Re-seal the unlocked secret under `new`, replacing the vault atomically (lock held);
        a wallet with a second factor needs its current `code` (wallet_cli/second_factor.py).

        The cost is the stronger of the vault's current one and `kdf` (the default if None),
        so a fast-KDF config never silently weakens a vault; `lower` takes `kdf` as it is.
        Refuses if the vault changed since it was unlocked, so two concurrent changes never
        silently overwrite each other. Returns the cost the vault is now sealed with.
        """
        from wallet_cli.second_factor import require

        require(cast("Wallet", self), code)  # only Wallet derives from this mixin
        return self._reseal(new, kdf, lower=lower)

    def _reseal(self, new: str, kdf: Argon2idParams | None, *, lower: bool) -> Argon2idParams:
        secret = self._secret
        if secret is None:
            raise WrongPassphrase(f"wallet '{self.name}' must be unlocked first")
        wanted = kdf or Argon2idParams()
        with self.home.lock():
            data = self._vault_bytes()
            if data != self._unlocked_vault:
                raise VaultChanged(
                    f"the vault of wallet '{self.name}' changed since it was unlocked "
                    "(another process?); nothing was written, run the command again"
                )
            header = vault.parse(data, self.home.vault_path(self.name)).header
            cost = wanted if lower else header.kdf.stronger(wanted)
            sealed = vault.seal(
                secret,
                new,
                name=header.name,
                created_at=header.created_at,
                kdf=cost,
                totp=self._totp,
            )
            new_data = sealed.to_bytes()
            write_atomic(self.home.vault_path(self.name), new_data)
            self._unlocked_vault, self.kdf = new_data, sealed.header.kdf
        return sealed.header.kdf
