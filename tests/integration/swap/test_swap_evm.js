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
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');
const lib = require('../contracts/lib.js');

const { ethers, ROOT, sleep } = lib;
const QIAO = process.env.QIAO_BIN || path.join(ROOT, 'build/qiao');
const ETH = 10n ** 18n;
const UNUSED = '0x000000000000000000000000000000000000dEaD';
const NOTARY = 5; // anvil dev account 5 is the notary's key (plaintext key file: test network)

function freePort() {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    });
}

const sha256 = (b) => '0x' + crypto.createHash('sha256').update(b).digest('hex');

class Relay {
    constructor(dir, chains) {
        this.dir = dir; this.chains = chains; this.proc = null;
    }

    async writeConfig() {
        this.apiPort = await freePort();
        const meshPort = await freePort();
        const w = new ethers.Wallet(lib.devKey(NOTARY));
        this.address = w.address;
        const key = path.join(this.dir, 'key.json');
        fs.writeFileSync(key, JSON.stringify({ version: 1, address: w.address, insecure_plaintext: true,
            secret: w.privateKey.slice(2) }), { mode: 0o600 });
        this.cfg = path.join(this.dir, 'config.json');
        fs.writeFileSync(this.cfg, JSON.stringify({
            version: 1,
            notary: { address: w.address, key_file: key },
            committee: { id: '0x' + '11'.repeat(32), epoch: 1, members: [w.address], k: 1 },
            chains: this.chains.map((c) => ({ id: c.chainId, name: `c${c.chainId}`, family: 'evm',
                endpoints: { http: [c.url] }, finality: { confirmations: 1 },
                // The config needs a lane; no Outbox or Inbox lives at this address.
                contracts: { outbox: UNUSED, inbox: UNUSED } })),
            lanes: [{ src: this.chains[0].chainId, dst: this.chains[1].chainId }],
            peers: [],
            store: { path: path.join(this.dir, 'store.db') },
            api: { listen: `127.0.0.1:${this.apiPort}` },
            mesh: { listen: `127.0.0.1:${meshPort}` },
        }, null, 1));
        this.api = `http://127.0.0.1:${this.apiPort}`;
    }

    async start() {
        const log = fs.openSync(path.join(this.dir, 'relay.log'), 'a');
        this.proc = spawn(QIAO, ['--log-level', 'info', 'run', '--config', this.cfg,
            '--insecure-plaintext-key'], { stdio: ['ignore', log, log] });
        this.proc.on('exit', () => { this.proc = null; });
        for (let i = 0; i < 200; i++) {
            if (this.cli(['list']).status === 0) return;
            await sleep(100);
        }
        throw new Error('qiao run did not answer; see ' + path.join(this.dir, 'relay.log'));
    }

    async stop(signal = 'SIGTERM') {
        if (!this.proc) return;
        const p = this.proc;
        p.kill(signal);
        for (let i = 0; i < 100 && this.proc; i++) await sleep(50);
        if (this.proc) p.kill('SIGKILL');
        for (let i = 0; i < 100 && this.proc; i++) await sleep(50);
    }

    cli(args) {
        return spawnSync(QIAO, ['swap', ...args, '--api', this.api, '--json'], { encoding: 'utf8' });
    }

    propose(terms) {
        const f = path.join(this.dir, `terms-${crypto.randomBytes(4).toString('hex')}.json`);
        fs.writeFileSync(f, JSON.stringify(terms));
        return this.cli(['propose', f]);
    }

    show(id) {
        const r = this.cli(['show', id]);
        if (r.status !== 0) throw new Error(`qiao swap show: ${r.stderr}`);
        return JSON.parse(r.stdout);
    }

    // A WebSocket on /ws subscribed to `topic`; events land in .events, frames in .frames.
    subscribe(topic) {
        const ws = new WebSocket(this.api.replace('http:', 'ws:') + '/ws');
        const sub = { ws, events: [], frames: [], id: null };
        ws.on('message', (m) => {
            const f = JSON.parse(m.toString());
            sub.frames.push(f);
            if (f.method === 'subscription' && f.params.subscription === sub.id) sub.events.push(f.params.result);
            else if (f.id === 1 && f.result) sub.id = f.result;
        });
        return new Promise((resolve, reject) => {
            ws.on('error', reject);
            ws.on('open', () => {
                ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: [topic] }));
                ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'subscribe', params: ['nope'] }));
                resolve(sub);
            });
        });
    }

    async waitPhase(id, phases, ms = 30000) {
        let last = null;
        for (let t = 0; t < ms; t += 200) {
            last = this.show(id);
            if (phases.includes(last.phase)) return last;
            await sleep(200);
        }
        throw new Error(`swap ${id}: phase ${last && last.phase}, wanted ${phases}: ${JSON.stringify(last)}`);
    }
}

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
                if (r.status === 0 || !/chain-not-ready/.test(r.stderr)) break;
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
