/*
 * cmd_demo.c: `qiao demo`, the foundation walk-through run by `./run demo`.
 *
 * It needs no network and nothing from ../shared: it generates a notary key, signs and recovers an
 * attestation-style digest, builds, signs and hashes a real EIP-155 transaction with our RLP and
 * Keccak, and finishes with the primitive benchmark.  Later layers (relay, swaps, evidence) extend
 * the demo through ./run, which starts the chains and notaries around this binary.
 */
#include <stdio.h>
#include <string.h>

#include "relay/cli/commands.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"
#include "relay/core/secp.h"
#include "tests/bench/bench.h"

/* A plain value transfer on the demo's judicial chain (id 7001). */
struct demo_tx {
    uint64_t nonce, gas_price, gas_limit, value, chain_id;
    uint8_t to[20];
};

/* rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s]) with EIP-155 placeholders or a sig. */
static qiao_err encode_tx(struct qiao_buf *b, const struct demo_tx *tx, const uint8_t *sig65,
                          struct qiao_diag *d)
{
    size_t list = qiao_rlp_list_begin(b);
    QIAO_TRY(qiao_rlp_put_u64(b, tx->nonce, d));
    QIAO_TRY(qiao_rlp_put_u64(b, tx->gas_price, d));
    QIAO_TRY(qiao_rlp_put_u64(b, tx->gas_limit, d));
    QIAO_TRY(qiao_rlp_put_bytes(b, tx->to, 20, d));
    QIAO_TRY(qiao_rlp_put_u64(b, tx->value, d));
    QIAO_TRY(qiao_rlp_put_bytes(b, "", 0, d));
    if (!sig65) {
        QIAO_TRY(qiao_rlp_put_u64(b, tx->chain_id, d));
        QIAO_TRY(qiao_rlp_put_u64(b, 0, d));
        QIAO_TRY(qiao_rlp_put_u64(b, 0, d));
    } else {
        QIAO_TRY(qiao_rlp_put_u64(b, tx->chain_id * 2 + 35 + sig65[64], d));
        QIAO_TRY(qiao_rlp_put_uint_be(b, sig65, 32, d));
        QIAO_TRY(qiao_rlp_put_uint_be(b, sig65 + 32, 32, d));
    }
    return qiao_rlp_list_end(b, list, d);
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
    char hex[2 * 256 + 3];
    if (n > 256)
        n = 256;
    qiao_hex_encode0x(hex, p, n);
    printf("  %-22s %s\n", label, hex);
}

static qiao_err demo_keys(struct qiao_crypto *cx, uint8_t sk[32], struct qiao_diag *d)
{
    uint8_t pub[64], addr[20], rec[20], sig[65], digest[32];
    static const char note[] = "\x19Qiao attestation v1 (demo)";
    printf("1. notary key\n");
    QIAO_TRY(qiao_secp_keygen(cx, sk, d));
    QIAO_TRY(qiao_secp_pubkey(cx, pub, addr, sk, d));
    print_hex("address", addr, 20);
    printf("2. sign and recover\n");
    qiao_keccak256(digest, note, sizeof(note) - 1);
    QIAO_TRY(qiao_secp_sign(cx, sig, sk, digest, d));
    QIAO_TRY(qiao_secp_recover(cx, rec, NULL, sig, digest, d));
    print_hex("digest (keccak256)", digest, 32);
    print_hex("signature r|s|v", sig, 65);
    print_hex("recovered address", rec, 20);
    if (memcmp(rec, addr, 20) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "recover-mismatch", "recovered address differs from signer");
    printf("  %-22s matches the signer; low-S enforced\n", "");
    return QIAO_OK;
}

static qiao_err demo_tx(struct qiao_crypto *cx, const uint8_t sk[32], struct qiao_diag *d)
{
    struct demo_tx tx = {.nonce = 0, .gas_price = 1000000000, .gas_limit = 21000,
                         .value = 1000000000000000ULL, .chain_id = 7001};
    memset(tx.to, 0x77, sizeof(tx.to));
    struct qiao_buf unsigned_tx = {0}, signed_tx = {0};
    uint8_t sighash[32], txhash[32], sig[65];
    printf("3. EIP-155 transaction on chain 7001\n");
    qiao_err err = encode_tx(&unsigned_tx, &tx, NULL, d);
    if (!err) {
        qiao_keccak256(sighash, unsigned_tx.p, unsigned_tx.len);
        err = qiao_secp_sign(cx, sig, sk, sighash, d);
    }
    if (!err)
        err = encode_tx(&signed_tx, &tx, sig, d);
    if (!err) {
        struct qiao_rlp_item item;
        err = qiao_rlp_decode_whole(&item, signed_tx.p, signed_tx.len, d);
        qiao_keccak256(txhash, signed_tx.p, signed_tx.len);
        print_hex("signing hash", sighash, 32);
        printf("  %-22s %zu bytes, decodes canonically: %s\n", "signed RLP", signed_tx.len,
               err ? "no" : "yes");
        print_hex("transaction hash", txhash, 32);
    }
    qiao_buf_clear(&unsigned_tx);
    qiao_buf_clear(&signed_tx);
    return err;
}

int qiao_cmd_demo(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: qiao demo [--no-bench]\n");
        return 0;
    }
    int bench = !(argc > 1 && strcmp(argv[1], "--no-bench") == 0);
    struct qiao_crypto *cx = qiao_crypto_create();
    struct qiao_diag d = {0};
    uint8_t sk[32];
    if (!cx) {
        fprintf(stderr, "qiao demo: crypto initialisation failed\n");
        return 1;
    }
    printf("Qiao foundation demo: keys, signatures, RLP and Keccak (no network needed)\n\n");
    qiao_err err = demo_keys(cx, sk, &d);
    if (!err)
        err = demo_tx(cx, sk, &d);
    qiao_wipe(sk, sizeof(sk));
    qiao_crypto_destroy(cx);
    if (err) {
        fprintf(stderr, "qiao demo: %s (%s at %s:%d)\n", d.msg, d.reason, d.file, d.line);
        return 1;
    }
    if (bench) {
        printf("\n4. ");
        fflush(stdout);
        return qiao_bench_primitives(1, argv);
    }
    return 0;
}
