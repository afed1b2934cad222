// messages.js: send a message through a devnet lane's Outbox, and wait for its delivery by the
// destination Inbox.
//
// The message id is computed here from the MessageSent log exactly as docs/PROTOCOL.md §2 defines
// it, and then asked of the destination Inbox's messageId() view: the two must agree, so a demo
// never prints an id the Inbox would not recognise.  Delivery is read from the chain, not from
// any notary: Inbox.consumed(id), the MessageDelivered log, the deliver transaction (whose
// signatures are recovered against the Inbox's attestation digest to name the signers) and, for
// the judicial EvidenceRegistry, the stored record.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const procs = require('./procs');
const { ROOT } = require('./chains');

const ethers = require(require.resolve('ethers', { paths: [ROOT] }));

const MAX_PAYLOAD = 16384;
const OUTBOX_ABI = [
    'function send(uint64 dstChainId, address receiver, bytes payload) returns (uint64)',
    'event MessageSent(uint64 indexed seq, uint64 indexed dstChainId, address indexed sender, address receiver, bytes32 payloadHash, bytes payload)',
];
const MESSAGE_T = 'tuple(uint8 version, uint64 srcChainId, address srcEmitter, uint64 seq, uint64 dstChainId, address sender, address receiver, bytes32 payloadHash, bytes payload)';
const INBOX_ABI = [
    `function deliver(${MESSAGE_T} m, bytes sigs)`,
    `function messageId(${MESSAGE_T} m) view returns (bytes32)`,
    'function attestationDigest(bytes32 id) view returns (bytes32)',
    'function consumed(bytes32 id) view returns (bool)',
    'event MessageDelivered(bytes32 indexed id, uint64 indexed srcChainId, uint64 seq, address receiver)',
];
const REGISTRY_ABI = [
    'function exists(bytes32 id) view returns (bool)',
    'function record(bytes32 id) view returns (tuple(uint64 srcChainId, address sender, bytes32 payloadHash, bytes32 recordSha256, uint64 blockNumber, uint64 timestamp))',
];

function provider(chain) {
    return new ethers.JsonRpcProvider(chain.http, chain.chainId,
        { staticNetwork: true, pollingInterval: 100, batchMaxCount: 1, cacheTimeout: -1 });
}

function chainById(doc, id) {
    const c = doc.chains.find((x) => x.chainId === Number(id));
    if (!c) throw new Error(`chain ${id} is not in this devnet (${doc.chains.map((x) => x.chainId).join(', ')})`);
    return c;
}

/** PROTOCOL.md §2: keccak of the ABI encoding of the eight header fields of a message. */
function messageId(m) {
    return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(
        ['uint8', 'uint64', 'address', 'uint64', 'uint64', 'address', 'address', 'bytes32'],
        [m.version, m.srcChainId, m.srcEmitter, m.seq, m.dstChainId, m.sender, m.receiver, m.payloadHash]));
}

function parseLane(text) {
    const m = /^(\d+):(\d+)$/.exec(String(text || ''));
    if (!m) throw new Error('--lane SRC:DST is required (chain ids, e.g. 7003:7001)');
    return { src: Number(m[1]), dst: Number(m[2]) };
}

function readPayload(opts) {
    let payload;
    if (opts.payload) payload = fs.readFileSync(opts.payload);
    else if (opts['payload-hex']) payload = Buffer.from(ethers.getBytes(opts['payload-hex']));
    else throw new Error('--payload FILE or --payload-hex HEX is required');
    if (payload.length > MAX_PAYLOAD)
        throw new Error(`payload is ${payload.length} bytes; the Outbox caps it at ${MAX_PAYLOAD}`);
    return payload;
}

/** The single MessageSent log of receipt, decoded into the Message struct fields. */
function decodeSent(receipt, src, dst, iface) {
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === src.contracts.outbox.toLowerCase());
    if (logs.length !== 1) throw new Error(`expected one MessageSent log, found ${logs.length}`);
    const ev = iface.parseLog(logs[0]);
    return {
        version: 1, srcChainId: src.chainId, srcEmitter: ethers.getAddress(src.contracts.outbox),
        seq: Number(ev.args.seq), dstChainId: Number(ev.args.dstChainId), sender: ev.args.sender,
        receiver: ev.args.receiver, payloadHash: ev.args.payloadHash, payload: ev.args.payload,
    };
}

/** `send`: Outbox.send on the lane's source chain.  Resolves to the summary it prints. */
async function send(doc, opts) {
    const lane = parseLane(opts.lane);
    const src = chainById(doc, lane.src);
    const dst = chainById(doc, lane.dst);
    if (!doc.lanes.some((l) => l.src === lane.src && l.dst === lane.dst))
        process.stderr.write(`devnet: warning: ${opts.lane} is not a configured lane; no notary relays it\n`);
    const payload = readPayload(opts);
    const receiver = ethers.getAddress(opts.receiver || dst.contracts.evidenceRegistry);
    const key = opts['from-index'] !== undefined
        ? require('./up').devAccount(Number(opts['from-index'])).privateKey : doc.accounts.sender.privateKey;
    const sp = provider(src);
    const dp = provider(dst);
    try {
        const wallet = new ethers.Wallet(key, sp);
        const outbox = new ethers.Contract(src.contracts.outbox, OUTBOX_ABI, wallet);
        const receipt = await (await outbox.send(dst.chainId, receiver, payload)).wait();
        const m = decodeSent(receipt, src, dst, outbox.interface);
        const id = messageId(m);
        const inbox = new ethers.Contract(dst.contracts.inbox, INBOX_ABI, dp);
        const inboxId = await inbox.messageId(m);
        if (inboxId !== id) throw new Error(`message id ${id} differs from the Inbox's ${inboxId}`);
        const block = await procs.rpc(src.http, 'eth_getBlockByHash', [receipt.blockHash, false]);
        return {
            lane: `${src.chainId}:${dst.chainId}`, src: src.name, dst: dst.name, id, seq: m.seq,
            tx: receipt.hash, block: receipt.blockNumber, blockHash: receipt.blockHash,
            receiptsRoot: block.receiptsRoot,
            finalAtBlock: receipt.blockNumber + doc.confirmations, sender: m.sender, receiver,
            payloadBytes: payload.length, payloadKeccak: m.payloadHash,
            payloadSha256: '0x' + crypto.createHash('sha256').update(payload).digest('hex'),
        };
    } finally {
        sp.destroy();
        dp.destroy();
    }
}

/** Signers of a deliver transaction's certificate, recovered against the Inbox's digest. */
async function signersOf(tx, inbox, id) {
    const call = inbox.interface.parseTransaction({ data: tx.data });
    const sigs = ethers.getBytes(call.args.sigs);
    const digest = await inbox.attestationDigest(id);
    const out = [];
    for (let off = 0; off + 65 <= sigs.length; off += 65) {
        const s = sigs.slice(off, off + 65);
        out.push(ethers.recoverAddress(digest, {
            r: ethers.hexlify(s.slice(0, 32)), s: ethers.hexlify(s.slice(32, 64)), v: s[64],
        }));
    }
    return out;
}

/** What the destination chain says about a consumed id. */
async function deliveryOf(doc, dst, dp, inbox, id) {
    const logs = await dp.getLogs({
        address: dst.contracts.inbox, fromBlock: dst.deployBlock || 0, toBlock: 'latest',
        topics: [inbox.interface.getEvent('MessageDelivered').topicHash, id],
    });
    const out = { id, delivered: true, chainId: dst.chainId, chain: dst.name };
    if (logs.length) {
        const tx = await dp.getTransaction(logs[0].transactionHash);
        Object.assign(out, { block: logs[0].blockNumber, tx: logs[0].transactionHash, submitter: tx.from,
            signers: await signersOf(tx, inbox, id) });
    }
    if (dst.contracts.evidenceRegistry) {
        const reg = new ethers.Contract(dst.contracts.evidenceRegistry, REGISTRY_ABI, dp);
        if (await reg.exists(id)) {
            const r = await reg.record(id);
            out.evidence = { registry: dst.contracts.evidenceRegistry, srcChainId: Number(r.srcChainId),
                sender: r.sender, payloadKeccak: r.payloadHash, recordSha256: r.recordSha256,
                block: Number(r.blockNumber), timestamp: Number(r.timestamp) };
        }
    }
    return out;
}

/**
 * `wait-delivered`: poll Inbox.consumed(id) on the destination (default: judicial) until true or
 * the timeout.  Resolves to the delivery summary, or {id, delivered: false} on timeout.
 */
async function waitDelivered(doc, opts) {
    const id = ethers.hexlify(ethers.getBytes(opts.id || '0x'));
    if (ethers.dataLength(id) !== 32) throw new Error('--id must be a 32-byte message id (0x + 64 hex)');
    const dst = chainById(doc, opts.chain || 7001);
    const timeoutMs = Number(opts.timeout || 60) * 1000;
    const dp = provider(dst);
    try {
        const inbox = new ethers.Contract(dst.contracts.inbox, INBOX_ABI, dp);
        for (const t0 = Date.now(); Date.now() - t0 <= timeoutMs;) {
            if (await inbox.consumed(id)) return await deliveryOf(doc, dst, dp, inbox, id);
            await procs.sleep(250);
        }
        return { id, delivered: false, chainId: dst.chainId, chain: dst.name, timeoutSeconds: timeoutMs / 1000 };
    } finally {
        dp.destroy();
    }
}

/** Every custom error of the compiled contracts, to name a revert. */
function errorInterface(doc) {
    const frags = new Map();
    for (const f of fs.readdirSync(doc.artifacts).filter((x) => x.endsWith('.json'))) {
        for (const e of JSON.parse(fs.readFileSync(`${doc.artifacts}/${f}`, 'utf8')).abi || []) {
            if (e.type !== 'error') continue;
            const frag = ethers.ErrorFragment.from(e);
            frags.set(frag.format('sighash'), frag);
        }
    }
    return new ethers.Interface([...frags.values()]);
}

function revertOf(doc, e) {
    const data = e.data || (e.info && e.info.error && e.info.error.data);
    if (typeof data === 'string' && data.length >= 10) {
        try {
            const p = errorInterface(doc).parseError(data);
            if (p) return { error: p.name, args: p.args.map((a) => a.toString()) };
        } catch (x) { /* not one of ours */ }
        return { error: 'unknown', data };
    }
    return { error: e.shortMessage || e.message };
}

/**
 * `submit`: hand-made calldata to a contract (default: the chain's Inbox), from dev account 2
 * (or --from-index).  A call that would revert is not sent: it is reported as
 * {status: "reverted", error: <custom error name>, args}.  Otherwise the transaction is mined and
 * reported as {status: "ok", tx, block, gasUsed}.  For tests that forge or replay certificates,
 * and for delivering by hand while no relay runs.
 */
async function submit(doc, opts) {
    const chain = chainById(doc, opts.chain || 7001);
    const to = ethers.getAddress(opts.to || chain.contracts.inbox);
    let data;
    if (opts['data-file']) data = ethers.hexlify(fs.readFileSync(opts['data-file']));
    else if (opts.data) data = ethers.hexlify(ethers.getBytes(opts.data));
    else throw new Error('--data HEX or --data-file FILE is required');
    const key = opts['from-index'] !== undefined
        ? require('./up').devAccount(Number(opts['from-index'])).privateKey : doc.accounts.submitter.privateKey;
    const p = provider(chain);
    try {
        const wallet = new ethers.Wallet(key, p);
        try {
            await p.call({ from: wallet.address, to, data });
        } catch (e) {
            return { status: 'reverted', chainId: chain.chainId, to, ...revertOf(doc, e) };
        }
        const receipt = await (await wallet.sendTransaction({ to, data, gasLimit: 5000000 })).wait();
        return { status: 'ok', chainId: chain.chainId, to, tx: receipt.hash, block: receipt.blockNumber,
            gasUsed: Number(receipt.gasUsed), from: wallet.address };
    } finally {
        p.destroy();
    }
}

module.exports = { send, waitDelivered, submit, messageId, MAX_PAYLOAD };
