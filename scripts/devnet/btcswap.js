// btcswap.js: the Bitcoin side of a swap as a party builds it, for the swap demo
// (scripts/swap_demo.js) and the EVM<->Bitcoin integration test: a small bcoin JSON-RPC client,
// the HTLC witness script exactly as adapters/bitcoin/btc_htlc_script.c writes it, and the
// funding, claim and refund transactions built and signed with bcoin's own library.
'use strict';
const crypto = require('node:crypto');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const bcoin = require(require.resolve('bcoin', { paths: [ROOT] }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class BcoinClient {
    constructor(url) { this.url = url; }

    async rpc(method, params = []) {
        const r = await fetch(this.url, { method: 'POST', body: JSON.stringify({ method, params, id: 1 }) });
        const j = await r.json();
        if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
        return j.result;
    }

    async mine(n, addr) { return this.rpc('generatetoaddress', [n, addr]); }
    async height() { return this.rpc('getblockcount'); }
    async tipTime() {
        return (await this.rpc('getblockheader', [await this.rpc('getblockhash', [await this.height()]), true])).time;
    }
    async tx(txid) { return bcoin.TX.fromRaw(Buffer.from(await this.rpc('getrawtransaction', [txid]), 'hex')); }

    // bcoin answers sendrawtransaction before verifying; its mempool tells whether it took it.
    async accepted(tx) {
        await this.rpc('sendrawtransaction', [tx.toRaw().toString('hex')]);
        for (let i = 0; i < 30; i++) {
            try { await this.rpc('getmempoolentry', [tx.txid()]); return true; } catch (e) { await sleep(50); }
        }
        return false;
    }
}

function scriptNum(n) { // a minimal CScriptNum push, for n > 16
    const b = [];
    for (; n > 0; n = Math.floor(n / 256)) b.push(n % 256);
    if (b[b.length - 1] & 0x80) b.push(0);
    return Buffer.from([b.length, ...b]);
}

/** OP_IF OP_SIZE 32 OP_EQUALVERIFY OP_SHA256 <h> OP_EQUALVERIFY <recv> OP_ELSE <T> OP_CLTV OP_DROP <refund> OP_ENDIF OP_CHECKSIG */
function htlcScript(hash, recv, refund, T) {
    return Buffer.concat([Buffer.from([0x63, 0x82, 0x01, 0x20, 0x88, 0xa8, 0x20]), hash,
        Buffer.from([0x88, 0x21]), recv, Buffer.from([0x67]), scriptNum(T),
        Buffer.from([0xb1, 0x75, 0x21]), refund, Buffer.from([0x68, 0xac])]);
}

const p2wsh = (script) => bcoin.Address.fromWitnessScripthash(crypto.createHash('sha256').update(script).digest());
const burnAddress = () => bcoin.Address.fromPubkeyhash(Buffer.alloc(20, 1)).toString('regtest');

/** A P2WPKH key from a one-byte seed: {ring, pub, addr, spk}. */
function key(seed) {
    const ring = bcoin.KeyRing.fromPrivate(Buffer.alloc(32, seed), true);
    ring.witness = true;
    return { ring, pub: ring.publicKey, addr: ring.getAddress(), spk: bcoin.Script.fromAddress(ring.getAddress()).toRaw() };
}

/** Pay value to the script's P2WSH from coin (owned by k), change back to k. */
function fund(coin, k, script, value, fee) {
    const mtx = new bcoin.MTX();
    mtx.addCoin(coin);
    mtx.addOutput(p2wsh(script), value);
    mtx.addOutput(k.addr, coin.value - value - fee);
    mtx.sign(k.ring);
    return mtx.toTX();
}

/** Spend the HTLC output lockTx:vout to dest with witness [sig, ...items, script]. */
function htlcSpend(lockTx, vout, script, priv, dest, items, fee, locktime = 0) {
    const mtx = new bcoin.MTX();
    mtx.addCoin(bcoin.Coin.fromTX(lockTx, vout, -1));
    mtx.addOutput(dest, lockTx.outputs[vout].value - fee);
    if (locktime) mtx.setLocktime(locktime), (mtx.inputs[0].sequence = 0xfffffffe);
    const sig = mtx.signature(0, bcoin.Script.fromRaw(script), lockTx.outputs[vout].value, priv,
        bcoin.Script.hashType.ALL, 1);
    mtx.inputs[0].witness = bcoin.Witness.fromItems([sig, ...items, script]);
    return mtx.toTX();
}

/** bcoin regtest argv without an API key (the relay's config carries no Bitcoin RPC password). */
function bcoinArgv(bin, port, prefix) {
    return [bin, '--network=regtest', '--memory=true', '--index-tx', '--http-host=127.0.0.1',
        `--http-port=${port}`, '--no-auth=true', '--workers=false', '--listen=false',
        '--no-wallet=true', '--log-level=error', `--prefix=${prefix}`];
}

module.exports = { bcoin, BcoinClient, htlcScript, p2wsh, burnAddress, key, fund, htlcSpend, bcoinArgv, sleep };
