// SPDX-License-Identifier: Apache-2.0
// IQiaoReceiver: what an Inbox calls on a message's receiver after the certificate checks out.
// The Inbox has already marked the message id consumed when this runs, so a receiver sees each
// message at most once; a receiver that reverts makes the whole delivery revert (and retryable).
pragma solidity 0.8.30;

interface IQiaoReceiver {
    /// @param id          the Qiao message id (docs/PROTOCOL.md)
    /// @param srcChainId  the chain the message was sent from
    /// @param sender      msg.sender of Outbox.send on the source chain (bound into the id)
    /// @param payload     the message payload; keccak256(payload) was checked by the Inbox
    function qiaoReceive(bytes32 id, uint64 srcChainId, address sender, bytes calldata payload)
        external;
}
