// SPDX-License-Identifier: Apache-2.0
// HashedTimelock: the EVM leg of a Qiao atomic swap, for ETH and ERC-20 tokens.
//
// A lock binds sender, receiver, asset, amount, a SHA-256 hashlock and a unix-time timelock T.
// withdraw(id, preimage) pays the bound receiver (whoever submits it) iff the preimage is exactly
// 32 bytes, sha256(preimage) == hashlock and block.timestamp < T; refund(id) pays the sender back
// iff block.timestamp >= T.  The two windows are disjoint, so at most one of them ever succeeds.
// SHA-256 and the 32-byte length match the Bitcoin leg (OP_SIZE 32 OP_EQUALVERIFY OP_SHA256).
pragma solidity 0.8.30;

interface IERC20Minimal {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function balanceOf(address who) external view returns (uint256);
}

contract HashedTimelock {
    enum State { None, Locked, Withdrawn, Refunded }

    struct Lock {
        address sender;
        address receiver;
        address token; // address(0) for ETH
        uint256 amount;
        bytes32 hashlock;
        uint64 timelock;
        State state;
    }

    uint256 public constant PREIMAGE_LEN = 32;
    mapping(bytes32 => Lock) private _locks;

    event Locked(bytes32 indexed id, address indexed sender, address indexed receiver, address token,
                 uint256 amount, bytes32 hashlock, uint64 timelock);
    event Withdrawn(bytes32 indexed id, address indexed receiver, address submitter, bytes preimage);
    event Refunded(bytes32 indexed id, address indexed sender);

    error ZeroAmount();
    error ZeroReceiver();
    error TimelockInPast(uint64 timelock, uint256 now_);
    error LockExists(bytes32 id);
    error NoSuchLock(bytes32 id);
    error NotLocked(bytes32 id, State state);
    error BadPreimageLength(uint256 len);
    error BadPreimage();
    error Expired(uint64 timelock, uint256 now_);
    error NotExpired(uint64 timelock, uint256 now_);
    error TokenTransferFailed();
    error TokenAmountMismatch(uint256 expected, uint256 received);
    error EthTransferFailed();

    /// Lock msg.value wei for receiver.  Returns the lock id (see lockId).
    function lock(address receiver, bytes32 hashlock, uint64 timelock) external payable returns (bytes32 id) {
        id = _open(receiver, address(0), msg.value, hashlock, timelock);
    }

    /// Lock amount of token (pulled with transferFrom; approve first).  Tokens that deliver
    /// less than amount (fee-on-transfer) are refused.
    function lockToken(address receiver, bytes32 hashlock, uint64 timelock, address token, uint256 amount)
        external
        returns (bytes32 id)
    {
        if (token == address(0)) revert TokenTransferFailed();
        id = _open(receiver, token, amount, hashlock, timelock);
        uint256 before = IERC20Minimal(token).balanceOf(address(this));
        _call(token, abi.encodeCall(IERC20Minimal.transferFrom, (msg.sender, address(this), amount)));
        uint256 got = IERC20Minimal(token).balanceOf(address(this)) - before;
        if (got != amount) revert TokenAmountMismatch(amount, got);
    }

    /// Pay the lock to its receiver.  Anyone may submit; the preimage is published in Withdrawn.
    function withdraw(bytes32 id, bytes calldata preimage) external {
        Lock storage l = _live(id);
        if (preimage.length != PREIMAGE_LEN) revert BadPreimageLength(preimage.length);
        if (block.timestamp >= l.timelock) revert Expired(l.timelock, block.timestamp);
        if (sha256(preimage) != l.hashlock) revert BadPreimage();
        l.state = State.Withdrawn;
        emit Withdrawn(id, l.receiver, msg.sender, preimage);
        _pay(l.token, l.receiver, l.amount);
    }

    /// Return the lock to its sender once the timelock has passed.  Anyone may submit.
    function refund(bytes32 id) external {
        Lock storage l = _live(id);
        if (block.timestamp < l.timelock) revert NotExpired(l.timelock, block.timestamp);
        l.state = State.Refunded;
        emit Refunded(id, l.sender);
        _pay(l.token, l.sender, l.amount);
    }

    function getLock(bytes32 id) external view returns (Lock memory) {
        return _locks[id];
    }

    /// The id a lock with these terms gets: deterministic, so a counterparty can compute it.
    function lockId(address sender, address receiver, address token, uint256 amount, bytes32 hashlock,
                    uint64 timelock) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), sender, receiver, token, amount,
                                    hashlock, timelock));
    }

    function _open(address receiver, address token, uint256 amount, bytes32 hashlock, uint64 timelock)
        private
        returns (bytes32 id)
    {
        if (amount == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroReceiver();
        if (timelock <= block.timestamp) revert TimelockInPast(timelock, block.timestamp);
        id = lockId(msg.sender, receiver, token, amount, hashlock, timelock);
        if (_locks[id].state != State.None) revert LockExists(id);
        _locks[id] = Lock(msg.sender, receiver, token, amount, hashlock, timelock, State.Locked);
        emit Locked(id, msg.sender, receiver, token, amount, hashlock, timelock);
    }

    function _live(bytes32 id) private view returns (Lock storage l) {
        l = _locks[id];
        if (l.state == State.None) revert NoSuchLock(id);
        if (l.state != State.Locked) revert NotLocked(id, l.state);
    }

    function _pay(address token, address to, uint256 amount) private {
        if (token == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert EthTransferFailed();
        } else {
            _call(token, abi.encodeCall(IERC20Minimal.transfer, (to, amount)));
        }
    }

    // ERC-20 call that accepts tokens returning nothing or true, and rejects false or revert.
    function _call(address token, bytes memory data) private {
        if (token.code.length == 0) revert TokenTransferFailed();
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || (ret.length != 0 && (ret.length != 32 || abi.decode(ret, (uint256)) != 1))) {
            revert TokenTransferFailed();
        }
    }
}
