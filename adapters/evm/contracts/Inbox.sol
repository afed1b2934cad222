// SPDX-License-Identifier: Apache-2.0
// Inbox: the destination end of Qiao lanes.  deliver() accepts a message only with a certificate
// of at least k secp256k1 signatures from distinct members of the current committee epoch over
// the domain-separated attestation digest, then marks the message id consumed and calls the
// receiver.  rotate() moves to a new committee signed by the current one at threshold.
//
// Every rule here is mirrored byte for byte by relay/notary/attest.c (qiao_cert_verify), in the
// same order, so a notary can predict the Inbox's verdict; docs/PROTOCOL.md lists the mapping of
// custom errors to the C reason codes.
pragma solidity 0.8.30;

import {IQiaoReceiver} from "./IQiaoReceiver.sol";

/// The message as emitted by an Outbox (MessageSent) and delivered to an Inbox.
struct Message {
    uint8 version;
    uint64 srcChainId;
    address srcEmitter;
    uint64 seq;
    uint64 dstChainId;
    address sender;
    address receiver;
    bytes32 payloadHash;
    bytes payload;
}

contract Inbox {
    uint8 public constant VERSION = 1;
    uint256 public constant MAX_PAYLOAD = 16384;
    uint256 public constant MAX_MEMBERS = 64;

    // secp256k1 group order n and n/2 (low-S bound).
    uint256 private constant ORDER_N =
        0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    uint256 private constant HALF_N =
        0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    bytes32 public immutable committeeId;
    address public owner;
    uint64 public epoch;
    uint16 private _k;
    address[] private _members;
    // epoch + 1 in which an address is a member (0: never).  Rotation only writes the new
    // members: old ones fall out because their stored epoch is no longer current.
    mapping(address => uint256) private _memberEpochPlus1;

    /// Source chain id -> the Outbox address trusted as srcEmitter for it.
    mapping(uint64 => address) public outboxOf;
    /// Message ids already delivered.
    mapping(bytes32 => bool) public consumed;

    event MessageDelivered(bytes32 indexed id, uint64 indexed srcChainId, uint64 seq, address receiver);
    event CommitteeRotated(uint64 epoch, uint16 k, address[] members);
    event SourceSet(uint64 indexed srcChainId, address outbox);
    event OwnerChanged(address indexed owner);

    // Message checks.
    error BadVersion(uint8 version);
    error WrongDestination();
    error UnknownSource();
    error PayloadTooLarge(uint256 len, uint256 max);
    error BadPayloadHash();
    error AlreadyConsumed(bytes32 id);
    // Certificate checks (in the order they are applied).
    error BadSignaturesLength(uint256 len);
    error TooManySignatures(uint256 got, uint256 n);
    error RZero();
    error SZero();
    error ROutOfRange();
    error SOutOfRange();
    error HighS();
    error BadV(uint8 v);
    error ZeroSigner();
    error SignersNotAscending();
    error NotMember(address signer);
    error BelowThreshold(uint256 got, uint256 k);
    // Committee checks (constructor and rotate).
    error EmptyCommittee();
    error CommitteeTooLarge(uint256 n, uint256 max);
    error ZeroMember();
    error MembersNotAscending();
    error BadThreshold(uint256 k, uint256 n);
    // Administration.
    error NotOwner(address caller);
    error ZeroAddress();

    constructor(bytes32 committeeId_, uint64 epoch_, address[] memory members_, uint16 k_, address owner_) {
        if (owner_ == address(0)) revert ZeroAddress();
        committeeId = committeeId_;
        owner = owner_;
        _setCommittee(epoch_, members_, k_);
    }

    // ---------------------------------------------------------------- delivery

    /// Deliver m under certificate sigs (65-byte r ‖ s ‖ v signatures, v in {27, 28}, sorted
    /// by recovered signer strictly ascending).  Reverts with a custom error naming the failure.
    function deliver(Message calldata m, bytes calldata sigs) external {
        if (m.version != VERSION) revert BadVersion(m.version);
        if (m.dstChainId != block.chainid) revert WrongDestination();
        address emitter = outboxOf[m.srcChainId];
        if (emitter == address(0) || emitter != m.srcEmitter) revert UnknownSource();
        if (m.payload.length > MAX_PAYLOAD) revert PayloadTooLarge(m.payload.length, MAX_PAYLOAD);
        if (keccak256(m.payload) != m.payloadHash) revert BadPayloadHash();
        bytes32 id = _messageId(m);
        if (consumed[id]) revert AlreadyConsumed(id);
        _verifyCertificate(_attestationDigest(id), sigs);
        // Consumed before the external call: a re-entrant deliver of the same id fails.
        consumed[id] = true;
        IQiaoReceiver(m.receiver).qiaoReceive(id, m.srcChainId, m.sender, m.payload);
        emit MessageDelivered(id, m.srcChainId, m.seq, m.receiver);
    }

    /// Move to epoch + 1 with newMembers (strictly ascending, non-zero) and threshold newK,
    /// authorised by the current committee at its threshold over committeeUpdateDigest.
    function rotate(address[] calldata newMembers, uint16 newK, bytes calldata sigs) external {
        uint64 next = epoch + 1;
        _checkCommittee(newMembers, newK);
        _verifyCertificate(_committeeUpdateDigest(next, newK, newMembers), sigs);
        _setCommittee(next, newMembers, newK);
    }

    /// Trust outbox as the emitter of messages from srcChainId (zero address removes it).
    function setSource(uint64 srcChainId, address outbox) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        outboxOf[srcChainId] = outbox;
        emit SourceSet(srcChainId, outbox);
    }

    function transferOwnership(address newOwner) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (newOwner == address(0)) revert ZeroAddress();
        owner = newOwner;
        emit OwnerChanged(newOwner);
    }

    // ---------------------------------------------------------------- views

    function messageId(Message calldata m) external pure returns (bytes32) {
        return _messageId(m);
    }

    /// Attestation digest of message id under this committee's CURRENT epoch.
    function attestationDigest(bytes32 id) external view returns (bytes32) {
        return _attestationDigest(id);
    }

    function committeeUpdateDigest(uint64 newEpoch, uint16 newK, address[] calldata newMembers)
        external
        view
        returns (bytes32)
    {
        return _committeeUpdateDigest(newEpoch, newK, newMembers);
    }

    function members() external view returns (address[] memory) {
        return _members;
    }

    function threshold() external view returns (uint16) {
        return _k;
    }

    function isMember(address a) public view returns (bool) {
        return a != address(0) && _memberEpochPlus1[a] == uint256(epoch) + 1;
    }

    // ---------------------------------------------------------------- internals

    function _messageId(Message calldata m) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                m.version, m.srcChainId, m.srcEmitter, m.seq, m.dstChainId, m.sender, m.receiver,
                m.payloadHash
            )
        );
    }

    function _attestationDigest(bytes32 id) private view returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x19), "Qiao attestation v1", committeeId, epoch, id));
    }

    function _committeeUpdateDigest(uint64 newEpoch, uint16 newK, address[] calldata newMembers)
        private
        view
        returns (bytes32)
    {
        // abi.encodePacked pads array elements to 32 bytes, so the members are packed by hand:
        // the protocol hashes each address as exactly 20 bytes.
        bytes memory packed = new bytes(newMembers.length * 20);
        for (uint256 i = 0; i < newMembers.length; i++) {
            bytes20 a = bytes20(newMembers[i]);
            assembly {
                mstore(add(add(packed, 32), mul(i, 20)), a)
            }
        }
        return keccak256(
            abi.encodePacked(bytes1(0x19), "Qiao committee v1", committeeId, newEpoch, newK, packed)
        );
    }

    /// The certificate rules: length a multiple of 65, at most n signatures, each canonical
    /// (r, s in [1, n-1], s <= n/2, v in {27, 28}), recovering to a non-zero current member,
    /// signers strictly ascending, at least k of them.
    function _verifyCertificate(bytes32 digest, bytes calldata sigs) private view {
        if (sigs.length % 65 != 0) revert BadSignaturesLength(sigs.length);
        uint256 count = sigs.length / 65;
        uint256 n = _members.length;
        if (count > n) revert TooManySignatures(count, n);
        address prev = address(0);
        for (uint256 i = 0; i < count; i++) {
            address signer = _recover(digest, sigs[i * 65:(i + 1) * 65]);
            if (signer <= prev) revert SignersNotAscending();
            if (!isMember(signer)) revert NotMember(signer);
            prev = signer;
        }
        if (count < _k) revert BelowThreshold(count, _k);
    }

    function _recover(bytes32 digest, bytes calldata sig) private pure returns (address signer) {
        uint256 r = uint256(bytes32(sig[0:32]));
        uint256 s = uint256(bytes32(sig[32:64]));
        uint8 v = uint8(sig[64]);
        if (r == 0) revert RZero();
        if (s == 0) revert SZero();
        if (r >= ORDER_N) revert ROutOfRange();
        if (s >= ORDER_N) revert SOutOfRange();
        if (s > HALF_N) revert HighS();
        if (v != 27 && v != 28) revert BadV(v);
        signer = ecrecover(digest, v, bytes32(r), bytes32(s));
        if (signer == address(0)) revert ZeroSigner();
    }

    function _checkCommittee(address[] memory m, uint16 k) private pure {
        if (m.length == 0) revert EmptyCommittee();
        if (m.length > MAX_MEMBERS) revert CommitteeTooLarge(m.length, MAX_MEMBERS);
        for (uint256 i = 0; i < m.length; i++) {
            if (m[i] == address(0)) revert ZeroMember();
            if (i > 0 && m[i] <= m[i - 1]) revert MembersNotAscending();
        }
        if (k == 0 || k > m.length) revert BadThreshold(k, m.length);
    }

    function _setCommittee(uint64 newEpoch, address[] memory m, uint16 k) private {
        _checkCommittee(m, k);
        epoch = newEpoch;
        _k = k;
        delete _members;
        for (uint256 i = 0; i < m.length; i++) {
            _members.push(m[i]);
            _memberEpochPlus1[m[i]] = uint256(newEpoch) + 1;
        }
        emit CommitteeRotated(newEpoch, k, m);
    }
}
