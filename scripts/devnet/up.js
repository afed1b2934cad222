// up.js: bring a whole devnet up (chains, contracts, links, funded notary keys, configurations,
// DIR/devnet.json) and take it down again by PID.
//
// `up` is all or nothing: when any step fails, or a signal arrives, every process it started is
// stopped before it exits, and no devnet.json is written.  devnet.json is written last, atomically,
// and is the only thing `down` trusts.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const procs = require('./procs');
const chains = require('./chains');
const notaries = require('./notaries');

const ROOT = chains.ROOT;
const ethers = require(require.resolve('ethers', { paths: [ROOT] }));
const build = require(path.join(ROOT, 'adapters/evm/contracts/build.js'));
const deploy = require(path.join(ROOT, 'adapters/evm/contracts/deploy.js'));

// anvil's published development accounts ("test test ... junk"): index 0 deploys and funds,
// index 1 is the default message sender, index 2 submits hand-made Inbox calls (`submit`), so
// the three never race for nonces.  Published keys: test networks only.
const MNEMONIC = 'test test test test test test test test test test test junk';
function devAccount(i) {
    const w = ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
    return { index: i, address: w.address, privateKey: w.privateKey };
}

const COMMITTEE_ID = ethers.keccak256(ethers.toUtf8Bytes('qiao-devnet-committee'));
const FUND_WEI = ethers.parseEther('1000');

function log(opts, msg) {
    if (!opts.quiet) process.stderr.write(`devnet: ${msg}\n`);
}

function devnetFile(dir) {
    return path.join(dir, 'devnet.json');
}

function readDevnet(dir) {
    const file = devnetFile(dir);
    if (!fs.existsSync(file)) throw new Error(`${file} not found: run \`devnet.js up --dir ${dir}\` first`);
    return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Refuse a non-empty DIR, unless --fresh: then take down what it records and empty it. */
async function prepareDir(opts) {
    const dir = opts.dir;
    if (fs.existsSync(dir) && fs.readdirSync(dir).length) {
        if (!opts.fresh) throw new Error(`${dir} is not empty (use --fresh to take it down and reuse it)`);
        if (fs.existsSync(devnetFile(dir))) await down({ ...opts, quiet: true });
        for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Contract artifacts: --artifacts DIR as given, or compiled now into DIR/artifacts. */
function artifacts(opts) {
    if (opts.artifacts) {
        if (!fs.existsSync(path.join(opts.artifacts, 'Inbox.json')))
            throw new Error(`${opts.artifacts}/Inbox.json missing (compile with build.js first)`);
        return path.resolve(opts.artifacts);
    }
    const dir = path.join(opts.dir, 'artifacts');
    build.writeArtifacts(build.compile([path.join(ROOT, 'adapters/evm/contracts')]), dir);
    return dir;
}

/** Deploy the contract set on every chain, then trust each chain's Outbox in every Inbox. */
async function deployContracts(net, artifactsDir, deployer) {
    const records = [];
    for (const c of net.chains) {
        const rec = await deploy.deployAll({
            rpcUrl: c.http, privateKey: deployer.privateKey, artifactsDir,
            committeeId: net.committee.id, epoch: net.committee.epoch, members: net.committee.members,
            k: net.committee.k,
        });
        if (rec.chainId !== c.chainId) throw new Error(`${c.name}: deployed on chain ${rec.chainId}`);
        c.contracts = { outbox: rec.outbox, inbox: rec.inbox, evidenceRegistry: rec.evidenceRegistry,
            hashedTimelock: rec.hashedTimelock };
        c.deployBlock = rec.blockNumber;
        records.push(rec);
    }
    await deploy.linkAll(records, deployer.privateKey, artifactsDir);
}

/** Give every notary FUND_WEI on every chain (they pay for deliveries). */
async function fundNotaries(net, deployer) {
    for (const c of net.chains) {
        const { provider, wallet } = deploy.connect(c.http, deployer.privateKey);
        for (const n of net.notaries) await (await wallet.sendTransaction({ to: n.address, value: FUND_WEI })).wait();
        provider.destroy();
    }
}

/** Record each chain's current tip as the notaries' trusted checkpoint. */
async function checkpoints(net) {
    for (const c of net.chains) {
        const b = await procs.rpc(c.http, 'eth_getBlockByNumber', ['latest', false]);
        c.checkpoint = { height: Number(b.number), hash: b.hash };
    }
}

/** Ports, paths and keys of every notary. */
async function makeNotaries(net, opts, pass, taken) {
    const ports = await procs.freePorts(2 * opts.notaries, taken);
    ports.forEach((p) => taken.add(p));
    for (let i = 0; i < opts.notaries; i++) {
        const n = notaries.keygen(opts.qiao, net.dir, i, pass);
        Object.assign(n, {
            config: path.join(n.dir, 'config.json'), store: path.join(n.dir, 'store.db'),
            log: path.join(n.dir, 'qiao.log'), pidFile: path.join(n.dir, 'pid'),
            apiListen: `127.0.0.1:${ports[2 * i]}`, apiUrl: `http://127.0.0.1:${ports[2 * i]}`,
            meshListen: `127.0.0.1:${ports[2 * i + 1]}`, meshUrl: `ws://127.0.0.1:${ports[2 * i + 1]}`,
        });
        net.notaries.push(n);
    }
    net.committee.members = deploy.sortAddresses(net.notaries.map((n) => n.address));
}

function checkThreshold(opts) {
    const n = opts.notaries;
    const k = opts.k;
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error('--notaries must be 1..16');
    if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`--k must be 1..${n}`);
    if (k < Math.ceil((2 * n) / 3) && !opts.allowLowThreshold)
        throw new Error(`--k ${k} is below ceil(2n/3) = ${Math.ceil((2 * n) / 3)}; add --allow-low-threshold`);
}

/** The devnet.json document (see docs/DEMO.md for every field). */
function document(net, procList, bitcoin, pass, deployer, sender, submitter) {
    const strip = (c) => { const { proc, ...rest } = c; return { ...rest, pid: proc.pid }; };
    return {
        version: 1,
        dir: net.dir,
        createdAt: new Date().toISOString(),
        qiao: net.qiao,
        artifacts: net.artifacts,
        blockTime: net.blockTime,
        confirmations: net.confirmations,
        committee: net.committee,
        chains: net.chains.map(strip),
        bitcoin: bitcoin ? strip(bitcoin) : null,
        lanes: net.lanes,
        accounts: { deployer, sender, submitter,
            note: "anvil's published dev keys: test networks only" },
        passphrase: { env: notaries.PASS_ENV, file: pass.file },
        notaries: net.notaries,
        processes: procList.map(procs.recordOf),
    };
}

function parseLanes(text) {
    return text.split(',').map((s) => {
        const m = /^(\d+):(\d+)$/.exec(s.trim());
        if (!m) throw new Error(`bad lane "${s}" (want SRC:DST chain ids)`);
        return { src: Number(m[1]), dst: Number(m[2]) };
    });
}

async function upSteps(opts, started) {
    const taken = new Set();
    const net = {
        dir: opts.dir, qiao: opts.qiao, blockTime: opts.blockTime, confirmations: opts.confirmations,
        takeoverMs: opts.takeoverMs, chains: [], notaries: [], lanes: parseLanes(opts.lanes),
        committee: { id: COMMITTEE_ID, epoch: 1, k: opts.k, members: [],
            allowLowThreshold: !!opts.allowLowThreshold },
    };
    const pass = notaries.passphrase(opts.dir);
    for (const spec of chains.EVM_CHAINS) {
        const c = await chains.startAnvil(spec, opts.dir, opts.blockTime, taken);
        started.push(c.proc);
        net.chains.push(c);
        log(opts, `${c.name} (chain ${c.chainId}) on ${c.http}, pid ${c.proc.pid}`);
    }
    for (const l of net.lanes)
        if (!net.chains.some((c) => c.chainId === l.src) || !net.chains.some((c) => c.chainId === l.dst))
            throw new Error(`lane ${l.src}:${l.dst} names a chain that is not in the devnet`);
    let bitcoin = null;
    if (opts.bitcoin) {
        bitcoin = await chains.startBcoin(opts.dir, taken);
        started.push(bitcoin.proc);
        log(opts, `bcoin regtest on ${bitcoin.http}, pid ${bitcoin.proc.pid}, ${bitcoin.mined} blocks`);
    }
    await makeNotaries(net, opts, pass.value, taken);
    log(opts, `${opts.notaries} notary keys (encrypted, 0600); committee k=${opts.k}`);
    const deployer = devAccount(0);
    net.artifacts = artifacts(opts);
    await deployContracts(net, net.artifacts, deployer);
    log(opts, 'contracts deployed and linked on every chain');
    await fundNotaries(net, deployer);
    await checkpoints(net);
    notaries.writeConfigs(net, opts.checker);
    log(opts, `${opts.notaries} configurations written and validated`);
    const doc = document(net, started, bitcoin, pass, deployer, devAccount(1), devAccount(2));
    const tmp = devnetFile(opts.dir) + '.tmp';
    fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, devnetFile(opts.dir));
    return doc;
}

/** `up`: everything or nothing.  Resolves to the devnet.json document. */
async function up(opts) {
    checkThreshold(opts);
    opts.dir = path.resolve(opts.dir);
    await prepareDir(opts);
    const started = [];
    const onSignal = async (sig) => {
        for (const p of started.reverse()) await procs.stopProc(p).catch(() => {});
        process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
        return await upSteps(opts, started);
    } catch (e) {
        for (const p of started.reverse()) await procs.stopProc(p).catch(() => {});
        throw e;
    } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
    }
}

/** Notary processes started by others (demo.sh) leave DIR/notary-N/pid; stop those too. */
function notaryRecords(doc) {
    const out = [];
    for (const n of doc.notaries || []) {
        if (!fs.existsSync(n.pidFile)) continue;
        const pid = Number(fs.readFileSync(n.pidFile, 'utf8').trim());
        if (!Number.isInteger(pid) || pid <= 0) continue;
        // Identity check: the PID must still run a command line naming this notary's config.
        let cmdline = '';
        try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch (e) { continue; }
        const st = procs.procStat(pid);
        if (st && cmdline.split('\0').includes(n.config))
            out.push({ role: n.name, pid, startTime: st.startTime, argv: [], log: n.log });
    }
    return out;
}

/** `down`: stop notaries (pid files), then every recorded node.  Resolves to a per-PID report. */
async function down(opts) {
    const dir = path.resolve(opts.dir);
    const doc = readDevnet(dir);
    const report = [];
    for (const rec of [...notaryRecords(doc), ...doc.processes]) {
        const how = await procs.stopProc(rec);
        report.push({ role: rec.role, pid: rec.pid, result: how });
        log(opts, `${rec.role} pid ${rec.pid}: ${how}`);
    }
    for (const n of doc.notaries || []) fs.rmSync(n.pidFile, { force: true });
    const still = doc.processes.filter((r) => procs.isAlive(r));
    if (still.length) throw new Error(`still running: ${still.map((r) => r.pid).join(' ')}`);
    return report;
}

/** `status`: each recorded process, alive or not, and each chain's current height. */
async function status(opts) {
    const doc = readDevnet(path.resolve(opts.dir));
    const out = { processes: [], chains: [], notaries: [] };
    for (const r of doc.processes) out.processes.push({ role: r.role, pid: r.pid, alive: procs.isAlive(r) });
    for (const c of doc.chains) {
        let height = null;
        try { height = Number(await procs.rpc(c.http, 'eth_blockNumber')); } catch (e) { /* down */ }
        out.chains.push({ name: c.name, chainId: c.chainId, http: c.http, height });
    }
    const running = new Set(notaryRecords(doc).map((r) => r.role));
    for (const n of doc.notaries) out.notaries.push({ name: n.name, address: n.address, running: running.has(n.name) });
    return out;
}

module.exports = { up, down, status, readDevnet, devAccount, COMMITTEE_ID };
