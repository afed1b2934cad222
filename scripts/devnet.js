#!/usr/bin/env node
// devnet.js: a whole Qiao test network on 127.0.0.1 in one call, for the demo (scripts/demo.sh),
// the C integration tests (tests/support/devnet.h) and by hand.  docs/DEMO.md describes it all.
//
//   node scripts/devnet.js up --dir DIR [--notaries 4] [--k 3] [--bitcoin] [--fresh]
//        [--block-time 1] [--confirmations 2] [--lanes 7003:7001,7002:7001]
//        [--takeover-ms 5000] [--artifacts DIR] [--qiao build/qiao] [--allow-low-threshold]
//   node scripts/devnet.js down --dir DIR
//   node scripts/devnet.js status --dir DIR          (JSON: processes alive, chain heights)
//   node scripts/devnet.js describe --dir DIR        (text: the topology)
//   node scripts/devnet.js report --dir DIR --sent FILE [--delivery FILE] [--wait-final S]
//        (text: one message's story from the send and wait-delivered reports)
//   node scripts/devnet.js send --dir DIR --lane 7003:7001 (--payload FILE | --payload-hex HEX)
//        [--receiver ADDR] [--from-index N] [--out FILE]
//   node scripts/devnet.js wait-delivered --dir DIR --id ID [--timeout 60] [--chain 7001] [--out FILE]
//   node scripts/devnet.js submit --dir DIR [--chain 7001] [--to ADDR] (--data HEX | --data-file FILE)
//        [--from-index N] [--out FILE]   (hand-made calldata, default to the Inbox; exit 1 = reverted)
//
// `up` prints DIR/devnet.json's path; status, send and wait-delivered print one JSON object on
// stdout (and into --out FILE when given).
// Exit status: 0 ok, 1 failure (or not delivered before the timeout), 2 usage.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const USAGE = 'usage: devnet.js up|down|status|describe|send|wait-delivered|submit|report --dir DIR ... (see the header of scripts/devnet.js)\n';

const FLAGS = new Set(['bitcoin', 'fresh', 'allow-low-threshold', 'quiet']);
const VALUED = new Set(['dir', 'notaries', 'k', 'block-time', 'confirmations', 'lanes', 'takeover-ms',
    'artifacts', 'qiao', 'checker', 'lane', 'payload', 'payload-hex', 'receiver', 'from-index', 'id',
    'timeout', 'chain', 'out', 'sent', 'delivery', 'wait-final', 'to', 'data', 'data-file']);

class UsageError extends Error {}

function parseArgs(argv) {
    const o = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const key = a.startsWith('--') ? a.slice(2) : null;
        if (key && FLAGS.has(key)) o[key] = true;
        else if (key && VALUED.has(key) && i + 1 < argv.length) o[key] = argv[++i];
        else throw new UsageError(`unknown or incomplete option "${a}"`);
    }
    if (!o.dir) throw new UsageError('--dir DIR is required');
    return o;
}

function intOpt(o, key, dflt, min, max) {
    if (o[key] === undefined) return dflt;
    const v = Number(o[key]);
    if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`--${key} must be ${min}..${max}`);
    return v;
}

function upOptions(o) {
    const qiao = path.resolve(o.qiao || path.join(ROOT, 'build/qiao'));
    return {
        dir: o.dir, notaries: intOpt(o, 'notaries', 4, 1, 16), k: intOpt(o, 'k', 3, 1, 16),
        bitcoin: !!o.bitcoin, fresh: !!o.fresh, quiet: !!o.quiet,
        // Fractions are fine: anvil takes seconds as a float.  0 = automine only.
        blockTime: intOpt(o, 'block-time', 1, 0, 60), confirmations: intOpt(o, 'confirmations', 2, 1, 100),
        lanes: o.lanes || '7003:7001,7002:7001', takeoverMs: intOpt(o, 'takeover-ms', 5000, 1000, 3600000),
        artifacts: o.artifacts, allowLowThreshold: !!o['allow-low-threshold'], qiao,
        checker: path.resolve(o.checker || path.join(path.dirname(qiao), 'qiao_config_check')),
    };
}

async function main(argv) {
    const cmd = argv[0];
    const o = parseArgs(argv.slice(1));
    const up = require('./devnet/up');
    // Reports go to stdout, and also to --out FILE (for callers that keep stderr in the same log).
    const out = (x) => {
        const text = JSON.stringify(x, null, 2) + '\n';
        if (o.out) fs.writeFileSync(o.out, text);
        process.stdout.write(text);
    };
    switch (cmd) {
    case 'up': {
        const doc = await up.up(upOptions(o));
        process.stdout.write(path.join(doc.dir, 'devnet.json') + '\n');
        return 0;
    }
    case 'down':
        await up.down({ dir: o.dir, quiet: !!o.quiet });
        return 0;
    case 'status':
        out(await up.status({ dir: o.dir }));
        return 0;
    case 'describe':
        process.stdout.write(require('./devnet/report').describe(up.readDevnet(path.resolve(o.dir))));
        return 0;
    case 'report':
        if (!o.sent) throw new UsageError('report needs --sent FILE (a send --out report)');
        process.stdout.write(await require('./devnet/report').report(up.readDevnet(path.resolve(o.dir)),
            o.sent, o.delivery, Number(o['wait-final'] || 0) * 1000));
        return 0;
    case 'send':
        out(await require('./devnet/messages').send(up.readDevnet(path.resolve(o.dir)), o));
        return 0;
    case 'submit': {
        const r = await require('./devnet/messages').submit(up.readDevnet(path.resolve(o.dir)), o);
        out(r);
        return r.status === 'ok' ? 0 : 1;
    }
    case 'wait-delivered': {
        const r = await require('./devnet/messages').waitDelivered(up.readDevnet(path.resolve(o.dir)), o);
        out(r);
        return r.delivered ? 0 : 1;
    }
    default:
        throw new UsageError(`unknown command "${cmd || ''}"`);
    }
}

main(process.argv.slice(2)).then((rc) => { process.exitCode = rc; }, (e) => {
    if (e instanceof UsageError) {
        process.stderr.write(`devnet.js: ${e.message}\n${USAGE}`);
        process.exitCode = 2;
    } else {
        process.stderr.write(`devnet.js: ${e.shortMessage || e.message}\n`);
        process.exitCode = 1;
    }
});
