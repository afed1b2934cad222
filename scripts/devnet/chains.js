// chains.js: start the devnet's chain nodes from the pinned npm kit: anvil (EVM) and, on request,
// bcoin (Bitcoin regtest).  Each binds 127.0.0.1 on a port that was free a moment ago; when
// another process grabs the port in between, the node fails to start and we try a new port.
//
// Mining mode (why): anvil runs with --block-time B --mixed-mining.  Mixed mining seals every
// transaction at once (automine: a send returns its receipt without waiting) AND seals an empty
// block every B seconds, so confirmation-based finality keeps advancing even when nobody sends.
// With pure automine a message would never reach "2 confirmations" on an idle chain; with pure
// interval mining every send would wait up to B seconds.  --block-time 0 gives pure automine.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const procs = require('./procs');

const ROOT = path.resolve(__dirname, '../..');

/** The demo's EVM chains: name, chain id, role in the topology. */
const EVM_CHAINS = [
    { name: 'judicial', chainId: 7001, role: 'destination: EvidenceRegistry' },
    { name: 'trade', chainId: 7002, role: 'source: trade documents' },
    { name: 'traceability', chainId: 7003, role: 'source: cold-chain records' },
];

function kitBin(name) {
    const bin = path.join(ROOT, 'node_modules/.bin', name);
    if (!fs.existsSync(bin)) throw new Error(`${bin} missing: ./run build installs the pinned npm kit`);
    return bin;
}

/** Start one anvil for chain; resolves to {name, chainId, port, http, ws, proc}. */
async function startAnvil(chain, dir, blockTime, taken) {
    const bin = kitBin('anvil');
    for (let attempt = 0; attempt < 5; attempt++) {
        const [port] = await procs.freePorts(1, taken);
        const argv = [bin, '--host', '127.0.0.1', '--port', String(port), '--chain-id',
            String(chain.chainId), '--accounts', '10', '--silent'];
        if (blockTime > 0) argv.push('--block-time', String(blockTime), '--mixed-mining');
        const rec = procs.startProc(`anvil-${chain.name}`, argv, path.join(dir, `anvil-${chain.name}.log`));
        const http = `http://127.0.0.1:${port}`;
        try {
            await procs.waitReady(rec, async () =>
                Number(await procs.rpc(http, 'eth_chainId')) === chain.chainId, 15000);
            taken.add(port);
            return { ...chain, port, http, ws: `ws://127.0.0.1:${port}`, proc: rec };
        } catch (e) {
            await procs.stopProc(rec);
            if (attempt === 4) throw e;
        }
    }
    throw new Error('unreachable');
}

/**
 * Start bcoin regtest (in memory, tx index, HTTP on 127.0.0.1 with an API key; no P2P listener;
 * no wallet plugin, whose fixed default port would clash with any other bcoin on the machine)
 * and mine 101 blocks so the first coinbase is spendable.  Resolves to {name, network, port,
 * http, apiKey, proc}.
 */
async function startBcoin(dir, taken) {
    const bin = kitBin('bcoin');
    const apiKey = 'qiao-devnet';
    for (let attempt = 0; attempt < 5; attempt++) {
        const [port] = await procs.freePorts(1, taken);
        const prefix = path.join(dir, 'bcoin');
        fs.mkdirSync(prefix, { recursive: true });
        const argv = [bin, '--network=regtest', '--memory=true', '--index-tx', '--http-host=127.0.0.1',
            `--http-port=${port}`, `--api-key=${apiKey}`, '--workers=false', '--listen=false', '--no-wallet',
            '--log-level=error', `--prefix=${prefix}`];
        const rec = procs.startProc('bcoin-regtest', argv, path.join(dir, 'bcoin.log'));
        const http = `http://127.0.0.1:${port}`;
        const auth = { authorization: 'Basic ' + Buffer.from(`x:${apiKey}`).toString('base64') };
        try {
            await procs.waitReady(rec, async () =>
                typeof (await procs.rpc(http, 'getblockcount', [], auth)) === 'number', 30000);
            taken.add(port);
            // A regtest address nobody holds the key of (hash160 = 20 x 0x01): the coinbase
            // outputs only make the chain long enough for spendable coins and timelocks.
            const bcoin = require(require.resolve('bcoin', { paths: [ROOT] }));
            const addr = bcoin.Address.fromPubkeyhash(Buffer.alloc(20, 1)).toString('regtest');
            const mined = (await procs.rpc(http, 'generatetoaddress', [101, addr], auth)).length;
            return { name: 'bitcoin-regtest', network: 'regtest', port, http, apiKey, mined, proc: rec };
        } catch (e) {
            await procs.stopProc(rec);
            if (attempt === 4) throw e;
        }
    }
    throw new Error('unreachable');
}

module.exports = { EVM_CHAINS, startAnvil, startBcoin, kitBin, ROOT };
