// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The order-signature part of Seaport 1.6, written for tests: the same EIP-712 domain
// (name "Seaport", version "1.6"), the same OrderComponents type string and struct hashing,
// a per-offerer counter, and validate() checking the offerer's signature. It never fulfils
// anything: it exists so tests can show that the consideration recipients a wallet displays
// are the ones this hash commits to. Not audited, not for any real chain.

contract SeaportLite {
    enum ItemType {
        NATIVE,
        ERC20,
        ERC721,
        ERC1155,
        ERC721_WITH_CRITERIA,
        ERC1155_WITH_CRITERIA
    }

    enum OrderType {
        FULL_OPEN,
        PARTIAL_OPEN,
        FULL_RESTRICTED,
        PARTIAL_RESTRICTED,
        CONTRACT
    }

    struct OfferItem {
        ItemType itemType;
        address token;
        uint256 identifierOrCriteria;
        uint256 startAmount;
        uint256 endAmount;
    }

    struct ConsiderationItem {
        ItemType itemType;
        address token;
        uint256 identifierOrCriteria;
        uint256 startAmount;
        uint256 endAmount;
        address payable recipient;
    }

    struct OrderComponents {
        address offerer;
        address zone;
        OfferItem[] offer;
        ConsiderationItem[] consideration;
        OrderType orderType;
        uint256 startTime;
        uint256 endTime;
        bytes32 zoneHash;
        uint256 salt;
        bytes32 conduitKey;
        uint256 counter;
    }

    struct OrderParameters {
        address offerer;
        address zone;
        OfferItem[] offer;
        ConsiderationItem[] consideration;
        OrderType orderType;
        uint256 startTime;
        uint256 endTime;
        bytes32 zoneHash;
        uint256 salt;
        bytes32 conduitKey;
        uint256 totalOriginalConsiderationItems;
    }

    struct Order {
        OrderParameters parameters;
        bytes signature;
    }

    bytes32 private constant _OFFER_ITEM_TYPEHASH = keccak256(
        "OfferItem(uint8 itemType,address token,uint256 identifierOrCriteria,uint256 startAmount,uint256 endAmount)"
    );
    bytes32 private constant _CONSIDERATION_ITEM_TYPEHASH = keccak256(
        "ConsiderationItem(uint8 itemType,address token,uint256 identifierOrCriteria,uint256 startAmount,"
        "uint256 endAmount,address recipient)"
    );
    bytes32 private constant _ORDER_TYPEHASH = keccak256(
        "OrderComponents(address offerer,address zone,OfferItem[] offer,ConsiderationItem[] consideration,"
        "uint8 orderType,uint256 startTime,uint256 endTime,bytes32 zoneHash,uint256 salt,bytes32 conduitKey,"
        "uint256 counter)"
        "ConsiderationItem(uint8 itemType,address token,uint256 identifierOrCriteria,uint256 startAmount,"
        "uint256 endAmount,address recipient)"
        "OfferItem(uint8 itemType,address token,uint256 identifierOrCriteria,uint256 startAmount,uint256 endAmount)"
    );
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    string private constant _NAME = "Seaport";
    string private constant _VERSION = "1.6";

    mapping(address => uint256) private _counters;
    mapping(bytes32 => bool) private _validated;

    event OrderValidated(bytes32 orderHash, OrderParameters orderParameters);
    event CounterIncremented(uint256 newCounter, address indexed offerer);

    error InvalidSignature();
    error InvalidSigner();
    error ConsiderationLengthNotEqualToTotalOriginal();

    function name() external pure returns (string memory) {
        return _NAME;
    }

    function information()
        external
        view
        returns (string memory version, bytes32 domainSeparator, address conduitController)
    {
        return (_VERSION, _domainSeparator(), address(0));
    }

    function getCounter(address offerer) external view returns (uint256) {
        return _counters[offerer];
    }

    function incrementCounter() external returns (uint256 newCounter) {
        newCounter = ++_counters[msg.sender];
        emit CounterIncremented(newCounter, msg.sender);
    }

    function getOrderHash(OrderComponents calldata order) external pure returns (bytes32) {
        (bytes32 offerHash, bytes32 considerationHash) = _itemsHashes(order.offer, order.consideration);
        // Two static encodings concatenated equal one abi.encode of all eleven words.
        return keccak256(
            bytes.concat(
                abi.encode(_ORDER_TYPEHASH, order.offerer, order.zone, offerHash, considerationHash, order.orderType),
                abi.encode(order.startTime, order.endTime, order.zoneHash, order.salt, order.conduitKey, order.counter)
            )
        );
    }

    function getOrderStatus(bytes32 orderHash)
        external
        view
        returns (bool isValidated, bool isCancelled, uint256 totalFilled, uint256 totalSize)
    {
        return (_validated[orderHash], false, 0, 0);
    }

    /// Marks orders validated after checking each offerer's 65-byte signature over the order's
    /// EIP-712 digest (offerer-submitted orders need no signature, as in Seaport).
    function validate(Order[] calldata orders) external returns (bool) {
        for (uint256 i = 0; i < orders.length; ++i) {
            OrderParameters calldata p = orders[i].parameters;
            if (p.consideration.length != p.totalOriginalConsiderationItems) {
                revert ConsiderationLengthNotEqualToTotalOriginal();
            }
            bytes32 orderHash = _parametersHash(p, _counters[p.offerer]);
            if (_validated[orderHash]) continue;
            if (msg.sender != p.offerer) {
                bytes32 digest = keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), orderHash));
                _verify(orders[i].signature, digest, p.offerer);
            }
            _validated[orderHash] = true;
            emit OrderValidated(orderHash, p);
        }
        return true;
    }

    function _domainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(_DOMAIN_TYPEHASH, keccak256(bytes(_NAME)), keccak256(bytes(_VERSION)), block.chainid, address(this))
        );
    }

    function _parametersHash(OrderParameters calldata p, uint256 counter) private pure returns (bytes32) {
        (bytes32 offerHash, bytes32 considerationHash) = _itemsHashes(p.offer, p.consideration);
        return keccak256(
            bytes.concat(
                abi.encode(_ORDER_TYPEHASH, p.offerer, p.zone, offerHash, considerationHash, p.orderType),
                abi.encode(p.startTime, p.endTime, p.zoneHash, p.salt, p.conduitKey, counter)
            )
        );
    }

    function _itemsHashes(OfferItem[] calldata offer, ConsiderationItem[] calldata consideration)
        private
        pure
        returns (bytes32 offerHash, bytes32 considerationHash)
    {
        bytes32[] memory hashes = new bytes32[](offer.length);
        for (uint256 i = 0; i < offer.length; ++i) {
            hashes[i] = keccak256(abi.encode(_OFFER_ITEM_TYPEHASH, offer[i]));
        }
        offerHash = keccak256(abi.encodePacked(hashes));
        hashes = new bytes32[](consideration.length);
        for (uint256 i = 0; i < consideration.length; ++i) {
            hashes[i] = keccak256(abi.encode(_CONSIDERATION_ITEM_TYPEHASH, consideration[i]));
        }
        considerationHash = keccak256(abi.encodePacked(hashes));
    }

    function _verify(bytes calldata signature, bytes32 digest, address claimedSigner) private pure {
        if (signature.length != 65) revert InvalidSignature();
        (bytes32 r, bytes32 s) = abi.decode(signature, (bytes32, bytes32));
        address signer = ecrecover(digest, uint8(signature[64]), r, s);
        if (signer == address(0)) revert InvalidSignature();
        if (signer != claimedSigner) revert InvalidSigner();
    }
}
