#!/usr/bin/env node
// test_htlc.js: HashedTimelock on a real anvil chain (7002): ETH and ERC-20 redeem and refund,
// 31/33/521-byte preimages refused, a third party's claim still pays the receiver, and a claim
// racing a refund in one block at exactly T (and at T-1): exactly one succeeds.
'use strict';
const assert = require('node:assert');
const L = require('./lib.js');
const { ethers } = L;

const T = L.runner('contracts/htlc');
const S = {};
const ETH = ethers.parseEther('1');
const ZERO = ethers.ZeroAddress;

async function now() {
    return BigInt((await S.node.provider.getBlock('latest')).timestamp);
}

function secret(len, tag) {
    const p = ethers.getBytes(ethers.sha256(ethers.toUtf8Bytes(`qiao-htlc-${tag}`)));
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = p[i % 32] ^ (i >> 5);
    return out;
}

/** Lock ETH (or tokens) from Alice to Bob; returns {id, pre, hashlock, timelock}. */
async function lockEth(tag, { len = 32, ttl = 3600n, amount = ETH } = {}) {
    const pre = secret(len, tag);
    const hashlock = ethers.sha256(pre);
    const timelock = (await now()) + ttl;
    const rcpt = await (await S.htlc.lock(S.bob, hashlock, timelock, { value: amount })).wait();
    const ev = S.htlc.interface.parseLog(rcpt.logs[0]);
    assert.strictEqual(ev.name, 'Locked');
    const id = ev.args.id;
    assert.strictEqual(id, await S.htlc.lockId(S.alice, S.bob, ZERO, amount, hashlock, timelock));
    return { id, pre, hashlock, timelock };
}

async function setup() {
    S.node = await L.startAnvil(7002);
    S.dir = L.artifacts();
    const [a, b, c] = [0, 1, 2].map((i) => S.node.wallet(i));
    [S.alice, S.bob, S.carol] = await Promise.all([a, b, c].map((w) => w.getAddress()));
    S.htlc = await L.deployContract(a, S.dir, 'HashedTimelock');
    S.asBob = S.htlc.connect(b);
    S.asCarol = S.htlc.connect(c);
    S.token = await L.deployContract(a, S.dir, 'TestToken');
    S.bal = (who) => S.node.provider.getBalance(who);
}

async function main() {
    await T.test('setup: anvil and contracts', setup);

    await T.test('redeem: a third party submits the claim, the receiver is paid', async () => {
        const l = await lockEth('redeem');
        await L.expectRevert(S.asCarol.withdraw(l.id, secret(32, 'wrong')), 'BadPreimage');
        const bob0 = await S.bal(S.bob);
        const rcpt = await (await S.asCarol.withdraw(l.id, l.pre)).wait();
        assert.strictEqual(await S.bal(S.bob) - bob0, ETH); // Bob paid no gas and got all of it
        const ev = S.htlc.interface.parseLog(rcpt.logs[0]);
        assert.strictEqual(ev.name, 'Withdrawn');
        assert.strictEqual(ev.args.preimage, ethers.hexlify(l.pre)); // the secret is public now
        assert.strictEqual(ev.args.receiver, S.bob);
        assert.strictEqual(ev.args.submitter, S.carol);
        assert.strictEqual((await S.htlc.getLock(l.id)).state, 2n);
        await L.expectRevert(S.asBob.withdraw(l.id, l.pre), 'NotLocked');
        await L.expectRevert(S.asCarol.refund(l.id), 'NotLocked');
        await L.expectRevert(S.asCarol.withdraw(ethers.ZeroHash, l.pre), 'NoSuchLock');
    });

    await T.test('preimages of 31, 33 and 521 bytes are refused even when they hash to the lock', async () => {
        for (const len of [31, 33, 521]) {
            const l = await lockEth(`len-${len}`, { len });
            await L.expectRevert(S.asBob.withdraw(l.id, l.pre), 'BadPreimageLength', [BigInt(len)]);
            assert.strictEqual((await S.htlc.getLock(l.id)).state, 1n);
        }
    });

    await T.test('refund after evm_increaseTime; no claim after expiry', async () => {
        const l = await lockEth('refund', { ttl: 600n });
        await L.expectRevert(S.asCarol.refund(l.id), 'NotExpired');
        await S.node.rpc('evm_increaseTime', [600]);
        await S.node.rpc('evm_mine', []);
        await L.expectRevert(S.asBob.withdraw(l.id, l.pre), 'Expired');
        const alice0 = await S.bal(S.alice);
        const rcpt = await (await S.asCarol.refund(l.id)).wait();
        assert.strictEqual(await S.bal(S.alice) - alice0, ETH);
        assert.strictEqual(S.htlc.interface.parseLog(rcpt.logs[0]).name, 'Refunded');
        assert.strictEqual((await S.htlc.getLock(l.id)).state, 3n);
    });

    // One block holding a claim and a refund, mined at timestamp `at`.
    async function race(tag, offset) {
        const l = await lockEth(tag, { ttl: 120n });
        await S.node.rpc('evm_setAutomine', [false]);
        try {
            const w = await S.asBob.withdraw(l.id, l.pre, { gasLimit: 200000n });
            const r = await S.asCarol.refund(l.id, { gasLimit: 200000n });
            await S.node.rpc('evm_setNextBlockTimestamp', [Number(l.timelock + offset)]);
            await S.node.rpc('evm_mine', []);
            const [rw, rr] = await Promise.all([w.hash, r.hash].map((h) => S.node.provider.getTransactionReceipt(h)));
            assert.strictEqual(rw.blockNumber, rr.blockNumber, 'both in one block');
            const blk = await S.node.provider.getBlock(rw.blockNumber);
            assert.strictEqual(BigInt(blk.timestamp), l.timelock + offset);
            return { withdraw: rw.status, refund: rr.status, state: (await S.htlc.getLock(l.id)).state };
        } finally {
            await S.node.rpc('evm_setAutomine', [true]);
        }
    }

    await T.test('claim and refund racing at exactly T: only the refund succeeds', async () => {
        const r = await race('race-T', 0n);
        assert.deepStrictEqual([r.withdraw, r.refund, r.state], [0, 1, 3n]);
    });

    await T.test('claim and refund racing at T-1: only the claim succeeds', async () => {
        const r = await race('race-T-1', -1n);
        assert.deepStrictEqual([r.withdraw, r.refund, r.state], [1, 0, 2n]);
    });

    await T.test('ERC-20: lockToken, redeem by a third party, refund after expiry', async () => {
        const tok = S.token;
        const htlcAddr = await S.htlc.getAddress();
        await (await tok.mint(S.alice, 1000n)).wait();
        const pre = secret(32, 'erc20');
        const h = ethers.sha256(pre);
        const t1 = (await now()) + 3600n;
        await L.expectRevert(S.htlc.lockToken(S.bob, h, t1, await tok.getAddress(), 250n), 'TokenTransferFailed');
        await L.expectRevert(S.htlc.lockToken(S.bob, h, t1, ZERO, 250n), 'TokenTransferFailed');
        await (await tok.approve(htlcAddr, 500n)).wait();
        const rc = await (await S.htlc.lockToken(S.bob, h, t1, await tok.getAddress(), 250n)).wait();
        const id = S.htlc.interface.parseLog(rc.logs.find((x) => x.address === htlcAddr)).args.id;
        assert.strictEqual(await tok.balanceOf(htlcAddr), 250n);
        await L.expectRevert(S.asCarol.withdraw(id, pre.slice(0, 31)), 'BadPreimageLength', [31n]);
        await (await S.asCarol.withdraw(id, pre)).wait();
        assert.strictEqual(await tok.balanceOf(S.bob), 250n);
        assert.strictEqual(await tok.balanceOf(htlcAddr), 0n);
        const t2 = (await now()) + 60n;
        const rc2 = await (await S.htlc.lockToken(S.bob, h, t2, await tok.getAddress(), 250n)).wait();
        const id2 = S.htlc.interface.parseLog(rc2.logs.find((x) => x.address === htlcAddr)).args.id;
        await S.node.rpc('evm_increaseTime', [60]);
        await S.node.rpc('evm_mine', []);
        await (await S.asCarol.refund(id2)).wait();
        assert.strictEqual(await tok.balanceOf(S.alice), 750n);
    });

    await T.test('lock rejects zero amount, zero receiver, a past timelock and duplicate terms', async () => {
        const h = ethers.sha256(secret(32, 'misc'));
        const t = (await now()) + 1000n;
        await L.expectRevert(S.htlc.lock(S.bob, h, t), 'ZeroAmount');
        await L.expectRevert(S.htlc.lock(ZERO, h, t, { value: 1n }), 'ZeroReceiver');
        await L.expectRevert(S.htlc.lock(S.bob, h, (await now()) - 1n, { value: 1n }), 'TimelockInPast');
        await (await S.htlc.lock(S.bob, h, t, { value: 5n })).wait();
        await L.expectRevert(S.htlc.lock(S.bob, h, t, { value: 5n }), 'LockExists');
    });
}

main().catch((e) => T.fail(e)).finally(async () => {
    if (S.node) await L.stopAnvil(S.node);
    T.finish();
});
