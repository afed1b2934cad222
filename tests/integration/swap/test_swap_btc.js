// test_swap_btc.js: relay-driven swaps between a real anvil chain (7002, the real HashedTimelock)
// and a real bcoin regtest node, with one real `qiao run` notary following both and driven
// through `qiao swap`.  Nothing is mocked: the parties' Bitcoin transactions are built here with
// bcoin's own library (the same P2WSH script the relay derives from the terms) and broadcast to
// the node; the relay only ever sees the chains.  Cases:
//  - redeem: alice locks ETH, bob locks BTC; the node refuses claims with 31, 33 and 521-byte
//    preimages; the relay is SIGKILLed, alice claims the BTC (revealing the preimage), the relay
//    restarts, finds the claim in a proven block, carries the preimage and claims the ETH for bob;
//  - refund: bob delegated his Bitcoin refund key to the relay (the script's refund key is the
//    notary's key) and nobody claims: at height T the relay signs and broadcasts bob's refund to
//    bob's own address, then refunds alice's ETH after expiry (evm_increaseTime): both refunded;
//  - a counterparty that never locks: after height T and T1, alice's ETH is refunded and the
//    never-locked alert raised.
'use strict';
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('../contracts/lib.js');
const { Relay, freePort, sha256, NOTARY } = require('./relay.js');

const { ethers, ROOT, sleep } = lib;
const btcswap = require('../../../scripts/devnet/btcswap.js');

const { bcoin, BcoinClient, htlcScript, p2wsh, key, bcoinArgv } = btcswap;
const ETH = 10n ** 18n;
const BTC_CHAIN = 18444;
const SAT = 100000000;
const FEE = 2000;
const READY = 1360; // bcoin regtest: segwit from 432, CHECKLOCKTIMEVERIFY from 1351

class Bcoin extends BcoinClient {
    constructor() { super(null); }

    async start(dir) {
        this.port = await freePort();
        this.url = `http://127.0.0.1:${this.port}`;
        const argv = bcoinArgv(path.join(ROOT, 'node_modules/.bin/bcoin'), this.port, path.join(dir, 'bcoin'));
        this.proc = spawn(argv[0], argv.slice(1),
            { stdio: ['ignore', fs.openSync(path.join(dir, 'bcoin.log'), 'a'), 'ignore'] });
        this.proc.on('exit', () => { this.proc = null; });
        for (let i = 0; i < 300; i++) {
            try { if (typeof (await this.height()) === 'number') return; } catch (e) { /* not up */ }
            await sleep(100);
        }
        throw new Error('bcoin did not start');
    }

    async stop() {
        if (!this.proc) return;
        const p = this.proc;
        p.kill('SIGTERM');
        for (let i = 0; i < 60 && this.proc; i++) await sleep(50);
        if (this.proc) p.kill('SIGKILL');
    }
}

const hexBuf = (h) => Buffer.from(h.replace(/^0x/, ''), 'hex');
const htlcSpend = (lockTx, vout, script, priv, dest, items) =>
    btcswap.htlcSpend(lockTx, vout, script, priv, dest, items, FEE);

async function main() {
    const t = lib.runner('swap_btc');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-swapbtc-'));
    const btc = new Bcoin();
    let A = null;
    let B = null;
    let relay = null;
    try {
        await btc.start(dir);
        A = await lib.startAnvil(7001, ['--block-time', '1', '--mixed-mining']);
        B = await lib.startAnvil(7002, ['--block-time', '1', '--mixed-mining']);
        const htlcB = await lib.deployContract(B.wallet(0), lib.artifacts(), 'HashedTimelock');
        const alice = { B: B.wallet(1), btc: key(0xa1) };
        const bob = { B: B.wallet(2), btc: key(0xb2) };
        const burn = btcswap.burnAddress();
        const relayPub = hexBuf(ethers.SigningKey.computePublicKey(lib.devKey(NOTARY), true));

        // Bob's coins: a coinbase to his key, matured while mining to CLTV activation.
        const [cbBlock] = await btc.mine(1, bob.btc.addr.toString('regtest'));
        const cbTxid = (await btc.rpc('getblock', [cbBlock])).tx[0];
        let bobCoin = bcoin.Coin.fromTX(await btc.tx(cbTxid), 0, 1);
        for (let h = await btc.height(); h < READY; h = await btc.height()) await btc.mine(Math.min(500, READY - h), burn);

        relay = new Relay(dir, [A, B, { chainId: BTC_CHAIN, url: btc.url, family: 'bitcoin' }]);
        await relay.writeConfig();
        await relay.start();

        const newSwap = async (preimage, refundKey, heightOff, extra = {}) => {
            const tip = await btc.height();
            const now = Math.max(Number((await B.provider.getBlock('latest')).timestamp),
                await btc.tipTime(), Math.floor(Date.now() / 1000));
            const hashlock = sha256(preimage);
            const T = tip + heightOff;
            const script = htlcScript(hexBuf(hashlock), alice.btc.pub, refundKey, T);
            const terms = {
                format: 'qiao-swap/1', hashlock, preimage_len: 32, margin_s: 300, claim_for_counterparty: true,
                initiator: { chain: 7002, family: 'evm', contract: htlcB.target, hash: 'sha256',
                    sender: alice.B.address, receiver: bob.B.address, amount: ETH.toString(),
                    timelock: now + 900, finality_s: 5, submit_s: 5 },
                participant: { chain: BTC_CHAIN, family: 'bitcoin', hash: 'sha256',
                    sender: '0x' + refundKey.toString('hex'), receiver: '0x' + alice.btc.pub.toString('hex'),
                    amount: String(SAT), timelock: now + 300, timelock_height: T, block_s_min: 1,
                    block_s_max: 5, finality_s: 5, submit_s: 5, from_height: tip, ...extra },
            };
            return { terms, script, T };
        };
        const proposeOk = async (terms) => {
            let r;
            for (let i = 0; i < 50; i++) {
                r = relay.propose(terms);
                if (r.status === 0 || !/chain-not-ready|no verified tip/.test(r.stderr)) break;
                await sleep(200);
            }
            assert.strictEqual(r.status, 0, r.stderr);
            return JSON.parse(r.stdout).id;
        };
        const lockBoth = async (s) => {
            await (await htlcB.connect(alice.B).lock(bob.B.address, s.terms.hashlock,
                s.terms.initiator.timelock, { value: ETH })).wait();
            const tx = btcswap.fund(bobCoin, bob.btc, s.script, SAT, FEE);
            assert.ok(await btc.accepted(tx), 'bob\'s lock accepted');
            bobCoin = bcoin.Coin.fromTX(tx, 1, -1);
            await btc.mine(1, burn);
            return tx;
        };
        const waitMining = async (id, phases) => { // keeps bitcoin blocks coming while waiting
            for (let i = 0; i < 150; i++) {
                const s = relay.show(id);
                if (phases.includes(s.phase)) return s;
                if (i % 5 === 4) await btc.mine(1, burn);
                await sleep(200);
            }
            return relay.waitPhase(id, phases, 1000);
        };

        await t.test('refused at propose: a participant deadline before height T at the slowest', async () => {
            const s = await newSwap(crypto.randomBytes(32), bob.btc.pub, 40);
            // A first swap makes the relay follow the bitcoin chain (from_height anchors it).
            await proposeOk({ ...s.terms, hashlock: sha256(crypto.randomBytes(32)) });
            const { from_height: _, ...part } = s.terms.participant;
            const bad = { ...s.terms, participant: { ...part, block_s_max: 60 } };
            let r;
            for (let i = 0; i < 50; i++) { // chain-not-ready until the relay has a verified tip
                r = relay.propose(bad);
                if (!/chain-not-ready|no verified tip/.test(r.stderr)) break;
                await sleep(200);
            }
            assert.strictEqual(r.status, 1);
            // The notary's refusal (reason height-deadline) reaches the CLI as its message.
            assert.match(r.stderr, /before the latest expected time of height/, r.stderr);
        });

        await t.test('redeem: node refuses 31/33/521-byte preimages; relay killed, restarted, claims ETH for bob', async () => {
            const preimage = crypto.randomBytes(32);
            const s = await newSwap(preimage, bob.btc.pub, 40);
            const id = await proposeOk(s.terms);
            const lockTx = await lockBoth(s);
            await relay.waitPhase(id, ['both-locked']);
            for (const n of [31, 33, 521]) {
                const bad = Buffer.concat([preimage, crypto.randomBytes(521)]).subarray(0, n);
                const tx = htlcSpend(lockTx, 0, s.script, alice.btc.ring.privateKey, alice.btc.addr, [bad, Buffer.from([1])]);
                assert.strictEqual(await btc.accepted(tx), false, `${n}-byte preimage refused by the node`);
            }
            await relay.stop('SIGKILL');
            const bobBefore = await B.provider.getBalance(bob.B.address);
            const claim = htlcSpend(lockTx, 0, s.script, alice.btc.ring.privateKey, alice.btc.addr,
                [preimage, Buffer.from([1])]);
            assert.ok(await btc.accepted(claim), 'alice\'s claim accepted');
            await btc.mine(1, burn);
            await relay.start();
            const done = await relay.waitPhase(id, ['completed'], 60000);
            assert.strictEqual(done.preimage, '0x' + preimage.toString('hex'));
            assert.strictEqual(done.participant.status, 'claimed');
            assert.strictEqual(done.initiator.sent, 'claim');
            assert.strictEqual(await B.provider.getBalance(bob.B.address) - bobBefore, ETH, 'the relay paid bob');
        });

        await t.test('refund: delegated bitcoin refund at height T, then the ETH after expiry', async () => {
            const s = await newSwap(crypto.randomBytes(32), relayPub, 8,
                { refund_to: '0x' + bob.btc.spk.toString('hex'), fee_sat: FEE });
            const id = await proposeOk(s.terms);
            await lockBoth(s);
            await relay.waitPhase(id, ['both-locked']);
            assert.strictEqual(relay.show(id).participant.sent, 'none', 'nothing sent before T');
            const st = await waitMining(id, ['refunding']);
            assert.strictEqual(st.participant.status, 'refunded');
            assert.strictEqual(st.participant.sent, 'refund');
            const refund = await btc.tx(Buffer.from(st.participant.sent_tx.slice(2), 'hex').reverse().toString('hex'));
            assert.strictEqual(refund.locktime, s.T, 'nLockTime = T');
            assert.strictEqual(refund.outputs.length, 1);
            assert.strictEqual(refund.outputs[0].script.toRaw().toString('hex'), bob.btc.spk.toString('hex'));
            assert.strictEqual(refund.outputs[0].value, SAT - FEE, 'bob gets his coins back less the fee');
            const aliceBefore = await B.provider.getBalance(alice.B.address);
            // T1 counts from the latest of the chains' clocks, and bcoin's fast-mined blocks run
            // ahead of the wall clock: move anvil just past T1.
            const bTime = Number((await B.provider.getBlock('latest')).timestamp);
            await B.rpc('evm_increaseTime', [s.terms.initiator.timelock - bTime + 2]);
            await B.rpc('evm_mine', []);
            const done = await relay.waitPhase(id, ['refunded'], 60000);
            assert.strictEqual(done.initiator.sent, 'refund');
            assert.strictEqual(await B.provider.getBalance(alice.B.address) - aliceBefore, ETH);
        });
        await t.test('bob never locks: alice refunded after expiry, never-locked alert', async () => {
            const s = await newSwap(crypto.randomBytes(32), bob.btc.pub, 5);
            const id = await proposeOk(s.terms);
            await (await htlcB.connect(alice.B).lock(bob.B.address, s.terms.hashlock,
                s.terms.initiator.timelock, { value: ETH })).wait();
            await relay.waitPhase(id, ['init-locked']);
            await btc.mine(6, burn); // past height T: bob can no longer be expected to lock
            const bTime = Number((await B.provider.getBlock('latest')).timestamp);
            const aliceBefore = await B.provider.getBalance(alice.B.address);
            await B.rpc('evm_increaseTime', [s.terms.initiator.timelock - bTime + 2]);
            await B.rpc('evm_mine', []);
            const done = await relay.waitPhase(id, ['refunded'], 60000);
            assert.strictEqual(done.participant.status, 'none');
            assert.ok(done.alerts & 2, 'never-locked alert');
            assert.strictEqual(await B.provider.getBalance(alice.B.address) - aliceBefore, ETH);
        });
    } catch (e) {
        t.fail(e);
    } finally {
        if (relay) await relay.stop();
        if (A) await lib.stopAnvil(A);
        if (B) await lib.stopAnvil(B);
        await btc.stop();
    }
    t.finish();
    if (process.exitCode === 0) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir} (relay.log, bcoin.log)`);
}

main();
