#!/usr/bin/env node
// deploy.js: deploy Qiao's contract set to one EVM chain and link Inboxes to other chains'
// Outboxes.  A small library (used by the tests and the demo) and a CLI:
//
//   node deploy.js deploy --rpc URL --key HEX --artifacts DIR --out FILE
//        --committee-id HEX32 --members ADDR,ADDR,... --k N [--epoch N] [--owner ADDR]
//        [--no-registry] [--no-htlc]
//     writes FILE = {chainId, rpc, deployer, committeeId, epoch, k, members, outbox, inbox,
//                    evidenceRegistry, hashedTimelock, blockNumber}
//   node deploy.js link --key HEX FILE FILE...
//     for every pair of chains (A, B) in the files: A's Inbox.setSource(B.chainId, B.outbox)
//
// The key is the deployer's (and Inbox owner's, unless --owner).  Members are sorted ascending
// here, as the Inbox requires.  Only 127.0.0.1 test chains are expected; nothing is retried.
'use strict';
const fs = require('fs');
const path = require('path');

function loadEthers() {
    return require(require.resolve('ethers', { paths: [path.resolve(__dirname, '../../..'), process.cwd()] }));
}
const ethers = loadEthers();

function loadArtifact(dir, name) {
    const file = path.join(dir, name + '.json');
    if (!fs.existsSync(file)) throw new Error(`${file} missing: run build.js into ${dir} first`);
    return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A provider that polls fast (local anvil) and a wallet on it. */
function connect(rpcUrl, privateKey) {
    const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { pollingInterval: 50, batchMaxCount: 1 });
    const wallet = new ethers.NonceManager(new ethers.Wallet(privateKey, provider));
    return { provider, wallet };
}

function sortAddresses(list) {
    return list.map((a) => ethers.getAddress(a)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

async function deployOne(wallet, artifactsDir, name, args) {
    const a = loadArtifact(artifactsDir, name);
    const factory = new ethers.ContractFactory(a.abi, a.bytecode, wallet);
    const c = await factory.deploy(...args);
    await c.waitForDeployment();
    return c;
}

/**
 * Deploy Outbox, Inbox and (unless disabled) EvidenceRegistry and HashedTimelock.
 * opts: {rpcUrl, privateKey, artifactsDir, committeeId, epoch, members, k, owner, registry, htlc}
 * Returns the addresses record written by the CLI.
 */
async function deployAll(opts) {
    const { provider, wallet } = connect(opts.rpcUrl, opts.privateKey);
    const deployer = await wallet.getAddress();
    const members = sortAddresses(opts.members);
    const owner = opts.owner ? ethers.getAddress(opts.owner) : deployer;
    const epoch = BigInt(opts.epoch || 0);
    const outbox = await deployOne(wallet, opts.artifactsDir, 'Outbox', []);
    const inbox = await deployOne(wallet, opts.artifactsDir, 'Inbox',
        [opts.committeeId, epoch, members, opts.k, owner]);
    const rec = {
        chainId: Number((await provider.getNetwork()).chainId),
        rpc: opts.rpcUrl,
        deployer,
        committeeId: opts.committeeId,
        epoch: Number(epoch),
        k: opts.k,
        members,
        outbox: await outbox.getAddress(),
        inbox: await inbox.getAddress(),
        evidenceRegistry: null,
        hashedTimelock: null,
    };
    if (opts.registry !== false)
        rec.evidenceRegistry = await (await deployOne(wallet, opts.artifactsDir, 'EvidenceRegistry', [rec.inbox])).getAddress();
    if (opts.htlc !== false)
        rec.hashedTimelock = await (await deployOne(wallet, opts.artifactsDir, 'HashedTimelock', [])).getAddress();
    rec.blockNumber = await provider.getBlockNumber();
    provider.destroy();
    return rec;
}

/** For every ordered pair of distinct chains, trust the source's Outbox in the destination's Inbox. */
async function linkAll(records, privateKey, artifactsDir) {
    const inboxAbi = artifactsDir ? loadArtifact(artifactsDir, 'Inbox').abi
        : ['function setSource(uint64 srcChainId, address outbox)'];
    for (const dst of records) {
        const { provider, wallet } = connect(dst.rpc, privateKey);
        const inbox = new ethers.Contract(dst.inbox, inboxAbi, wallet);
        for (const src of records) {
            if (src.chainId === dst.chainId) continue;
            await (await inbox.setSource(src.chainId, src.outbox)).wait();
        }
        provider.destroy();
    }
}

function parseArgs(argv) {
    const opts = { files: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith('--')) { opts.files.push(a); continue; }
        const key = a.slice(2);
        if (key === 'no-registry') { opts.registry = false; continue; }
        if (key === 'no-htlc') { opts.htlc = false; continue; }
        if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
        opts[key] = argv[++i];
    }
    return opts;
}

function need(opts, key) {
    if (opts[key] === undefined) throw new Error(`--${key} is required`);
    return opts[key];
}

async function main(argv) {
    const cmd = argv[0];
    const o = parseArgs(argv.slice(1));
    if (cmd === 'deploy') {
        const k = Number(need(o, 'k'));
        if (!Number.isInteger(k) || k < 1 || k > 65535) throw new Error('--k must be an integer in 1..65535');
        const rec = await deployAll({
            rpcUrl: need(o, 'rpc'), privateKey: need(o, 'key'), artifactsDir: need(o, 'artifacts'),
            committeeId: ethers.hexlify(ethers.getBytes(need(o, 'committee-id'))),
            epoch: o.epoch || 0, members: need(o, 'members').split(','), k, owner: o.owner,
            registry: o.registry, htlc: o.htlc,
        });
        fs.writeFileSync(need(o, 'out'), JSON.stringify(rec, null, 2) + '\n');
        process.stdout.write(`deployed on chain ${rec.chainId}: outbox ${rec.outbox} inbox ${rec.inbox}\n`);
        return 0;
    }
    if (cmd === 'link') {
        if (o.files.length < 2) throw new Error('link needs at least two address files');
        const recs = o.files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
        await linkAll(recs, need(o, 'key'), o.artifacts);
        process.stdout.write(`linked ${recs.length} chains\n`);
        return 0;
    }
    process.stderr.write('usage: node deploy.js deploy|link ... (see the header of deploy.js)\n');
    return 2;
}

module.exports = { deployAll, linkAll, deployOne, connect, sortAddresses, loadArtifact };
if (require.main === module) {
    main(process.argv.slice(2)).then((rc) => { process.exitCode = rc; },
        (e) => { process.stderr.write(`deploy.js: ${e.shortMessage || e.message}\n`); process.exitCode = 1; });
}
