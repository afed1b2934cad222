// relay.js: one real `qiao run` notary for the swap tests, driven through `qiao swap` (its API)
// and its WebSocket; shared by test_swap_evm.js and test_swap_btc.js.  Chains are
// {chainId, url, family?} (family defaults to evm).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const WebSocket = require('ws');
const lib = require('../contracts/lib.js');

const { ethers, ROOT, sleep } = lib;
const QIAO = process.env.QIAO_BIN || path.join(ROOT, 'build/qiao');
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
            chains: this.chains.map((c) => (c.family === 'bitcoin'
                ? { id: c.chainId, name: `c${c.chainId}`, family: 'bitcoin',
                    endpoints: { http: [c.url] }, finality: { confirmations: 1 } }
                : { id: c.chainId, name: `c${c.chainId}`, family: 'evm',
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

module.exports = { Relay, freePort, sha256, NOTARY };
