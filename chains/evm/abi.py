"""The few ABI encodings the wallet needs: ERC-20 calls and Solidity revert reasons."""

from __future__ import annotations

from chains.errors import RpcError

SELECTOR_TRANSFER = bytes.fromhex("a9059cbb")  # transfer(address,uint256)
SELECTOR_BALANCE_OF = bytes.fromhex("70a08231")  # balanceOf(address)
SELECTOR_DECIMALS = bytes.fromhex("313ce567")  # decimals()
SELECTOR_SYMBOL = bytes.fromhex("95d89b41")  # symbol()
SELECTOR_ERROR = bytes.fromhex("08c379a0")  # Error(string)
SELECTOR_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def address_word(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def transfer_call(to: str, amount: int) -> bytes:
    return SELECTOR_TRANSFER + address_word(to) + word(amount)


def balance_of_call(owner: str) -> bytes:
    return SELECTOR_BALANCE_OF + address_word(owner)


def decode_uint(data: bytes) -> int:
    if len(data) < 32:
        raise RpcError("the contract returned too little data for a uint256")
    return int.from_bytes(data[:32], "big")


def decode_string(data: bytes) -> str:
    """An ABI `string` return value; some old tokens return bytes32 instead."""
    if len(data) == 32:
        return data.rstrip(b"\0").decode("utf-8", "replace")
    if len(data) < 64:
        raise RpcError("the contract returned malformed string data")
    offset = int.from_bytes(data[:32], "big")
    length = int.from_bytes(data[offset : offset + 32], "big")
    return data[offset + 32 : offset + 32 + length].decode("utf-8", "replace")


def revert_reason(data: bytes) -> str | None:
    """The reason in `Error(string)` or `Panic(uint256)` revert data, if any."""
    if data[:4] == SELECTOR_ERROR:
        try:
            return decode_string(data[4:])
        except RpcError:
            return None
    if data[:4] == SELECTOR_PANIC and len(data) >= 36:
        return f"panic 0x{int.from_bytes(data[4:36], 'big'):02x}"
    return None
