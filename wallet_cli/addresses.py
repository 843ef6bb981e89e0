"""Addresses outside one wallet's public data: which account a network and script choose,
checking an address someone typed, and the payment URI a payer's wallet scans.

BIP-21 on Bitcoin networks (`bitcoin:ADDR?amount=`, in BTC), EIP-681 on EVM ones
(`ethereum:ADDR@CHAINID?value=`, in wei) and a Solana Pay transfer request on Solana ones
(`solana:ADDR?amount=`, in SOL). Nothing here needs a passphrase or a node.
"""

from __future__ import annotations

from chains.amounts import BTC_DECIMALS, BTC_UNITS, format_amount, parse_amount, units_for
from chains.base import Network
from chains.registry import adapter_for
from wallet_cli.errors import BadInput


def account_key(network: Network, script: str | None = None) -> str:
    """The wallet account ("evm", "btc:bitcoin:wpkh", ...) that addresses on `network` come
    from; `script` (wpkh, tr) picks a Bitcoin one and is refused on EVM networks."""
    return adapter_for(network.family).account_key(network, script)


def parse_address(network: Network, text: str) -> str:
    """`text` as an address of `network`, normalized (EIP-55 checksum, lower-case bech32);
    raises the chain's `InvalidAddress` for a typo, before anything else runs."""
    return adapter_for(network.family).parse_address(text, network)


def payment_uri(network: Network, address: str, amount: str | None = None) -> str:
    """The URI to receive `amount` (text such as 1.5, 20gwei, 1000sat, 5000lamports) at
    `address`."""
    if network.family == "btc":
        uri = f"bitcoin:{address}"
        if amount is not None:
            sats = parse_amount(amount, BTC_DECIMALS, units=BTC_UNITS)
            uri += f"?amount={format_amount(sats, BTC_DECIMALS)}"
        return uri
    if network.family == "evm":
        uri = f"ethereum:{address}"
        if network.chain_id is not None:
            uri += f"@{network.chain_id}"
        if amount is not None:
            uri += f"?value={parse_amount(amount, network.native.decimals)}"
        return uri
    if network.family == "sol":
        # Solana Pay (docs.solanapay.com/spec): the amount in SOL as a plain decimal, never
        # in lamports nor in scientific notation; 0.5 SOL is `amount=0.5`.
        uri = f"solana:{address}"
        if amount is not None:
            decimals = network.native.decimals
            lamports = parse_amount(amount, decimals, units=units_for(network.family))
            uri += f"?amount={format_amount(lamports, decimals)}"
        return uri
    raise BadInput(f"no payment URI for {network.family} networks")


def evm_address(text: str) -> str:
    """`text` as an EVM address with its EIP-55 checksum, where no network is chosen (a
    signature's claimed signer); raises `InvalidAddress` naming what is wrong."""
    from chains.evm.address import parse

    return parse(text)


def bitcoin_script(script: str | None) -> str:
    """The Bitcoin script type `--script` names: wpkh (BIP-84, the default) or tr (BIP-86)."""
    from chains.btc.networks import script_purpose

    return script_purpose(script)[0]
