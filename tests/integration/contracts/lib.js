// lib.js: shared helpers for the contract tests: start/stop real anvil nodes by PID on free
// 127.0.0.1 ports, compile and deploy the contracts, a tiny test runner that ends with the
// "N passed, N failed" line ctest reads, and revert assertions on custom errors.
'use strict';
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');
const ethers = require(require.resolve('ethers', { paths: [ROOT] }));
const build = require(path.join(ROOT, 'adapters/evm/contracts/build.js'));
const deploy = require(path.join(ROOT, 'adapters/evm/contracts/deploy.js'));

// anvil's well-known development accounts (mnemonic "test test ... junk").
const MNEMONIC = 'test test test test test test test test test test test junk';
function devKey(i) {
    return ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

async function rawRpc(url, method, params) {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const j = await res.json();
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result;
}

const nodes = new Set();
function killAll() {
    for (const n of nodes) {
        try { process.kill(n.pid, 'SIGKILL'); } catch (e) { /* already gone */ }
    }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(1); });

/** Start anvil on a free port; retries when the port was taken in between. */
async function startAnvil(chainId, extraArgs = []) {
    const bin = path.join(ROOT, 'node_modules/.bin/anvil');
    if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run ./run test (npm ci installs the kit)`);
    for (let attempt = 0; attempt < 5; attempt++) {
        const port = await freePort();
        const child = spawn(bin, ['--host', '127.0.0.1', '--port', String(port), '--chain-id',
            String(chainId), '--silent', ...extraArgs], { stdio: ['ignore', 'ignore', 'ignore'] });
        const node = { pid: child.pid, child, port, url: `http://127.0.0.1:${port}`, chainId, exited: false };
        child.on('exit', () => { node.exited = true; });
        nodes.add(node);
        for (let i = 0; i < 200 && !node.exited; i++) {
            try {
                if (Number(await rawRpc(node.url, 'eth_chainId', [])) === chainId) {
                    node.provider = new ethers.JsonRpcProvider(node.url, chainId,
                        { staticNetwork: true, pollingInterval: 20, batchMaxCount: 1, cacheTimeout: -1 });
                    node.rpc = (m, p = []) => rawRpc(node.url, m, p);
                    node.wallet = (i) => new ethers.Wallet(devKey(i), node.provider);
                    return node;
                }
            } catch (e) { /* not up yet */ }
            await sleep(50);
        }
        await stopAnvil(node);
    }
    throw new Error(`anvil for chain ${chainId} did not start`);
}

/** SIGTERM by PID, SIGKILL after 5 s. */
async function stopAnvil(node) {
    if (node.provider) node.provider.destroy();
    const signal = (sig) => {
        try { process.kill(node.pid, sig); } catch (e) { /* already exited */ }
    };
    if (!node.exited) {
        const t0 = Date.now();
        signal('SIGTERM');
        for (let i = 0; i < 100 && !node.exited; i++) await sleep(50);
        if (!node.exited) {
            console.log(`note: anvil pid ${node.pid} ignored SIGTERM for ${Date.now() - t0} ms; SIGKILL`);
            signal('SIGKILL');
            for (let i = 0; i < 100 && !node.exited; i++) await sleep(50);
        }
    }
    nodes.delete(node);
}

/** Artifacts: the directory given as argv[2] (ctest fixture), compiled here when absent. */
function artifacts() {
    const dir = process.argv[2] || path.join(ROOT, 'build/tests/integration/contracts/artifacts');
    if (!fs.existsSync(path.join(dir, 'TestToken.json'))) {
        build.writeArtifacts(build.compile([path.join(ROOT, 'adapters/evm/contracts'), __dirname]), dir);
    }
    return dir;
}

async function deployContract(wallet, dir, name, args = []) {
    const a = deploy.loadArtifact(dir, name);
    const c = await new ethers.ContractFactory(a.abi, a.bytecode, wallet).deploy(...args);
    await c.waitForDeployment();
    return c;
}

// Every custom error of every compiled contract, to decode revert data of sends (ethers only
// decodes it itself for static calls).
let errorIface = null;
function errorInterface() {
    if (errorIface) return errorIface;
    const dir = artifacts();
    const seen = new Map();
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
        for (const e of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).abi || []) {
            if (e.type !== 'error') continue;
            const frag = ethers.ErrorFragment.from(e);
            seen.set(frag.format('sighash'), frag);
        }
    }
    errorIface = new ethers.Interface([...seen.values()]);
    return errorIface;
}

function decodeRevert(err) {
    if (err.revert) return err.revert;
    const data = err.data || (err.info && err.info.error && err.info.error.data);
    if (typeof data !== 'string' || data.length < 10) return null;
    try {
        const e = errorInterface().parseError(data);
        return e ? { name: e.name, args: [...e.args] } : null;
    } catch (x) {
        return null;
    }
}

/** Await a call expected to revert with custom error `name` (and args, when given). */
async function expectRevert(promise, name, args) {
    let err = null;
    try {
        await promise;
    } catch (e) {
        err = e;
    }
    assert.ok(err, `expected revert ${name}, but the call succeeded`);
    const rev = decodeRevert(err);
    const got = rev ? rev.name : `(undecoded: ${err.shortMessage || err.message})`;
    assert.strictEqual(got, name, `expected revert ${name}, got ${got}`);
    const norm = (x) => (typeof x === 'bigint' ? x : String(x));
    if (args) assert.deepStrictEqual([...rev.args].map(norm), args.map(norm));
}

function runner(title) {
    let passed = 0;
    let failed = 0;
    return {
        async test(name, fn) {
            try {
                await fn();
                passed++;
                console.log(`ok   ${name}`);
            } catch (e) {
                failed++;
                console.log(`FAIL ${name}\n     ${String(e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
            }
        },
        finish() {
            console.log(`${title}: ${passed} passed, ${failed} failed`);
            console.log(`${passed} passed, ${failed} failed`);
            process.exitCode = failed || passed === 0 ? 1 : 0;
        },
        fail(e) {
            failed++;
            console.log(`FAIL setup: ${e.stack || e}`);
        },
    };
}

module.exports = {
    ethers, ROOT, devKey, startAnvil, stopAnvil, artifacts, deployContract, expectRevert, runner,
    deploy, sleep,
};
