// SPDX-License-Identifier: Apache-2.0
// EvidenceRegistry: a Qiao receiver on the judicial chain.  Each delivered message becomes a
// Record keyed by its message id, holding both keccak256 (what the protocol binds) and SHA-256
// (what a court can recompute from the original document with common tools) of the payload.
pragma solidity 0.8.30;

import {IQiaoReceiver} from "./IQiaoReceiver.sol";

contract EvidenceRegistry is IQiaoReceiver {
    struct Record {
        uint64 srcChainId;
        address sender;
        bytes32 payloadHash;  // keccak256(payload)
        bytes32 recordSha256; // sha256(payload)
        uint64 blockNumber;   // when it was imported here (never 0 for a stored record)
        uint64 timestamp;
    }

    address public immutable inbox;
    mapping(bytes32 => Record) private _records;
    uint256 public recordCount;

    event EvidenceImported(bytes32 indexed id, uint64 srcChainId, address sender, bytes32 recordSha256);

    error OnlyInbox(address caller);
    error AlreadyImported(bytes32 id);
    error UnknownRecord(bytes32 id);
    error ZeroAddress();

    constructor(address inbox_) {
        if (inbox_ == address(0)) revert ZeroAddress();
        inbox = inbox_;
    }

    /// Called only by the Inbox, after it verified the certificate and consumed the id.
    function qiaoReceive(bytes32 id, uint64 srcChainId, address sender, bytes calldata payload)
        external
        override
    {
        if (msg.sender != inbox) revert OnlyInbox(msg.sender);
        // The Inbox never delivers an id twice; this guards a misconfigured second Inbox.
        if (_records[id].blockNumber != 0) revert AlreadyImported(id);
        bytes32 sha = sha256(payload);
        _records[id] = Record({
            srcChainId: srcChainId,
            sender: sender,
            payloadHash: keccak256(payload),
            recordSha256: sha,
            blockNumber: uint64(block.number),
            timestamp: uint64(block.timestamp)
        });
        recordCount += 1;
        emit EvidenceImported(id, srcChainId, sender, sha);
    }

    /// The record imported under message id (reverts UnknownRecord when there is none).
    function record(bytes32 id) external view returns (Record memory r) {
        r = _records[id];
        if (r.blockNumber == 0) revert UnknownRecord(id);
    }

    function exists(bytes32 id) external view returns (bool) {
        return _records[id].blockNumber != 0;
    }
}
