// test_swap_evm.js: relay-driven HTLC swaps between two real anvil chains (7001, 7002) with the
// real HashedTimelock deployed on each and one real `qiao run` notary driving the swaps through
// `qiao swap` (its API).  Nothing is mocked.  Cases: redeem with the relay killed and restarted
// mid-swap (it carries the preimage and claims for the participant: a third party's claim that
// pays the receiver), refund of both legs after expiry (evm_increaseTime), a counterparty that
// never locks, refusals at propose (timelock order, hash mismatch, preimage length), the contract
// refusing 31/33/521-byte preimages, a claim racing a refund at exactly T, and the `swaps` events
// on the API's WebSocket (/ws) during the refund case.
'use strict';
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('../contracts/lib.js');
const { Relay, sha256 } = require('./relay.js');

const { ethers, sleep } = lib;
const ETH = 10n ** 18n;

async function chainTime(node) {
    return Number((await node.provider.getBlock('latest', false)).timestamp);
}

async function warp(nodes, seconds) {
    for (const n of nodes) {
        await n.rpc('evm_increaseTime', [seconds]);
        await n.rpc('evm_mine', []);
    }
}

function legTerms(node, htlc, sender, receiver, amount, timelock) {
    return { chain: node.chainId, family: 'evm', contract: htlc.target, hash: 'sha256',
        sender, receiver, amount: amount.toString(), timelock, finality_s: 5, submit_s: 5 };
}

async function main() {
    const t = lib.runner('swap_evm');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-swap-'));
    const A = await lib.startAnvil(7001, ['--block-time', '1', '--mixed-mining']);
    const B = await lib.startAnvil(7002, ['--block-time', '1', '--mixed-mining']);
    const relay = new Relay(dir, [A, B]);
    try {
        const art = lib.artifacts();
        const htlcA = await lib.deployContract(A.wallet(0), art, 'HashedTimelock');
        const htlcB = await lib.deployContract(B.wallet(0), art, 'HashedTimelock');
        const alice = { A: A.wallet(1), B: B.wallet(1) };
        const bob = { A: A.wallet(2), B: B.wallet(2) };
        const carol = B.wallet(3);
        await relay.writeConfig();
        await relay.start();

        const newSwap = async (preimage, t2Off = 300, t1Off = 900) => {
            const now = Math.max(await chainTime(A), await chainTime(B));
            const terms = {
                format: 'qiao-swap/1', hashlock: sha256(preimage), preimage_len: 32, margin_s: 300,
                claim_for_counterparty: true,
                initiator: legTerms(A, htlcA, alice.A.address, bob.A.address, ETH, now + t1Off),
                participant: legTerms(B, htlcB, bob.B.address, alice.B.address, ETH / 2n, now + t2Off),
            };
            return terms;
        };
        const proposeOk = async (terms) => {
            let r;
            for (let i = 0; i < 50; i++) { // the relay needs each chain's verified tip first
                r = relay.propose(terms);
                if (r.status === 0 || !/chain-not-ready|no verified tip/.test(r.stderr)) break;
                await sleep(200);
            }
            assert.strictEqual(r.status, 0, r.stderr);
            return JSON.parse(r.stdout).id;
        };
        const lockBoth = async (terms) => {
            await (await htlcA.connect(alice.A).lock(bob.A.address, terms.hashlock,
                terms.initiator.timelock, { value: ETH })).wait();
            await (await htlcB.connect(bob.B).lock(alice.B.address, terms.hashlock,
                terms.participant.timelock, { value: ETH / 2n })).wait();
        };

        await t.test('refused at propose: timelock order, hash mismatch, preimage length', async () => {
            const base = await newSwap(crypto.randomBytes(32));
            const cases = [
                [{ ...base, initiator: { ...base.initiator, timelock: base.participant.timelock + 10 } },
                    'timelock-order'],
                [{ ...base, participant: { ...base.participant, hash: 'keccak256' } }, 'hash-mismatch'],
                [{ ...base, preimage_len: 31 }, 'preimage-length'],
                [{ ...base, preimage_len: 33 }, 'preimage-length'],
                [{ ...base, preimage_len: 521 }, 'preimage-length'],
                [{ ...base, initiator: { ...base.initiator, receiver: carol.address } }, 'recipient-mismatch'],
            ];
            for (const [terms, reason] of cases) {
                const r = relay.propose(terms);
                assert.strictEqual(r.status, 1, `expected refusal ${reason}`);
                assert.match(r.stderr, new RegExp(reason), r.stderr);
            }
            assert.strictEqual(JSON.parse(relay.cli(['list']).stdout).length, 0);
        });

        await t.test('the contract refuses 31, 33 and 521-byte preimages', async () => {
            const pre = crypto.randomBytes(521);
            const now = await chainTime(B);
            const h = sha256(pre.subarray(0, 32));
            await (await htlcB.connect(bob.B).lock(alice.B.address, h, now + 600, { value: 1000n })).wait();
            const id = await htlcB.lockId(bob.B.address, alice.B.address, ethers.ZeroAddress, 1000n, h, now + 600);
            for (const n of [31, 33, 521])
                await lib.expectRevert(htlcB.connect(alice.B).withdraw(id, pre.subarray(0, n)),
                    'BadPreimageLength', [BigInt(n)]);
        });

        await t.test('redeem, relay killed mid-swap and restarted, claim for the participant', async () => {
            const preimage = crypto.randomBytes(32);
            const terms = await newSwap(preimage);
            const id = await proposeOk(terms);
            assert.strictEqual(relay.propose(terms).status, 1, 'the same terms twice'); // swap-exists
            await lockBoth(terms);
            await relay.waitPhase(id, ['both-locked']);
            await relay.stop('SIGKILL'); // mid-swap, without warning
            const bobBefore = await A.provider.getBalance(bob.A.address);
            const idB = await htlcB.lockId(bob.B.address, alice.B.address, ethers.ZeroAddress, ETH / 2n,
                terms.hashlock, terms.participant.timelock);
            await (await htlcB.connect(alice.B).withdraw(idB, preimage)).wait(); // reveals
            await relay.start();
            const done = await relay.waitPhase(id, ['completed']);
            assert.strictEqual(done.preimage, '0x' + preimage.toString('hex'));
            assert.strictEqual(done.initiator.sent, 'claim');
            const bobAfter = await A.provider.getBalance(bob.A.address);
            assert.strictEqual(bobAfter - bobBefore, ETH, 'the relay paid bob (who sent nothing)');
            // The claim was submitted by the relay, a third party: Withdrawn names it.
            const logs = await htlcA.queryFilter(htlcA.filters.Withdrawn(done.initiator.lock_id));
            assert.strictEqual(logs.length, 1);
            assert.strictEqual(logs[0].args.submitter, relay.address);
            assert.strictEqual(logs[0].args.receiver, bob.A.address);
        });

        await t.test('refund of both legs after expiry (evm_increaseTime), swaps events on /ws', async () => {
            const sub = await relay.subscribe('swaps');
            for (let i = 0; i < 50 && !sub.id; i++) await sleep(50);
            assert.ok(sub.id, 'subscribe answered with a subscription id');
            const terms = await newSwap(crypto.randomBytes(32));
            const id = await proposeOk(terms);
            await lockBoth(terms);
            await relay.waitPhase(id, ['both-locked']);
            const bobBefore = await B.provider.getBalance(bob.B.address);
            await warp([A, B], 400); // past T2 only
            await relay.waitPhase(id, ['refunding']);
            assert.strictEqual(await B.provider.getBalance(bob.B.address) - bobBefore, ETH / 2n);
            const aliceBefore = await A.provider.getBalance(alice.A.address);
            await warp([A, B], 600); // past T1
            const done = await relay.waitPhase(id, ['refunded']);
            assert.strictEqual(done.initiator.sent, 'refund');
            assert.strictEqual(await A.provider.getBalance(alice.A.address) - aliceBefore, ETH);
            for (let i = 0; i < 40 && !sub.events.some((e) => e.phase === 'refunded'); i++) await sleep(50);
            sub.ws.close();
            const bad = sub.frames.find((f) => f.id === 2);
            assert.ok(bad && bad.error && /bad-topic/.test(JSON.stringify(bad.error)), 'unknown topic refused');
            const evs = sub.events.filter((e) => e.id === id);
            const names = evs.map((e) => e.event);
            assert.strictEqual(names[0], 'proposed', names.join(','));
            assert.strictEqual(evs[0].phase, 'proposed');
            for (const n of ['initiator-locked', 'participant-locked', 'participant-refunded', 'initiator-refunded'])
                assert.strictEqual(names.filter((x) => x === n).length, 1, `${n} once in ${names}`);
            assert.ok(names.filter((x) => x === 'refund-sent').length >= 2, names.join(','));
            assert.ok(names.indexOf('refund-sent') < names.indexOf('participant-refunded'), names.join(','));
            assert.ok(names.indexOf('participant-refunded') < names.indexOf('initiator-refunded'), names.join(','));
            assert.strictEqual(evs[evs.length - 1].phase, 'refunded');
            for (let i = 1; i < evs.length; i++) assert.ok(evs[i].at >= evs[i - 1].at, 'events in time order');
        });

        await t.test('a counterparty that never locks: refund after expiry, alert raised', async () => {
            const terms = await newSwap(crypto.randomBytes(32));
            const id = await proposeOk(terms);
            await (await htlcA.connect(alice.A).lock(bob.A.address, terms.hashlock,
                terms.initiator.timelock, { value: ETH })).wait();
            await relay.waitPhase(id, ['init-locked']);
            await warp([A, B], 1000);
            const done = await relay.waitPhase(id, ['refunded']);
            assert.strictEqual(done.participant.status, 'none');
            assert.ok(done.alerts & 2, 'never-locked alert');
            const r = relay.cli(['refund', id]);
            assert.strictEqual(r.status, 1, 'nothing left to refund');
        });

        await t.test('claim and refund racing at exactly T: exactly one succeeds', async () => {
            for (const [offset, winner] of [[0, 'Refunded'], [-1, 'Withdrawn']]) {
                const pre = crypto.randomBytes(32);
                const now = await chainTime(B);
                const T = now + 60;
                const h = sha256(pre);
                await (await htlcB.connect(bob.B).lock(alice.B.address, h, T, { value: 777n })).wait();
                const id = await htlcB.lockId(bob.B.address, alice.B.address, ethers.ZeroAddress, 777n, h, T);
                await B.rpc('evm_setAutomine', [false]);
                await B.rpc('evm_setIntervalMining', [0]);
                const gas = { gasLimit: 200000 };
                const c = await htlcB.connect(carol).withdraw(id, pre, gas);
                const r = await htlcB.connect(B.wallet(4)).refund(id, gas);
                await B.rpc('evm_setNextBlockTimestamp', [T + offset]);
                await B.rpc('evm_mine', []);
                await B.rpc('evm_setAutomine', [true]);
                await B.rpc('evm_setIntervalMining', [1]);
                const rc = await B.provider.getTransactionReceipt(c.hash);
                const rr = await B.provider.getTransactionReceipt(r.hash);
                assert.strictEqual(rc.status + rr.status, 1, `at T${offset ? offset : ''}: one success`);
                assert.strictEqual(rc.blockNumber, rr.blockNumber, 'same block');
                assert.strictEqual(rc.status === 1 ? 'Withdrawn' : 'Refunded', winner);
            }
        });
    } catch (e) {
        t.fail(e);
    } finally {
        await relay.stop();
        await lib.stopAnvil(A);
        await lib.stopAnvil(B);
    }
    t.finish();
    if (process.exitCode === 0) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir} (relay.log)`);
}

main();
