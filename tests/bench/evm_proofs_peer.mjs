// evm_proofs_peer.mjs: the JavaScript peer for `qiao bench evm-proofs`.  Verifies the same receipt
// proofs with @ethereumjs/mpt's verifyMerkleProof (root checked) for a fixed time and prints
// "rate <proofs per second>".  Usage: node evm_proofs_peer.mjs PROOFS.json SECONDS
import { readFileSync } from 'node:fs';
import { verifyMerkleProof } from '@ethereumjs/mpt';
import { hexToBytes, bytesToHex } from '@ethereumjs/util';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const seconds = Number(process.argv[3] || 1);
const root = hexToBytes(input.root);
const proofs = input.proofs.map((p) => ({
  key: hexToBytes(p.key),
  nodes: p.nodes.map(hexToBytes),
  value: p.value,
}));

// First pass: every proof must verify to the expected receipt, or the comparison means nothing.
for (const p of proofs) {
  const v = await verifyMerkleProof(p.key, p.nodes, { root });
  if (v === null || bytesToHex(v) !== p.value) {
    console.log('mismatch');
    process.exit(1);
  }
}
let n = 0;
const start = performance.now();
let elapsed = 0;
while (elapsed < seconds * 1000) {
  for (const p of proofs) await verifyMerkleProof(p.key, p.nodes, { root });
  n += proofs.length;
  elapsed = performance.now() - start;
}
console.log(`rate ${(n / (elapsed / 1000)).toFixed(1)}`);
