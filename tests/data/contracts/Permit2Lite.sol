// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A small stand-in for Uniswap's Permit2, written for tests. It checks PermitSingle,
// PermitBatch and PermitTransferFrom signatures the way Permit2 does: the same EIP-712
// domain (name "Permit2", chainId, verifyingContract; no version), the same type strings,
// the same nonce rules (an ordered nonce per owner/token/spender for allowances, an
// unordered bitmap nonce per owner for signature transfers), and the same function
// signatures, so calldata and signatures made for Permit2 work here unchanged.
// Not audited, not for any real chain.

interface IERC20Minimal {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

interface IERC1271 {
    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4);
}

contract Permit2Lite {
    struct PermitDetails {
        address token;
        uint160 amount;
        uint48 expiration;
        uint48 nonce;
    }

    struct PermitSingle {
        PermitDetails details;
        address spender;
        uint256 sigDeadline;
    }

    struct PermitBatch {
        PermitDetails[] details;
        address spender;
        uint256 sigDeadline;
    }

    struct PackedAllowance {
        uint160 amount;
        uint48 expiration;
        uint48 nonce;
    }

    struct TokenSpenderPair {
        address token;
        address spender;
    }

    struct TokenPermissions {
        address token;
        uint256 amount;
    }

    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }

    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    bytes32 private constant _PERMIT_DETAILS_TYPEHASH =
        keccak256("PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)");
    bytes32 private constant _PERMIT_SINGLE_TYPEHASH = keccak256(
        "PermitSingle(PermitDetails details,address spender,uint256 sigDeadline)"
        "PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
    );
    bytes32 private constant _PERMIT_BATCH_TYPEHASH = keccak256(
        "PermitBatch(PermitDetails[] details,address spender,uint256 sigDeadline)"
        "PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
    );
    bytes32 private constant _TOKEN_PERMISSIONS_TYPEHASH = keccak256("TokenPermissions(address token,uint256 amount)");
    bytes32 private constant _PERMIT_TRANSFER_FROM_TYPEHASH = keccak256(
        "PermitTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline)"
        "TokenPermissions(address token,uint256 amount)"
    );
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)");
    bytes32 private constant _HASHED_NAME = keccak256("Permit2");
    bytes32 private constant _UPPER_BIT_MASK = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;

    /// owner => token => spender => allowance (amount, expiration, next nonce)
    mapping(address => mapping(address => mapping(address => PackedAllowance))) public allowance;
    /// owner => word position => bitmap of used unordered nonces
    mapping(address => mapping(uint256 => uint256)) public nonceBitmap;

    error SignatureExpired(uint256 signatureDeadline);
    error InvalidNonce();
    error AllowanceExpired(uint256 deadline);
    error InsufficientAllowance(uint256 amount);
    error InvalidAmount(uint256 maxAmount);
    error InvalidSignatureLength();
    error InvalidSignature();
    error InvalidSigner();
    error InvalidContractSignature();
    error TransferFailed();

    event Approval(
        address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration
    );
    event Permit(
        address indexed owner,
        address indexed token,
        address indexed spender,
        uint160 amount,
        uint48 expiration,
        uint48 nonce
    );
    event Lockdown(address indexed owner, address token, address spender);
    event UnorderedNonceInvalidation(address indexed owner, uint256 word, uint256 mask);

    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(abi.encode(_DOMAIN_TYPEHASH, _HASHED_NAME, block.chainid, address(this)));
    }

    // ---- AllowanceTransfer ----

    function approve(address token, address spender, uint160 amount, uint48 expiration) external {
        PackedAllowance storage allowed = allowance[msg.sender][token][spender];
        allowed.expiration = expiration == 0 ? uint48(block.timestamp) : expiration;
        allowed.amount = amount;
        emit Approval(msg.sender, token, spender, amount, expiration);
    }

    function permit(address owner, PermitSingle memory permitSingle, bytes calldata signature) external {
        if (block.timestamp > permitSingle.sigDeadline) revert SignatureExpired(permitSingle.sigDeadline);
        bytes32 structHash = keccak256(
            abi.encode(
                _PERMIT_SINGLE_TYPEHASH,
                _hashDetails(permitSingle.details),
                permitSingle.spender,
                permitSingle.sigDeadline
            )
        );
        _verify(signature, _hashTypedData(structHash), owner);
        _updateApproval(permitSingle.details, owner, permitSingle.spender);
    }

    function permit(address owner, PermitBatch memory permitBatch, bytes calldata signature) external {
        if (block.timestamp > permitBatch.sigDeadline) revert SignatureExpired(permitBatch.sigDeadline);
        uint256 count = permitBatch.details.length;
        bytes32[] memory hashes = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            hashes[i] = _hashDetails(permitBatch.details[i]);
        }
        bytes32 structHash = keccak256(
            abi.encode(
                _PERMIT_BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes)), permitBatch.spender, permitBatch.sigDeadline
            )
        );
        _verify(signature, _hashTypedData(structHash), owner);
        for (uint256 i = 0; i < count; ++i) {
            _updateApproval(permitBatch.details[i], owner, permitBatch.spender);
        }
    }

    /// Moves tokens with an allowance granted here (by permit or approve) to msg.sender.
    function transferFrom(address from, address to, uint160 amount, address token) external {
        PackedAllowance storage allowed = allowance[from][token][msg.sender];
        if (block.timestamp > allowed.expiration) revert AllowanceExpired(allowed.expiration);
        uint256 maxAmount = allowed.amount;
        if (maxAmount != type(uint160).max) {
            if (amount > maxAmount) revert InsufficientAllowance(maxAmount);
            allowed.amount = uint160(maxAmount) - amount;
        }
        _pull(token, from, to, amount);
    }

    function lockdown(TokenSpenderPair[] calldata approvals) external {
        for (uint256 i = 0; i < approvals.length; ++i) {
            address token = approvals[i].token;
            address spender = approvals[i].spender;
            allowance[msg.sender][token][spender].amount = 0;
            emit Lockdown(msg.sender, token, spender);
        }
    }

    // ---- SignatureTransfer ----

    function permitTransferFrom(
        PermitTransferFrom memory transferPermit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes calldata signature
    ) external {
        uint256 requestedAmount = transferDetails.requestedAmount;
        if (block.timestamp > transferPermit.deadline) revert SignatureExpired(transferPermit.deadline);
        if (requestedAmount > transferPermit.permitted.amount) revert InvalidAmount(transferPermit.permitted.amount);
        _useUnorderedNonce(owner, transferPermit.nonce);
        bytes32 permissions =
            keccak256(abi.encode(_TOKEN_PERMISSIONS_TYPEHASH, transferPermit.permitted.token, transferPermit.permitted.amount));
        // The spender is whoever submits the permit: Permit2 hashes msg.sender, not a field.
        bytes32 structHash = keccak256(
            abi.encode(_PERMIT_TRANSFER_FROM_TYPEHASH, permissions, msg.sender, transferPermit.nonce, transferPermit.deadline)
        );
        _verify(signature, _hashTypedData(structHash), owner);
        _pull(transferPermit.permitted.token, owner, transferDetails.to, requestedAmount);
    }

    function invalidateUnorderedNonces(uint256 wordPos, uint256 mask) external {
        nonceBitmap[msg.sender][wordPos] |= mask;
        emit UnorderedNonceInvalidation(msg.sender, wordPos, mask);
    }

    // ---- internals ----

    function _hashDetails(PermitDetails memory details) private pure returns (bytes32) {
        return keccak256(abi.encode(_PERMIT_DETAILS_TYPEHASH, details));
    }

    function _hashTypedData(bytes32 structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR(), structHash));
    }

    function _updateApproval(PermitDetails memory details, address owner, address spender) private {
        PackedAllowance storage allowed = allowance[owner][details.token][spender];
        if (allowed.nonce != details.nonce) revert InvalidNonce();
        unchecked {
            allowed.nonce = details.nonce + 1;
        }
        allowed.expiration = details.expiration == 0 ? uint48(block.timestamp) : details.expiration;
        allowed.amount = details.amount;
        emit Permit(owner, details.token, spender, details.amount, details.expiration, details.nonce);
    }

    function _useUnorderedNonce(address from, uint256 nonce) private {
        uint256 wordPos = uint248(nonce >> 8);
        uint256 bit = 1 << uint8(nonce);
        uint256 flipped = nonceBitmap[from][wordPos] ^= bit;
        if (flipped & bit == 0) revert InvalidNonce();
    }

    /// 65-byte (r, s, v) and 64-byte EIP-2098 signatures for accounts; EIP-1271 for contracts.
    function _verify(bytes calldata signature, bytes32 digest, address claimedSigner) private view {
        if (claimedSigner.code.length > 0) {
            bytes4 magic = IERC1271(claimedSigner).isValidSignature(digest, signature);
            if (magic != IERC1271.isValidSignature.selector) revert InvalidContractSignature();
            return;
        }
        bytes32 r;
        bytes32 s;
        uint8 v;
        if (signature.length == 65) {
            (r, s) = abi.decode(signature, (bytes32, bytes32));
            v = uint8(signature[64]);
        } else if (signature.length == 64) {
            bytes32 vs;
            (r, vs) = abi.decode(signature, (bytes32, bytes32));
            s = vs & _UPPER_BIT_MASK;
            v = uint8(uint256(vs >> 255)) + 27;
        } else {
            revert InvalidSignatureLength();
        }
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
        if (signer != claimedSigner) revert InvalidSigner();
    }

    /// Calls token.transferFrom, accepting tokens that return nothing (like solmate's SafeTransferLib).
    function _pull(address token, address from, address to, uint256 amount) private {
        (bool ok, bytes memory data) =
            token.call(abi.encodeCall(IERC20Minimal.transferFrom, (from, to, amount)));
        if (!ok || (data.length > 0 && !abi.decode(data, (bool))) || token.code.length == 0) {
            revert TransferFailed();
        }
    }
}
