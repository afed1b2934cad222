#!/usr/bin/env node
// swap_demo.js: the demo's swap step (docs/DEMO.md, section 6): one atomic swap between the trade
// chain (7002, the devnet's HashedTimelock) and Bitcoin regtest, driven by a relay, each step
// printed with its block heights.
//
//   node scripts/swap_demo.js --dir demo-out
//
// It needs a running devnet (scripts/devnet.js up) and starts, under DIR/swap/, what the swap
// needs besides: a bcoin regtest node without an API key (the relay's config has no field for a
// Bitcoin RPC password; docs/HTLC.md) mined to CLTV activation, and a single-notary swap relay
// (`qiao run` with anvil dev key 5 in a plaintext key file: a demo network, not the devnet's
// committee).  Alice (dev account 7) swaps 1 ETH on the trade chain for bob's (dev account 8)
// 0.5 BTC.  Everything it started is stopped by PID when it exits, success or failure.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const procs = require('./devnet/procs.js');
const btcswap = require('./devnet/btcswap.js');

const ROOT = path.resolve(__dirname, '..');
const { ethers } = require(require.resolve('ethers', { paths: [ROOT] }));
const QIAO = process.env.QIAO_BIN || path.join(ROOT, 'build/qiao');
const DEV_KEYS = { // anvil's published dev keys (test networks only)
    5: '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
    7: '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
    8: '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
};
const BTC_CHAIN = 18444;
const SAT = 50000000;
const FEE = 2000;
const READY = 1360; // bcoin regtest: CHECKLOCKTIMEVERIFY is enforced from 1351
const UNUSED = '0x000000000000000000000000000000000000dEaD';
const started = [];
const say = (s) => console.log(`  ${s}`);

function argDir() {
    const i = process.argv.indexOf('--dir');
    if (i < 0 || !process.argv[i + 1]) throw new Error('usage: swap_demo.js --dir DIR');
    return path.resolve(process.argv[i + 1]);
}

async function startBcoin(dir) {
    const [port] = await procs.freePorts(1);
    const rec = procs.startProc('swap-bcoin', btcswap.bcoinArgv(path.join(ROOT, 'node_modules/.bin/bcoin'),
        port, path.join(dir, 'bcoin')), path.join(dir, 'bcoin.log'));
    started.push(rec);
    const btc = new btcswap.BcoinClient(`http://127.0.0.1:${port}`);
    await procs.waitReady(rec, async () => typeof (await btc.height()) === 'number', 30000);
    return btc;
}

async function startRelay(dir, trade, other, btcUrl) {
    const [api, mesh] = await procs.freePorts(2);
    const w = new ethers.Wallet(DEV_KEYS[5]);
    const keyFile = path.join(dir, 'key.json');
    fs.writeFileSync(keyFile, JSON.stringify({ version: 1, address: w.address, insecure_plaintext: true,
        secret: w.privateKey.slice(2) }), { mode: 0o600 });
    const evm = (c) => ({ id: c.chainId, name: c.name, family: 'evm', endpoints: { http: [c.http] },
        finality: { confirmations: 1 }, contracts: { outbox: UNUSED, inbox: UNUSED } });
    const cfg = path.join(dir, 'config.json');
    fs.writeFileSync(cfg, JSON.stringify({
        version: 1, notary: { address: w.address, key_file: keyFile },
        committee: { id: '0x' + '22'.repeat(32), epoch: 1, members: [w.address], k: 1 },
        chains: [evm(trade), evm(other), { id: BTC_CHAIN, name: 'bitcoin-regtest', family: 'bitcoin',
            endpoints: { http: [btcUrl] }, finality: { confirmations: 1 } }],
        // The config needs a lane; no Outbox or Inbox lives at UNUSED, so no message moves.
        lanes: [{ src: trade.chainId, dst: other.chainId }], peers: [],
        store: { path: path.join(dir, 'store.db') }, api: { listen: `127.0.0.1:${api}` },
        mesh: { listen: `127.0.0.1:${mesh}` },
    }, null, 1));
    const rec = procs.startProc('swap-relay', [QIAO, '--log-level', 'info', 'run', '--config', cfg,
        '--insecure-plaintext-key'], path.join(dir, 'relay.log'));
    started.push(rec);
    const url = `http://127.0.0.1:${api}`;
    const cli = (args) => spawnSync(QIAO, ['swap', ...args, '--api', url, '--json'], { encoding: 'utf8' });
    await procs.waitReady(rec, async () => cli(['list']).status === 0, 20000);
    return { cli, pub: Buffer.from(ethers.SigningKey.computePublicKey(DEV_KEYS[5], true).slice(2), 'hex') };
}

async function main() {
    const dir = argDir();
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'devnet.json'), 'utf8'));
    const trade = doc.chains.find((c) => c.chainId === 7002);
    const other = doc.chains.find((c) => c.chainId !== 7002);
    const sdir = path.join(dir, 'swap');
    fs.rmSync(sdir, { recursive: true, force: true });
    fs.mkdirSync(sdir, { recursive: true });

    const btc = await startBcoin(sdir);
    const bob = { btc: btcswap.key(0xb2) };
    const alice = { btc: btcswap.key(0xa1) };
    const burn = btcswap.burnAddress();
    const [cbBlock] = await btc.mine(1, bob.btc.addr.toString('regtest'));
    let coin = btcswap.bcoin.Coin.fromTX(await btc.tx((await btc.rpc('getblock', [cbBlock])).tx[0]), 0, 1);
    for (let h = await btc.height(); h < READY; h = await btc.height()) await btc.mine(Math.min(500, READY - h), burn);
    say(`bitcoin regtest (bcoin) at height ${await btc.height()}: CLTV active; bob's coinbase matured`);

    const relay = await startRelay(sdir, trade, other, btc.url);
    const provider = new ethers.JsonRpcProvider(trade.http, 7002, { staticNetwork: true, pollingInterval: 100 });
    alice.eth = new ethers.Wallet(DEV_KEYS[7], provider);
    bob.eth = new ethers.Wallet(DEV_KEYS[8], provider);
    const abi = JSON.parse(fs.readFileSync(path.join(doc.artifacts, 'HashedTimelock.json'), 'utf8')).abi;
    const htlc = new ethers.Contract(trade.contracts.hashedTimelock, abi, provider);
    say(`swap relay: pid ${started[1].pid}, log ${path.relative(ROOT, path.join(sdir, 'relay.log'))}`);

    // Terms: alice (initiator) locks 1 ETH on 7002 until T1; bob locks 0.5 BTC until height T.
    const preimage = crypto.randomBytes(32);
    const hashlock = '0x' + crypto.createHash('sha256').update(preimage).digest('hex');
    const tip = await btc.height();
    const now = Math.max(Number((await provider.getBlock('latest')).timestamp), await btc.tipTime(),
        Math.floor(Date.now() / 1000));
    const T = tip + 40;
    const script = btcswap.htlcScript(Buffer.from(hashlock.slice(2), 'hex'), alice.btc.pub, bob.btc.pub, T);
    const terms = {
        format: 'qiao-swap/1', hashlock, preimage_len: 32, margin_s: 300, claim_for_counterparty: true,
        initiator: { chain: 7002, family: 'evm', contract: htlc.target, hash: 'sha256',
            sender: alice.eth.address, receiver: bob.eth.address, amount: (10n ** 18n).toString(),
            timelock: now + 900, finality_s: 5, submit_s: 5 },
        participant: { chain: BTC_CHAIN, family: 'bitcoin', hash: 'sha256',
            sender: '0x' + bob.btc.pub.toString('hex'), receiver: '0x' + alice.btc.pub.toString('hex'),
            amount: String(SAT), timelock: now + 300, timelock_height: T, block_s_min: 1, block_s_max: 5,
            finality_s: 5, submit_s: 5, from_height: tip },
    };
    const termsFile = path.join(sdir, 'terms.json');
    fs.writeFileSync(termsFile, JSON.stringify(terms, null, 1));
    const r = relay.cli(['propose', termsFile]);
    if (r.status !== 0) throw new Error(`qiao swap propose: ${r.stderr}`);
    const id = JSON.parse(r.stdout).id;
    say(`1. proposed swap ${id.slice(0, 18)}…: hashlock ${hashlock.slice(0, 18)}…, ` +
        `T1 = ${terms.initiator.timelock} s on 7002, T = height ${T} on bitcoin (deadline ${terms.participant.timelock} s)`);

    const show = () => JSON.parse(relay.cli(['show', id]).stdout);
    const wait = async (phases, mine) => {
        for (let i = 0; i < 300; i++) {
            const s = show();
            if (phases.includes(s.phase)) return s;
            if (mine && i % 5 === 4) await btc.mine(1, burn);
            await btcswap.sleep(200);
        }
        throw new Error(`swap stuck in ${show().phase} (wanted ${phases}); see ${sdir}/relay.log`);
    };

    const lockRc = await (await htlc.connect(alice.eth).lock(bob.eth.address, hashlock,
        terms.initiator.timelock, { value: 10n ** 18n })).wait();
    say(`2. alice locks 1 ETH on 7002 for bob: block ${lockRc.blockNumber}, tx ${lockRc.hash.slice(0, 18)}…`);
    const lockTx = btcswap.fund(coin, bob.btc, script, SAT, FEE);
    if (!(await btc.accepted(lockTx))) throw new Error('bob\'s lock was refused');
    coin = btcswap.bcoin.Coin.fromTX(lockTx, 1, -1);
    await btc.mine(1, burn);
    say(`3. bob locks 0.5 BTC to ${btcswap.p2wsh(script).toString('regtest')}: height ${await btc.height()}, txid ${lockTx.txid().slice(0, 16)}…`);
    let s = await wait(['both-locked']);
    say(`4. relay saw both locks in proven blocks: 7002 block ${s.initiator.seen_height}, bitcoin height ${s.participant.seen_height}`);

    const claim = btcswap.htlcSpend(lockTx, 0, script, alice.btc.ring.privateKey, alice.btc.addr,
        [preimage, Buffer.from([1])], FEE);
    if (!(await btc.accepted(claim))) throw new Error('alice\'s claim was refused');
    await btc.mine(1, burn);
    say(`5. alice claims the BTC with the preimage: height ${await btc.height()}, txid ${claim.txid().slice(0, 16)}…`);
    const bobBefore = await provider.getBalance(bob.eth.address);
    s = await wait(['completed'], true);
    const paid = await provider.getBalance(bob.eth.address) - bobBefore;
    say(`6. relay read the preimage from the witness (bitcoin height ${s.participant.seen_height}) and claimed ` +
        `the ETH for bob: 7002 block ${s.initiator.seen_height}, tx ${s.initiator.sent_tx.slice(0, 18)}…`);
    say(`7. completed: bob +${ethers.formatEther(paid)} ETH (he sent nothing on 7002), alice +${(SAT - FEE) / 1e8} BTC`);
}

async function stopAll() {
    for (const rec of started.reverse()) await procs.stopProc(rec).catch(() => {});
}

process.on('SIGINT', () => { stopAll().finally(() => process.exit(130)); });
process.on('SIGTERM', () => { stopAll().finally(() => process.exit(143)); });
main().then(stopAll, async (e) => {
    console.error(`swap demo: ${e.message}`);
    await stopAll();
    process.exitCode = 1;
});
