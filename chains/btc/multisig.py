"""m-of-n P2WSH multisig (BIP-48, script type 2'): cosigner keys, descriptors, signing keys.

A cosigner key is exchanged as `[fingerprint/48'/coin'/account'/2']xpub…` (tpub on test
networks), the form Sparrow, Electrum and Bitcoin Core import. The receive and change
descriptors are `wsh(sortedmulti(k, KEY/0/*, …))` and `…/1/*`, keys written in sorted order
so every cosigner who gives the same keys (in any order) gets the same descriptor text and
checksum (bdk computes it, BIP-380). This wallet signs with the same descriptors in which its
own key carries its private form: bdk signs by the PSBT's BIP-32 derivations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chains.bip32 import (
    HARDENED,
    TESTNET_XPRV_VERSION,
    TESTNET_XPUB_VERSION,
    XPRV_VERSION,
    XPUB_VERSION,
    ExtendedPrivateKey,
    ExtendedPublicKey,
    parse_extended_key,
)
from chains.btc.networks import BitcoinNetwork
from chains.errors import ChainError
from keystore.secret import Seed

PURPOSE = 48
SCRIPT_TYPE = 2  # BIP-48: 2' is native segwit P2WSH
MAX_KEYS = 15  # the P2WSH standardness limit of CHECKMULTISIG keys
_KEY = re.compile(r"\[([0-9a-fA-F]{8})((?:/[0-9]{1,10}['hH]?){4})\]([1-9A-HJ-NP-Za-km-z]{100,120})")


class InvalidMultisig(ChainError):
    """A cosigner key, threshold or key set that cannot make this multisig."""

    code = "invalid-multisig"
    kind = "input"


class NotThisMultisig(ChainError):
    """A PSBT input spends no coin of the multisig named: nothing is signed."""

    code = "not-this-multisig"
    kind = "input"


@dataclass(frozen=True)
class CosignerKey:
    fingerprint: str  # the cosigner's master key fingerprint, 8 lowercase hex digits
    path: tuple[int, ...]  # 48'/coin'/account'/2' as numbers (hardened bit set)
    xpub: str

    def text(self) -> str:
        steps = "".join(f"/{n - HARDENED}'" if n >= HARDENED else f"/{n}" for n in self.path)
        return f"[{self.fingerprint}{steps}]{self.xpub}"


def account_path(network: BitcoinNetwork, account: int = 0) -> tuple[int, ...]:
    return tuple(n + HARDENED for n in (PURPOSE, network.coin_type, account, SCRIPT_TYPE))


def _node(seed: Seed, network: BitcoinNetwork) -> tuple[ExtendedPrivateKey, str]:
    root = ExtendedPrivateKey.from_seed(seed.reveal())
    return root.derive(account_path(network)), root.fingerprint().hex()


def own_key(seed: Seed, network: BitcoinNetwork) -> CosignerKey:
    """This seed's BIP-48 key m/48'/coin'/0'/2' with its origin."""
    node, fingerprint = _node(seed, network)
    version = XPUB_VERSION if network.mainnet else TESTNET_XPUB_VERSION
    return CosignerKey(fingerprint, account_path(network), node.neuter().serialize(version))


def parse_key(text: str, network: BitcoinNetwork) -> CosignerKey:
    """`[fp/48'/coin'/n'/2']xpub` for `network` (xpub on mainnet, tpub elsewhere), its
    depth matching the origin; anything else is refused, naming the part that is wrong."""
    shown = text.strip()[:160]
    match = _KEY.fullmatch(text.strip())
    if match is None:
        raise InvalidMultisig(
            f"cosigner key {shown!r} is not [fingerprint/48'/coin'/account'/2']xpub…"
        )
    fingerprint, steps, xpub = match.groups()
    path = tuple(
        int(s.rstrip("'hH")) + (HARDENED if s[-1] in "'hH" else 0) for s in steps.split("/")[1:]
    )
    if any(n < HARDENED for n in path) or any(n - HARDENED >= HARDENED for n in path):
        raise InvalidMultisig(f"cosigner key {shown!r}: every origin step must be hardened")
    purpose, coin, _, script = (n - HARDENED for n in path)
    if purpose != PURPOSE or script != SCRIPT_TYPE:
        raise InvalidMultisig(
            f"cosigner key {shown!r}: the origin is not BIP-48 P2WSH (48'/coin'/account'/2')"
        )
    try:
        node = parse_extended_key(xpub)
    except Exception:
        raise InvalidMultisig(
            f"cosigner key {shown!r}: the xpub does not decode (SLIP-132 Zpub/Vpub forms "
            "are not taken: give the xpub/tpub form)"
        ) from None
    if not isinstance(node, ExtendedPublicKey):
        raise InvalidMultisig(
            f"cosigner key {shown!r} is a private key: exchange only the public key"
        )
    mainnet_key = xpub.startswith("xpub")
    if mainnet_key != network.mainnet or coin != network.coin_type:
        raise InvalidMultisig(
            f"cosigner key {shown!r} is for {'mainnet' if mainnet_key else 'a test network'} "
            f"(coin {coin}'), not {network.name}"
        )
    if node.depth != len(path):
        raise InvalidMultisig(
            f"cosigner key {shown!r}: the xpub is at depth {node.depth}, not {len(path)}"
        )
    return CosignerKey(fingerprint.lower(), path, xpub)


def key_set(keys: Sequence[CosignerKey], threshold: int) -> list[CosignerKey]:
    """The members, sorted by their text; refused: duplicates (the same xpub, or the same
    origin), a threshold outside 1..n, more than 15 keys."""
    if len({_public(k.xpub) for k in keys}) != len(keys):
        raise InvalidMultisig("a cosigner key is given twice (the same xpub)")
    if len({(k.fingerprint, k.path) for k in keys}) != len(keys):
        raise InvalidMultisig("two cosigner keys claim the same origin (fingerprint and path)")
    if not 1 <= len(keys) <= MAX_KEYS:
        raise InvalidMultisig(f"a multisig has 1 to {MAX_KEYS} keys, not {len(keys)}")
    if not 1 <= threshold <= len(keys):
        raise InvalidMultisig(
            f"threshold {threshold} is outside 1..{len(keys)} (the number of keys)"
        )
    return sorted(keys, key=lambda k: k.text())


def _public(xpub: str) -> bytes:
    node = parse_extended_key(xpub)
    if not isinstance(node, ExtendedPublicKey):
        raise InvalidMultisig("a cosigner key is private: exchange only public keys")
    return node.public_key


def descriptors(threshold: int, keys: Sequence[str], network: BitcoinNetwork) -> tuple[str, str]:
    """(receive, change) `wsh(sortedmulti(…))` with checksums, keys in the order given."""
    import bdkpython

    pair = []
    for chain in (0, 1):
        members = ",".join(f"{key}/{chain}/*" for key in keys)
        try:
            descriptor = bdkpython.Descriptor(
                f"wsh(sortedmulti({threshold},{members}))", network.bdk_kind()
            )
        except Exception as exc:
            raise InvalidMultisig(f"bdk refuses the descriptor: {exc}"[:300]) from None
        pair.append(descriptor.to_string_with_secret())
    return pair[0], pair[1]


def addresses(pair: tuple[str, str], network: BitcoinNetwork, count: int) -> list[str]:
    import bdkpython

    descriptor = bdkpython.Descriptor(pair[0], network.bdk_kind())
    return [str(descriptor.derive_address(i, network.bdk())) for i in range(count)]


def signing_descriptors(
    seed: Seed, network: BitcoinNetwork, threshold: int, keys: Sequence[str]
) -> tuple[str, str]:
    """The multisig's descriptors with this seed's key in its private form, written first
    (chains.btc.psbt_sign takes the first origin's fingerprint as the signer's). Raises
    `InvalidMultisig` if this seed's key is not a member."""
    mine = own_key(seed, network)
    if mine.text() not in keys:
        raise InvalidMultisig("this wallet's BIP-48 key is not one of this multisig's keys")
    node, fingerprint = _node(seed, network)
    version = XPRV_VERSION if network.mainnet else TESTNET_XPRV_VERSION
    private = CosignerKey(fingerprint, mine.path, node.serialize(version)).text()
    others = [k for k in keys if k != mine.text()]
    return descriptors(threshold, [private, *others], network)


def signed_vsize(psbt: Any, receive: str, network: BitcoinNetwork, inputs: int) -> int:
    """The transaction's vsize once `inputs` multisig inputs carry their witnesses (the
    descriptor's largest satisfaction, as bdk sizes fees), for a fee rate that is shown."""
    import bdkpython

    weight = int(bdkpython.Descriptor(receive, network.bdk_kind()).max_weight_to_satisfy())
    unsigned = int(psbt.extract_tx_unchecked_fee_rate().vsize())
    return unsigned + (inputs * weight + 2 + 3) // 4
