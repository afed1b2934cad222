#!/usr/bin/env node
// test_inbox.js: Outbox, Inbox, EvidenceRegistry on three real anvil chains (7003 source, 7001
// judicial destination, 7002 another destination).  A real MessageSent is turned into a
// certificate by notary keys and delivered; every forgery the brief names is refused with the
// Inbox's custom error; rotate() moves the committee and stale-epoch certificates then fail.
// The fixed constants are the ones tests/unit/notary asserts in C.
'use strict';
const assert = require('node:assert');
const L = require('./lib.js');
const F = require('./fixture.js');
const { ethers } = L;

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const T = L.runner('contracts/inbox');
const S = {}; // shared state across the steps

const tuple = (m) => [m.version, m.srcChainId, m.srcEmitter, m.seq, m.dstChainId, m.sender,
    m.receiver, m.payloadHash, m.payload];

async function setup() {
    S.dir = L.artifacts();
    [S.src, S.dst, S.other] = await Promise.all([L.startAnvil(7003), L.startAnvil(7001), L.startAnvil(7002)]);
    const members = F.sortAddrs([1, 2, 3, 4].map(F.notaryAddr));
    const common = { privateKey: L.devKey(0), artifactsDir: S.dir, committeeId: F.C.committeeId,
        epoch: 1, members, k: 3 };
    S.recSrc = await L.deploy.deployAll({ ...common, rpcUrl: S.src.url });
    S.recDst = await L.deploy.deployAll({ ...common, rpcUrl: S.dst.url });
    S.recOther = await L.deploy.deployAll({ ...common, rpcUrl: S.other.url });
    await L.deploy.linkAll([S.recSrc, S.recDst, S.recOther], L.devKey(0), S.dir);
    const abi = (n) => L.deploy.loadArtifact(S.dir, n).abi;
    S.owner = S.dst.wallet(0);
    S.outbox = new ethers.Contract(S.recSrc.outbox, abi('Outbox'), S.src.wallet(0));
    S.inbox = new ethers.Contract(S.recDst.inbox, abi('Inbox'), S.dst.wallet(1));
    S.registry = new ethers.Contract(S.recDst.evidenceRegistry, abi('EvidenceRegistry'), S.dst.provider);
    S.inboxOther = new ethers.Contract(S.recOther.inbox, abi('Inbox'), S.other.wallet(1));
}

async function sendAndDecode(dst, receiver, payload, from = 0) {
    const outbox = S.outbox.connect(S.src.wallet(from));
    const rcpt = await (await outbox.send(dst, receiver, payload)).wait();
    const log = rcpt.logs.find((l) => l.address === S.recSrc.outbox);
    const ev = outbox.interface.parseLog(log);
    return {
        log,
        msg: { version: 1, srcChainId: 7003n, srcEmitter: log.address, seq: ev.args.seq,
            dstChainId: ev.args.dstChainId, sender: ev.args.sender, receiver: ev.args.receiver,
            payloadHash: ev.args.payloadHash, payload: ev.args.payload },
    };
}

async function certFor(inbox, m, who) {
    const id = await inbox.messageId(tuple(m));
    return { id, sigs: F.signSorted(await inbox.attestationDigest(id), who) };
}

async function main() {
    await T.test('deployment is deterministic and matches the fixture addresses', async () => {
        await setup();
        assert.strictEqual(S.recSrc.outbox, F.MESSAGE.srcEmitter);
        assert.strictEqual(S.recDst.evidenceRegistry, F.MESSAGE.receiver);
        assert.strictEqual(await S.inbox.outboxOf(7003), S.recSrc.outbox);
        assert.strictEqual(Number(await S.inbox.threshold()), 3);
        assert.strictEqual(await S.inbox.epoch(), 1n);
        assert.deepStrictEqual([...await S.inbox.members()], S.recDst.members);
    });

    await T.test('Outbox: a real send emits exactly the fixture log (C decodes the same bytes)', async () => {
        const { log, msg } = await sendAndDecode(7001, F.MESSAGE.receiver, F.MESSAGE.payload);
        assert.strictEqual(log.topics[0], F.C.messageSentTopic);
        assert.strictEqual(log.data, F.C.messageSentData);
        assert.deepStrictEqual(log.topics.slice(1), [ethers.toBeHex(1, 32), ethers.toBeHex(7001, 32),
            ethers.zeroPadValue(F.MESSAGE.sender.toLowerCase(), 32)]);
        assert.deepStrictEqual(tuple(msg), tuple(F.MESSAGE));
        S.msg1 = msg;
    });

    await T.test('Outbox: sequence numbers are per lane and start at 1', async () => {
        assert.strictEqual(await S.outbox.nextSeq(7001), 2n);
        assert.strictEqual(await S.outbox.nextSeq(7002), 1n);
        const a = await sendAndDecode(7001, F.MESSAGE.receiver, '0x01', 1);
        const b = await sendAndDecode(7002, F.MESSAGE.receiver, '0x02');
        const c = await sendAndDecode(7001, F.MESSAGE.receiver, '0x03');
        assert.deepStrictEqual([a.msg.seq, b.msg.seq, c.msg.seq], [2n, 1n, 3n]);
        assert.strictEqual(a.msg.sender, L.ethers.computeAddress(L.devKey(1)));
        assert.strictEqual(await S.outbox.nextSeq(7001), 4n);
        S.msg2 = a.msg;
        S.msgTo7002 = b.msg;
        await L.expectRevert(S.outbox.send(7001, F.MESSAGE.receiver, new Uint8Array(16385)),
            'PayloadTooLarge', [16385n, 16384n]);
        await (await S.outbox.send(7009, F.MESSAGE.receiver, new Uint8Array(16384))).wait();
    });

    await T.test('Inbox views equal the C constants (messageId, attestation and committee digests)', async () => {
        const id = await S.inbox.messageId(tuple(F.MESSAGE));
        assert.strictEqual(id, F.C.messageId);
        assert.strictEqual(await S.inbox.attestationDigest(id), F.C.attestationDigest);
        const members = F.sortAddrs([1, 2, 3, 4].map(F.notaryAddr));
        assert.strictEqual(await S.inbox.committeeUpdateDigest(2, 3, members), F.C.committeeDigest);
        const sigs = F.signSorted(F.C.attestationDigest, [1, 2, 3, 4]).slice(0, 3);
        assert.strictEqual(ethers.keccak256(F.concat(sigs)), F.C.certKeccak);
        const cd = S.inbox.interface.encodeFunctionData('deliver', [tuple(F.MESSAGE), F.concat(sigs)]);
        assert.strictEqual(ethers.keccak256(cd), F.C.deliverCalldataKeccak);
        const rd = S.inbox.interface.encodeFunctionData('rotate', [members, 3, F.concat(sigs)]);
        assert.strictEqual(ethers.keccak256(rd), F.C.rotateCalldataKeccak);
    });

    await T.test('Inbox rejects forgeries with the named custom errors', async () => {
        const m = S.msg1;
        const { sigs } = await certFor(S.inbox, m, [1, 2, 3, 4]);
        const d = (list, msg = m) => S.inbox.deliver(tuple(msg), F.concat(list));
        // a non-member (notary 5) signing in place of a member, placed in sorted order
        const forged = F.signSorted(await S.inbox.attestationDigest(F.C.messageId), [1, 2, 5]);
        await L.expectRevert(d(forged), 'NotMember', [F.notaryAddr(5)]);
        await L.expectRevert(d([sigs[0], sigs[0], sigs[1]]), 'SignersNotAscending');
        await L.expectRevert(d([sigs[1], sigs[0], sigs[2]]), 'SignersNotAscending');
        await L.expectRevert(d(sigs.slice(0, 2)), 'BelowThreshold', [2n, 3n]);
        await L.expectRevert(d([]), 'BelowThreshold', [0n, 3n]);
        // high-S twin: s -> n - s and v flipped (27 <-> 28) is a valid ECDSA signature ecrecover accepts
        const sig = ethers.Signature.from(sigs[1].sig);
        const hi = ethers.concat([sig.r, ethers.toBeHex(N - BigInt(sig.s), 32), ethers.toBeHex(55 - sig.v, 1)]);
        // The ecrecover precompile itself (address 1) accepts the twin: only the Inbox's own check stops it.
        const pre = await S.dst.provider.call({ to: '0x0000000000000000000000000000000000000001',
            data: ethers.concat([await S.inbox.attestationDigest(F.C.messageId), ethers.toBeHex(55 - sig.v, 32),
                sig.r, ethers.toBeHex(N - BigInt(sig.s), 32)]) });
        assert.strictEqual(ethers.getAddress(ethers.dataSlice(pre, 12)), sigs[1].addr);
        await L.expectRevert(d([sigs[0], { sig: hi }, sigs[2]]), 'HighS');
        const v0 = ethers.concat([sig.r, sig.s, ethers.toBeHex(sig.v - 27, 1)]);
        await L.expectRevert(d([sigs[0], { sig: v0 }, sigs[2]]), 'BadV', [BigInt(sig.v - 27)]);
        await L.expectRevert(S.inbox.deliver(tuple(m), ethers.dataSlice(F.concat(sigs.slice(0, 3)), 1)),
            'BadSignaturesLength', [194n]);
        await L.expectRevert(d([...sigs, sigs[3]]), 'TooManySignatures', [5n, 4n]);
        const good = sigs.slice(0, 3);
        await L.expectRevert(d(good, { ...m, srcEmitter: S.recDst.inbox }), 'UnknownSource');
        await L.expectRevert(d(good, { ...m, srcChainId: 7005n }), 'UnknownSource');
        await L.expectRevert(d(good, { ...m, payload: '0x00' }), 'BadPayloadHash');
        await L.expectRevert(d(good, { ...m, version: 2 }), 'BadVersion', [2n]);
        await L.expectRevert(d(good, { ...m, dstChainId: 7002n }), 'WrongDestination');
        assert.strictEqual(await S.inbox.consumed(F.C.messageId), false);
    });

    await T.test('a valid 3-of-4 certificate delivers and EvidenceRegistry stores the record', async () => {
        const { id, sigs } = await certFor(S.inbox, S.msg1, [4, 2, 3]);
        const rcpt = await (await S.inbox.deliver(tuple(S.msg1), F.concat(sigs))).wait();
        assert.strictEqual(rcpt.status, 1);
        console.log(`     gas: deliver with a 3-of-4 certificate and a 66-byte record: ${rcpt.gasUsed}`);
        const names = rcpt.logs.map((l) => {
            const c = l.address === S.recDst.inbox ? S.inbox : S.registry;
            return c.interface.parseLog(l).name;
        });
        assert.deepStrictEqual(names, ['EvidenceImported', 'MessageDelivered']);
        const delivered = S.inbox.interface.parseLog(rcpt.logs[1]);
        assert.strictEqual(delivered.args.id, F.C.messageId);
        assert.strictEqual(delivered.args.seq, 1n);
        assert.strictEqual(await S.inbox.consumed(id), true);
        const r = await S.registry.record(id);
        assert.strictEqual(r.srcChainId, 7003n);
        assert.strictEqual(r.sender, F.MESSAGE.sender);
        assert.strictEqual(r.payloadHash, F.C.payloadHash);
        assert.strictEqual(r.recordSha256, ethers.sha256(ethers.toUtf8Bytes(F.PAYLOAD)));
        assert.strictEqual(r.blockNumber, BigInt(rcpt.blockNumber));
        assert.strictEqual(await S.registry.recordCount(), 1n);
        S.cert1 = sigs;
    });

    await T.test('replays: same lane, another lane, another Inbox', async () => {
        const id = F.C.messageId;
        await L.expectRevert(S.inbox.deliver(tuple(S.msg1), F.concat(S.cert1)), 'AlreadyConsumed', [id]);
        // The same certificate on chain 7002's Inbox (same committee): wrong destination ...
        await L.expectRevert(S.inboxOther.deliver(tuple(S.msg1), F.concat(S.cert1)), 'WrongDestination');
        // ... and rewriting dstChainId changes the id, so the signatures recover strangers.
        const moved = { ...S.msg1, dstChainId: 7002n };
        await L.expectRevert(S.inboxOther.deliver(tuple(moved), F.concat(S.cert1)), 'NotMember');
        // Another Inbox on the same chain under another committee id: not its members' signatures.
        const members = F.sortAddrs([1, 2, 3, 4].map(F.notaryAddr));
        const owner = S.dst.wallet(0);
        const other = await L.deployContract(owner, S.dir, 'Inbox',
            [ethers.id('another committee'), 1, members, 3, await owner.getAddress()]);
        await (await other.setSource(7003, S.recSrc.outbox)).wait();
        await L.expectRevert(other.deliver(tuple(S.msg1), F.concat(S.cert1)), 'NotMember');
        // Same committee id reused by a second Inbox: the receiver only accepts its own Inbox.
        const twin = await L.deployContract(owner, S.dir, 'Inbox',
            [F.C.committeeId, 1, members, 3, await owner.getAddress()]);
        await (await twin.setSource(7003, S.recSrc.outbox)).wait();
        await L.expectRevert(twin.deliver(tuple(S.msg1), F.concat(S.cert1)), 'OnlyInbox', [await twin.getAddress()]);
        // Only the owner may trust sources.
        await L.expectRevert(S.inbox.setSource(7003, S.recDst.outbox), 'NotOwner');
    });

    await T.test('rotate(): at threshold moves to epoch 2; malformed or under-signed updates fail', async () => {
        const next = F.sortAddrs([2, 3, 4, 5].map(F.notaryAddr));
        const digest = await S.inbox.committeeUpdateDigest(2, 3, next);
        const sigs = F.signSorted(digest, [1, 2, 3, 4]);
        await L.expectRevert(S.inbox.rotate(next, 3, F.concat(sigs.slice(0, 2))), 'BelowThreshold', [2n, 3n]);
        await L.expectRevert(S.inbox.rotate([...next].reverse(), 3, F.concat(sigs.slice(0, 3))), 'MembersNotAscending');
        await L.expectRevert(S.inbox.rotate(next, 5, F.concat(sigs.slice(0, 3))), 'BadThreshold', [5n, 4n]);
        await L.expectRevert(S.inbox.rotate(next, 3, F.concat(F.signSorted(digest, [2, 3, 5]))), 'NotMember',
            [F.notaryAddr(5)]);
        // signatures over the update to k=2 do not authorise k=3
        const other = F.signSorted(await S.inbox.committeeUpdateDigest(2, 2, next), [1, 2, 3]);
        await L.expectRevert(S.inbox.rotate(next, 3, F.concat(other)), 'NotMember');
        const rcpt = await (await S.inbox.rotate(next, 3, F.concat(sigs.slice(1, 4)))).wait();
        console.log(`     gas: rotate to 4 members, k=3: ${rcpt.gasUsed}`);
        const ev = S.inbox.interface.parseLog(rcpt.logs[0]);
        assert.strictEqual(ev.name, 'CommitteeRotated');
        assert.strictEqual(ev.args.epoch, 2n);
        assert.deepStrictEqual([...ev.args.members], next);
        assert.strictEqual(await S.inbox.epoch(), 2n);
        assert.deepStrictEqual([...await S.inbox.members()], next);
        assert.strictEqual(await S.inbox.isMember(F.notaryAddr(1)), false);
        assert.strictEqual(await S.inbox.isMember(F.notaryAddr(5)), true);
        // the same update cannot be replayed: the digest now names epoch 3
        await L.expectRevert(S.inbox.rotate(next, 3, F.concat(sigs.slice(1, 4))), 'NotMember');
    });

    await T.test('stale epoch: an epoch-1 certificate fails after rotate; epoch 2 delivers', async () => {
        const id = await S.inbox.messageId(tuple(S.msg2));
        const digest1 = ethers.solidityPackedKeccak256(['bytes1', 'string', 'bytes32', 'uint64', 'bytes32'],
            ['0x19', 'Qiao attestation v1', F.C.committeeId, 1, id]);
        const stale = F.signSorted(digest1, [2, 3, 4]);
        await L.expectRevert(S.inbox.deliver(tuple(S.msg2), F.concat(stale)), 'NotMember');
        const digest2 = await S.inbox.attestationDigest(id);
        await L.expectRevert(S.inbox.deliver(tuple(S.msg2), F.concat(F.signSorted(digest2, [1, 2, 3]))),
            'NotMember', [F.notaryAddr(1)]);
        const fresh = F.signSorted(digest2, [5, 3, 2]);
        const rcpt = await (await S.inbox.deliver(tuple(S.msg2), F.concat(fresh))).wait();
        assert.strictEqual(rcpt.status, 1);
        assert.strictEqual(await S.inbox.consumed(id), true);
        assert.strictEqual((await S.registry.record(id)).sender, L.ethers.computeAddress(L.devKey(1)));
    });

    await T.test('EvidenceRegistry accepts calls from its Inbox only', async () => {
        const reg = S.registry.connect(S.dst.wallet(2));
        await L.expectRevert(reg.qiaoReceive(ethers.ZeroHash, 7003, F.MESSAGE.sender, '0x'), 'OnlyInbox');
        await L.expectRevert(reg.record(ethers.ZeroHash), 'UnknownRecord');
    });
}

main().catch((e) => T.fail(e)).finally(async () => {
    for (const n of [S.src, S.dst, S.other]) if (n) await L.stopAnvil(n);
    T.finish();
});
