// procs.js: the long-lived processes of a devnet (anvil, bcoin): start them detached so they
// outlive `devnet.js up`, record who they are, and stop them later by PID.
//
// A PID alone is not an identity: between `up` and `down` a node may die and its PID be reused by
// an unrelated process.  So each record also keeps the kernel's start time of the process
// (/proc/PID/stat field 22); `down` signals a PID only while that start time still matches.
// Every child is its own session and process-group leader (detached), so a stop signals the group
// too and reaches a node's own helpers.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port on 127.0.0.1 that was free a moment ago. */
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

/** n distinct free ports (distinct among themselves and from `taken`). */
async function freePorts(n, taken = new Set()) {
    const out = [];
    while (out.length < n) {
        const p = await freePort();
        if (!taken.has(p) && !out.includes(p)) out.push(p);
    }
    return out;
}

/** /proc/PID/stat: {state, startTime} or null when there is no such process. */
function procStat(pid) {
    let text;
    try {
        text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (e) {
        return null;
    }
    // comm (field 2) may hold spaces and parentheses: fields resume after the LAST ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], startTime: rest[19] };
}

/** True while rec's process exists, is not a zombie and is still the process we started. */
function isAlive(rec) {
    const st = procStat(rec.pid);
    return !!st && st.state !== 'Z' && st.state !== 'X' && st.startTime === String(rec.startTime);
}

/**
 * Start argv detached, stdout and stderr appended to logPath.  Returns the record
 * {role, pid, startTime, argv, log} that stopProc takes.
 */
function startProc(role, argv, logPath, env) {
    const fd = fs.openSync(logPath, 'a', 0o600);
    const child = spawn(argv[0], argv.slice(1), {
        detached: true, stdio: ['ignore', fd, fd], env: env || process.env,
    });
    fs.closeSync(fd);
    if (!child.pid) throw new Error(`cannot start ${role} (${argv[0]})`);
    child.unref();
    let exited = null;
    child.on('exit', (code, sig) => { exited = sig || code; });
    const st = procStat(child.pid);
    return {
        role, pid: child.pid, startTime: st ? st.startTime : null, argv, log: logPath,
        exited: () => exited,
    };
}

function signal(rec, sig) {
    // The group first (the node's helpers), then the PID itself in case it left the group.
    for (const target of [-rec.pid, rec.pid]) {
        try { process.kill(target, sig); } catch (e) { /* gone or not ours */ }
    }
}

/**
 * Stop rec: SIGTERM, up to graceMs for it to exit, then SIGKILL.  Does nothing to a PID that is
 * no longer the recorded process.  Returns 'not-running', 'stopped' or 'killed'; throws when
 * even SIGKILL did not end it within 5 s.
 */
async function stopProc(rec, graceMs = 5000) {
    if (!isAlive(rec)) return 'not-running';
    signal(rec, 'SIGTERM');
    for (let t = 0; t < graceMs && isAlive(rec); t += 50) await sleep(50);
    if (!isAlive(rec)) return 'stopped';
    signal(rec, 'SIGKILL');
    for (let t = 0; t < 5000 && isAlive(rec); t += 50) await sleep(50);
    if (isAlive(rec)) throw new Error(`${rec.role} pid ${rec.pid} survived SIGKILL`);
    return 'killed';
}

/** POST one JSON-RPC call; resolves to the result, rejects on transport or RPC error. */
async function rpc(url, method, params = [], headers = {}) {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        signal: AbortSignal.timeout(5000),
    });
    const j = await res.json();
    if (j.error) throw new Error(`${method}: ${j.error.message || JSON.stringify(j.error)}`);
    return j.result;
}

/** Poll probe() until it resolves truthy; throws after timeoutMs or when rec exited first. */
async function waitReady(rec, probe, timeoutMs) {
    for (let t = 0; t < timeoutMs; t += 100) {
        if (rec.exited() !== null || !isAlive(rec))
            throw new Error(`${rec.role} exited during start-up (see ${rec.log})`);
        try {
            if (await probe()) return;
        } catch (e) { /* not up yet */ }
        await sleep(100);
    }
    throw new Error(`${rec.role} did not answer within ${timeoutMs} ms (see ${rec.log})`);
}

/** The JSON-safe part of a record (what devnet.json keeps). */
function recordOf(rec) {
    return { role: rec.role, pid: rec.pid, startTime: rec.startTime, argv: rec.argv, log: rec.log };
}

module.exports = {
    sleep, freePort, freePorts, procStat, isAlive, startProc, stopProc, rpc, waitReady, recordOf,
};
