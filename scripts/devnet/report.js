// report.js: human-readable text for the demo: the devnet's topology (`describe`) and one
// message's story (`report`): what was sent, in which block under which receipts root (what a
// notary proves the MessageSent log against), when it became final, and, once delivered, where,
// by whom and under whose signatures, with what the EvidenceRegistry stored.
'use strict';
const fs = require('node:fs');
const procs = require('./procs');

const short = (h) => (typeof h === 'string' && h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-8)}` : String(h));

function describe(doc) {
    const lines = [];
    lines.push(`devnet in ${doc.dir}`);
    lines.push(`  committee ${short(doc.committee.id)} epoch ${doc.committee.epoch}: k=${doc.committee.k} of n=${doc.committee.members.length}`);
    lines.push(`  anvil: ${doc.blockTime ? `automine + a block every ${doc.blockTime}s (mixed mining)` : 'automine only'}; finality ${doc.confirmations} confirmations`);
    for (const c of doc.chains) {
        lines.push(`  chain ${c.chainId} ${c.name.padEnd(12)} ${c.http}  pid ${c.pid}  (${c.role})`);
        lines.push(`      Outbox ${c.contracts.outbox}  Inbox ${c.contracts.inbox}`);
        lines.push(`      EvidenceRegistry ${c.contracts.evidenceRegistry}  HashedTimelock ${c.contracts.hashedTimelock}`);
    }
    if (doc.bitcoin) lines.push(`  bitcoin regtest (bcoin) ${doc.bitcoin.http}  pid ${doc.bitcoin.pid}`);
    lines.push(`  lanes: ${doc.lanes.map((l) => `${l.src} -> ${l.dst}`).join(', ')}`);
    for (const n of doc.notaries)
        lines.push(`  ${n.name}  ${n.address}  api ${n.apiListen}  mesh ${n.meshListen}  key ${n.keyFile} (0600, encrypted)`);
    return lines.join('\n') + '\n';
}

/** Wait (up to timeoutMs) for the source chain to reach the message's finality height. */
async function finality(doc, sent, timeoutMs) {
    const src = doc.chains.find((c) => c.chainId === Number(sent.lane.split(':')[0]));
    let height = 0;
    for (const t0 = Date.now(); ;) {
        height = Number(await procs.rpc(src.http, 'eth_blockNumber'));
        if (height >= sent.finalAtBlock || Date.now() - t0 > timeoutMs) break;
        await procs.sleep(200);
    }
    return { height, final: height >= sent.finalAtBlock };
}

async function report(doc, sentFile, deliveryFile, waitFinalMs) {
    const s = JSON.parse(fs.readFileSync(sentFile, 'utf8'));
    const lines = [];
    lines.push(`  message ${s.id}`);
    lines.push(`    sent      ${s.src} (${s.lane.split(':')[0]}) -> ${s.dst} (${s.lane.split(':')[1]}), lane seq ${s.seq}, ${s.payloadBytes} bytes`);
    lines.push(`              payload sha256 ${s.payloadSha256}`);
    lines.push(`              tx ${s.tx} by ${s.sender}`);
    lines.push(`    included  block ${s.block} ${short(s.blockHash)}, receipts root ${s.receiptsRoot}`);
    lines.push('              (the MessageSent log is proven against this root, under a header each notary verifies)');
    const f = await finality(doc, s, waitFinalMs);
    lines.push(`    final     ${f.final ? 'yes' : 'not yet'}: needs block ${s.finalAtBlock} (${doc.confirmations} confirmations); source tip is ${f.height}`);
    if (deliveryFile && fs.existsSync(deliveryFile)) {
        const d = JSON.parse(fs.readFileSync(deliveryFile, 'utf8'));
        if (d.delivered) {
            lines.push(`    signed    ${d.signers.length} of ${doc.committee.members.length} notaries (k=${doc.committee.k}): ${d.signers.join(', ')}`);
            lines.push(`    delivered ${d.chain} block ${d.block}, tx ${d.tx}, submitted by ${d.submitter}`);
            if (d.evidence) {
                const ok = d.evidence.recordSha256 === s.payloadSha256;
                lines.push(`    evidence  EvidenceRegistry stored sha256 ${d.evidence.recordSha256} (${ok ? 'matches the payload' : 'MISMATCH'})`);
            }
        } else {
            lines.push(`    delivered NO: not consumed by the ${d.chain} Inbox within ${d.timeoutSeconds}s`);
        }
    } else {
        lines.push('    delivered - (no relay running)');
    }
    return lines.join('\n') + '\n';
}

module.exports = { describe, report };
