// SPDX-License-Identifier: Apache-2.0
// Outbox: the source end of a Qiao lane.  send() assigns the next sequence number of the lane
// (this chain -> dstChainId, first seq 1) and emits MessageSent, which notaries prove against a
// verified receipt root.  Nothing is stored per message: the event is the record.
pragma solidity 0.8.30;

contract Outbox {
    /// Payload cap (bytes); the Inbox and the C code enforce the same value.
    uint256 public constant MAX_PAYLOAD = 16384;

    /// Last sequence number used per destination chain; 0 means none yet.
    mapping(uint64 => uint64) private _lastSeq;

    event MessageSent(
        uint64 indexed seq,
        uint64 indexed dstChainId,
        address indexed sender,
        address receiver,
        bytes32 payloadHash,
        bytes payload
    );

    error PayloadTooLarge(uint256 len, uint256 max);

    /// Send payload to receiver on dstChainId.  Returns the lane sequence number assigned.
    function send(uint64 dstChainId, address receiver, bytes calldata payload)
        external
        returns (uint64 seq)
    {
        if (payload.length > MAX_PAYLOAD) revert PayloadTooLarge(payload.length, MAX_PAYLOAD);
        seq = _lastSeq[dstChainId] + 1;
        _lastSeq[dstChainId] = seq;
        emit MessageSent(seq, dstChainId, msg.sender, receiver, keccak256(payload), payload);
    }

    /// The sequence number the next send() to dstChainId will get (1 for a fresh lane).
    function nextSeq(uint64 dstChainId) external view returns (uint64) {
        return _lastSeq[dstChainId] + 1;
    }
}
