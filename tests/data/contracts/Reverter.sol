// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Reverter
/// @notice Test-only contract that refuses every call and every ETH transfer.
/// @dev Both plain ETH sends (receive) and any calldata (fallback) revert with
///      Error("Reverter: no ether accepted"), so the wallet can test how it
///      surfaces a revert reason from eth_estimateGas / eth_call / a mined tx.
contract Reverter {
    receive() external payable {
        revert("Reverter: no ether accepted");
    }

    fallback() external payable {
        revert("Reverter: no ether accepted");
    }
}
