"""What a wallet does, as methods of `Wallet`: send, batch, balance, messages, check, PSBTs.

A mixin so that wallet.py keeps to opening, unlocking and re-keying; each method only
delegates to the module that does the work (imported when called, so opening a wallet
loads no chain library). Nothing here prints or prompts: screening warnings go to the
`confirm` callback (default: refuse), a preview to `show`. `unlock` is a passphrase, a
`PassphraseSources` (file, environment, keyring, prompt) or a callable that unlocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from chains.base import Network, Preview
    from keystore.passphrase import PassphraseSources
    from wallet_cli.balances import Balance
    from wallet_cli.batch_report import BatchRun
    from wallet_cli.messages import MessageSignature, ShowAndConfirm
    from wallet_cli.psbts import PsbtResult
    from wallet_cli.screening import Report
    from wallet_cli.store.config import Config
    from wallet_cli.transfer import SendRequest, SendResult
    from wallet_cli.wallet import Wallet

    Unlocking = str | PassphraseSources | Callable[[], object]
    Confirm = Callable[[Report, Preview], bool]


def refuse(report: Report, preview: Preview) -> bool:
    """The default answer to a screening warning: no (a script cannot be asked)."""
    return False


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


class Operations:
    """The library API beyond keys: every method raises a `WalletError`/`ChainError`
    subclass with a `code`, a `kind` and a one-line `message` (see docs/library.md)."""

    @property
    def _wallet(self) -> Wallet:
        return cast("Wallet", self)  # only Wallet derives from this mixin

    def _unlocker(self, unlock: Unlocking) -> Callable[[], object]:
        if callable(unlock):
            return unlock
        return lambda: self._wallet.unlock(unlock)

    def send(
        self,
        network: Network,
        config: Config,
        request: SendRequest,
        *,
        unlock: Unlocking,
        confirm: Confirm = refuse,
        show: Callable[[Preview, Report], None] | None = None,
    ) -> SendResult:
        """Screen `request.to`, then sign, record, broadcast and (with `request.wait`) await
        one transfer, on any chain (Bitcoin: `fee_rate`, `utxos`, `script`; EVM: gas and fee
        fields). `show` sees the preview before the passphrase is used. Raises
        `ScreeningBlocked`/`ScreeningNotConfirmed` (nothing signed), `BadInput`,
        `UnknownToken`, `FeeAboveCeiling`, `WrongPassphrase`, `NodeUnreachable`, `ChainIdMismatch`;
        a transaction that reverted is a result with `status == "failed"`, not an error."""
        from wallet_cli.transfer import send

        options: dict[str, Any] = {} if show is None else {"show": show}
        return send(
            self._wallet, network, config, request, unlock=self._unlocker(unlock), confirm=confirm,
            **options,
        )  # fmt: skip

    def batch(
        self,
        network: Network,
        config: Config,
        path: Path,
        *,
        unlock: Unlocking,
        confirm: Confirm = refuse,
        index: int = 0,
        progress: Callable[[str, int, int], None] = _no_progress,
        **options: Any,
    ) -> BatchRun:
        """Run the batch file at `path` (CSV: to, amount[, token]) from address `index`:
        every row screened before any is signed, each paid once even across re-runs.
        `options` are `wallet_cli.batch.run_batch`'s (allow, wait, timeout, run_id, dry_run,
        approve, fees). Raises what `send` raises, plus `BadBatchFile` for a bad file."""
        from wallet_cli.batch import run_batch

        return run_batch(
            self._wallet, network, config, path, index=index, unlock=self._unlocker(unlock),
            confirm=confirm, progress=progress, **options,
        )  # fmt: skip

    def balance(
        self,
        network: Network,
        config: Config,
        address: str | None = None,
        token: str | None = None,
        index: int = 0,
        script: str | None = None,
    ) -> Balance:
        """The balance of `address` (default: this wallet's address `index`; on Bitcoin the
        whole account, from its synced store) in the native coin or `token` (symbol from
        config or contract).
        Raises `InvalidAddress`, `UnknownToken`, `NodeUnreachable`, `ChainIdMismatch`."""
        from wallet_cli.balances import balance

        return balance(self._wallet, network, config, address, token, index, script)

    def check(
        self, network: Network, config: Config, address: str, offline: bool = False
    ) -> Report:
        """Screen `address` as a destination from this wallet, without signing anything:
        the report's `verdict` is `ok`, `info`, `warn` or `block` (`wallet check` exits 0,
        0, 5, 3). `offline` skips the node's contract lookup. Raises `InvalidAddress`."""
        from wallet_cli.checks import check

        return check(
            self._wallet.home, config, network, self._wallet, address, offline=offline
        ).report

    def sign_message(
        self,
        message: bytes,
        *,
        unlock: Unlocking,
        index: int = 0,
        family: str = "evm",
        network: Network | None = None,
        config: Config | None = None,
        confirm: Confirm = refuse,
        allow: frozenset[str] = frozenset(),
    ) -> MessageSignature:
        """An EIP-191 personal-message signature (as `personal_sign`) by address `index`;
        with `family` "sol", ed25519 over the bytes (base58). A message that is a bare hash
        (`blind-signing`) or a transaction or typed data in disguise (`disguised-message`)
        warns: `confirm` decides, by default no; with `network` and `config`, the addresses a
        disguised one names are screened too. Raises `WrongPassphrase`, `InvalidIndex`,
        `ScreeningBlocked`, `ScreeningNotConfirmed`."""
        from wallet_cli.messages import sign_personal

        return sign_personal(
            self._wallet, index, message, self._unlocker(unlock), family, network=network,
            config=config, confirm=confirm, allow=allow,
        )  # fmt: skip

    @staticmethod
    def verify_message(address: str, message: bytes, signature: str) -> tuple[bool, str]:
        """Whether `address` signed `message` (EIP-191), and the address the signature
        recovers to. Raises `InvalidSignature` for a malformed signature."""
        from wallet_cli.messages import verify_personal

        return verify_personal(address, message, signature)

    def sign_typed_data(
        self,
        network: Network,
        config: Config,
        document: dict[str, Any],
        *,
        unlock: Unlocking,
        show_and_confirm: ShowAndConfirm,
        confirm: Confirm = refuse,
        index: int = 0,
        allow: frozenset[str] = frozenset(),
    ) -> MessageSignature:
        """An EIP-712 signature of `document`, after its verifying contract is screened like
        a destination and `show_and_confirm` accepted the summary. Raises `InvalidTypedData`,
        `ScreeningBlocked`, `NotConfirmed`, `WrongPassphrase`; nothing is signed on any."""
        from wallet_cli.messages import sign_typed

        return sign_typed(
            self._wallet, network, config, index, document, unlock=self._unlocker(unlock),
            confirm=confirm, show_and_confirm=show_and_confirm, allow=allow,
        )  # fmt: skip

    def receive_address(self, network: Network, index: int = 0, script: str | None = None) -> str:
        """The address `index` to receive on (Bitcoin: `script` "wpkh" or "tr"), from the
        public data, no passphrase. Raises `InvalidIndex`, `UnsupportedChain`."""
        from chains.registry import adapter_for

        key = adapter_for(network.family).account_key(network, script)
        return self._wallet.addresses(key, [index])[0].address

    def psbt_create(
        self,
        network: Network,
        config: Config,
        to: str,
        amount: str | int,
        *,
        utxos: Sequence[str] = (),
        fee_rate: int | None = None,
        allow: frozenset[str] = frozenset(),
        confirm: Confirm = refuse,
    ) -> PsbtResult:
        """An unsigned, screened PSBT paying `amount` (sat, or "0.001"/"1500sat") to `to`
        from this wallet's coins or the given `utxos`; write it with `wallet_cli.psbts.write`.
        Raises `BadInput` (no coins, fee rate), `FeeAboveCeiling`, the screening errors."""
        from wallet_cli import psbts

        return psbts.create(
            self._wallet, network, config, to, amount, utxos=utxos, fee_rate=fee_rate, allow=allow,
            confirm=confirm,
        )  # fmt: skip

    def psbt_show(self, network: Network, config: Config, data: str | bytes) -> PsbtResult:
        """A PSBT (base64 or binary) explained: inputs and outputs, which are ours, the fee,
        and the screening of foreign outputs (reported, never raised). Raises `InvalidPsbt`."""
        from wallet_cli import psbts

        return psbts.show(self._wallet, network, config, data)

    def psbt_sign(
        self,
        network: Network,
        config: Config,
        data: str | bytes,
        *,
        unlock: Unlocking,
        allow: frozenset[str] = frozenset(),
        confirm: Confirm = refuse,
    ) -> PsbtResult:
        """Screen the foreign outputs, unlock, sign the inputs this wallet owns (the seed
        stays in the library). Raises `NothingSigned`, `UnsignedInputs`, `InvalidPsbt` (an
        unsafe sighash), the screening errors, `WrongPassphrase`; nothing is signed on any."""
        from wallet_cli import psbts

        return psbts.sign(
            self._wallet, network, config, data, unlock=self._unlocker(unlock), allow=allow,
            confirm=confirm,
        )  # fmt: skip

    @staticmethod
    def psbt_combine(first: str | bytes, second: str | bytes) -> Any:
        """Two copies of one PSBT merged with both sets of signatures. Raises `InvalidPsbt`."""
        from wallet_cli import psbts

        return psbts.combine(first, second)

    @staticmethod
    def psbt_finalize(data: str | bytes) -> str:
        """The fully signed PSBT's raw transaction (hex). Raises `InvalidPsbt`."""
        from wallet_cli import psbts

        return psbts.finalize(data)

    @staticmethod
    def psbt_broadcast(network: Network, data: str | bytes) -> str:
        """Finalize and broadcast through the network's backend; the txid.
        Raises `InvalidPsbt`, `NodeUnreachable`."""
        from wallet_cli import psbts

        return psbts.broadcast(network, data)
