// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// ERC-20 with ERC-2612 permit, straight from OpenZeppelin Contracts 5.x, so the
// wallet's Permit decoding is tested against the implementation most tokens use.

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

contract PermitToken is ERC20, ERC20Permit {
    /// Mints `initialSupply` (18 decimals) to the deployer.
    constructor(uint256 initialSupply) ERC20("Permit Token", "PTK") ERC20Permit("Permit Token") {
        _mint(msg.sender, initialSupply);
    }
}
