#!/usr/bin/env node
// test_deploy_cli.js: the deploy.js command line as the demo uses it: deploy the set on two real
// anvil chains, write the address files, link the Inboxes to each other's Outboxes, and refuse
// bad arguments with a message.
'use strict';
const assert = require('node:assert');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const L = require('./lib.js');
const F = require('./fixture.js');
const { ethers } = L;

const T = L.runner('contracts/deploy-cli');
const S = { recs: {} };
const DEPLOY = path.join(L.ROOT, 'adapters/evm/contracts/deploy.js');

function cli(args) {
    const t0 = Date.now();
    return new Promise((resolve) => {
        execFile(process.execPath, [DEPLOY, ...args], { timeout: 60000 }, (err, stdout, stderr) =>
            { if (process.env.QIAO_TRACE) console.log(`cli ${args[0]} ${Date.now() - t0} ms`); resolve({ code: err ? err.code : 0, stdout, stderr }); });
    });
}

async function main() {
    S.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qiao-deploy-'));
    S.dir = L.artifacts();
    S.a = await L.startAnvil(7001);
    S.b = await L.startAnvil(7003);
    const members = [1, 2, 3, 4].map(F.notaryAddr).join(','); // unsorted on purpose
    const base = ['--key', L.devKey(0), '--artifacts', S.dir, '--committee-id', F.C.committeeId,
        '--members', members, '--k', '3'];

    await T.test('deploy writes the address file for each chain', async () => {
        for (const [node, name] of [[S.a, 'a'], [S.b, 'b']]) {
            const out = path.join(S.tmp, `${name}.json`);
            const r = await cli(['deploy', '--rpc', node.url, '--out', out, ...base]);
            assert.strictEqual(r.code, 0, r.stderr);
            const rec = JSON.parse(fs.readFileSync(out, 'utf8'));
            assert.strictEqual(rec.chainId, node.chainId);
            for (const k of ['outbox', 'inbox', 'evidenceRegistry', 'hashedTimelock'])
                assert.ok(ethers.isAddress(rec[k]) && (await node.provider.getCode(rec[k])) !== '0x', k);
            assert.deepStrictEqual(rec.members, F.sortAddrs([1, 2, 3, 4].map(F.notaryAddr)));
            S.recs[name] = { rec, out };
        }
    });

    await T.test('link trusts each chain\'s Outbox in the other chain\'s Inbox', async () => {
        const r = await cli(['link', '--key', L.devKey(0), S.recs.a.out, S.recs.b.out]);
        assert.strictEqual(r.code, 0, r.stderr);
        const abi = L.deploy.loadArtifact(S.dir, 'Inbox').abi;
        const ia = new ethers.Contract(S.recs.a.rec.inbox, abi, S.a.provider);
        const ib = new ethers.Contract(S.recs.b.rec.inbox, abi, S.b.provider);
        assert.strictEqual(await ia.outboxOf(7003), S.recs.b.rec.outbox);
        assert.strictEqual(await ib.outboxOf(7001), S.recs.a.rec.outbox);
        assert.strictEqual(await ia.outboxOf(7001), ethers.ZeroAddress);
    });

    await T.test('bad arguments are refused with a message', async () => {
        let r = await cli(['deploy', '--rpc', S.a.url, '--out', path.join(S.tmp, 'x.json'), ...base.slice(0, -2), '--k', '0']);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /--k must be/);
        r = await cli(['deploy', '--rpc', S.a.url, ...base]);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /--out is required/);
        r = await cli(['frobnicate']);
        assert.strictEqual(r.code, 2);
        // k above n reaches the Inbox constructor, which refuses it
        r = await cli(['deploy', '--rpc', S.a.url, '--out', path.join(S.tmp, 'y.json'), ...base.slice(0, -2), '--k', '5']);
        assert.strictEqual(r.code, 1);
        assert.ok(!fs.existsSync(path.join(S.tmp, 'y.json')));
    });
}

main().catch((e) => T.fail(e)).finally(async () => {
    for (const n of [S.a, S.b]) if (n) await L.stopAnvil(n);
    if (S.tmp) fs.rmSync(S.tmp, { recursive: true, force: true });
    T.finish();
});
