"""public.json against the vault: the public record a secret gives (what restore writes and
what an upgrade adds), and the check that the record on disk is that one, before any key
signs what was built from it. Addresses come from public data, or from the seed for a family
with no public derivation (Solana's hardened-only ed25519)."""

from __future__ import annotations

from pathlib import Path

from chains.base import Account, ChainAdapter, Family, PublicAccount, SeedAddresses
from chains.registry import adapter_for
from keystore import vault
from keystore.secret import Ed25519Key, Mnemonic, PrivateKey
from wallet_cli.errors import PublicDataMismatch
from wallet_cli.store.public import ChainRecord, PublicRecord

INITIAL_ADDRESSES = 10
DEFAULT_FAMILIES: tuple[Family, ...] = ("evm", "btc", "sol")


def key_family(key: PrivateKey) -> Family:
    """The one family a single-key wallet has: its key's curve says which (vault kind)."""
    return "sol" if isinstance(key, Ed25519Key) else "evm"


def unlock_families(secret: vault.Secret, public: PublicRecord) -> set[Family]:
    """What `unlock` checks at once: a seed's EVM account (the others before their keys
    sign), or every record of a single-key wallet (no costly derivation there), so one
    that lists a family its key does not have is refused too."""
    if isinstance(secret, Mnemonic):
        return {"evm"}
    return {key_family(secret)} | {r.account.family for r in public.chains.values()}


def public_record(
    name: str,
    secret: vault.Secret,
    created_at: str,
    families: tuple[Family, ...] = DEFAULT_FAMILIES,
) -> PublicRecord:
    chains: dict[str, ChainRecord] = {}
    for family in families:
        adapter = adapter_for(family)
        if isinstance(secret, Mnemonic):
            from keystore.mnemonic import to_seed

            accounts = adapter.public_accounts(to_seed(secret), 0)
            initial = list(range(INITIAL_ADDRESSES))
        elif family == key_family(secret):
            accounts, initial = [adapter.public_account_for_key(secret)], [0]
        else:
            continue  # a single key is an account of its own curve's family only
        for account in accounts:
            derived = derive(adapter, account, secret, initial)
            record = ChainRecord(account, {a.index: a.address for a in derived})
            chains[account.account_key] = record
    return PublicRecord(name, vault.kind_of(secret), created_at, chains)


def derive(
    adapter: ChainAdapter, account: PublicAccount, secret: vault.Secret, indexes: list[int]
) -> list[Account]:
    """Addresses from public data, or from the seed for a family that has no public
    derivation (Solana's hardened-only ed25519)."""
    if isinstance(adapter, SeedAddresses) and isinstance(secret, Mnemonic) and account.path:
        from keystore.mnemonic import to_seed

        return adapter.seed_addresses(to_seed(secret), 0, indexes)
    return adapter.addresses(account, indexes)


def check_public(path: Path, public: PublicRecord, secret: vault.Secret, family: Family) -> None:
    """Raise `PublicDataMismatch` unless `public`'s `family` records are what `secret` gives."""
    expected = public_record(public.name, secret, public.created_at, (family,))
    remedy = (
        "restore the wallet from its mnemonic"
        if isinstance(secret, Mnemonic)
        else "import its key again"
    )
    for key, record in public.chains.items():
        if record.account.family != family:
            continue
        want = expected.chains.get(key)
        if want is None or want.account != record.account:
            raise PublicDataMismatch(
                f"{path} does not match the vault ({key} account); it was altered: {remedy}"
            )
        indexes = sorted(record.addresses)
        single = want.account.single_address is not None
        truth = [] if single else derive(adapter_for(family), want.account, secret, indexes)
        if (single and record.addresses != want.addresses) or any(
            record.addresses[a.index] != a.address for a in truth
        ):
            raise PublicDataMismatch(
                f"{path} lists an address the vault does not derive; it was altered: {remedy}"
            )
