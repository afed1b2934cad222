/*
 * test_tx.c: transaction signing and codec.  The EIP-155 example from the EIP text (signing hash
 * and signed encoding), sign/recover round trips for every type, and rejection of malformed
 * encodings (truncation, unknown type, wrong field count, contract creation for types 3 and 4).
 */
#include <string.h>

#include "adapters/evm/evm_tx.h"
#include "relay/core/hex.h"
#include "relay/core/secp.h"
#include "tests/qt.h"

static void set_u64(uint8_t be[32], uint64_t v)
{
    memset(be, 0, 32);
    qiao_store64be(be + 24, v);
}

static void test_eip155_example(struct qiao_crypto *cx)
{
    /* EIP-155's worked example: key 0x4646...46, nonce 9, 20 gwei, 21000 gas, 1 ether, chain 1. */
    uint8_t key[32], hash[32], want_hash[32];
    memset(key, 0x46, 32);
    struct qiao_evm_tx tx = {.type = 0, .chain_id = 1, .nonce = 9, .gas = 21000, .has_to = 1};
    set_u64(tx.gas_price, 20000000000ULL);
    set_u64(tx.value, 1000000000000000000ULL);
    memset(tx.to, 0x35, 20);
    QT_CHECK(qiao_evm_tx_signing_hash(hash, &tx, NULL) == QIAO_OK);
    qiao_hex_decode_exact(want_hash, 32,
        "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", NULL);
    QT_CHECK_MEM(hash, want_hash, 32);
    QT_CHECK(qiao_evm_tx_sign(cx, &tx, key, NULL) == QIAO_OK);
    struct qiao_buf b = {0};
    char hex[512];
    QT_CHECK(qiao_evm_tx_encode(&b, &tx, NULL) == QIAO_OK);
    qiao_hex_encode(hex, b.p, b.len);
    QT_CHECK(strcmp(hex, "f86c098504a817c800825208943535353535353535353535353535353535353535880de0"
                         "b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620"
                         "aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
             == 0);
    struct qiao_evm_tx back;
    uint8_t addr[20], want_addr[20];
    QT_CHECK(qiao_evm_tx_decode(&back, b.p, b.len, NULL) == QIAO_OK && back.chain_id == 1);
    QT_CHECK(qiao_evm_tx_sender(cx, addr, &back, NULL) == QIAO_OK);
    QT_CHECK(qiao_secp_pubkey(cx, (uint8_t[64]){0}, want_addr, key, NULL) == QIAO_OK);
    QT_CHECK_MEM(addr, want_addr, 20);
    qiao_buf_clear(&b);
}

static void roundtrip(struct qiao_crypto *cx, uint8_t type)
{
    static const uint8_t access[] = {0xf8, 0x38, 0xf7, 0x94, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                     14, 15, 16, 17, 18, 19, 20, 0xe1, 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                     0, 7};
    static const uint8_t blobs[] = {0xe1, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    uint8_t key[32], addr[20], want[20];
    memset(key, 0x11, 32);
    struct qiao_evm_tx tx = {.type = type, .chain_id = 7001, .nonce = 3, .gas = 100000,
                             .has_to = 1, .data = (const uint8_t *)"\x01\x02", .data_len = 2};
    memset(tx.to, 0xab, 20);
    set_u64(tx.gas_price, 1000);
    set_u64(tx.max_priority_fee, 2);
    set_u64(tx.max_fee, 3000000000ULL);
    set_u64(tx.max_fee_per_blob_gas, 9);
    if (type >= 1)
        tx.access_list = access, tx.access_list_len = sizeof(access);
    if (type == 3)
        tx.blob_hashes = blobs, tx.blob_hashes_len = sizeof(blobs);
    QT_CHECK(qiao_evm_tx_sign(cx, &tx, key, NULL) == QIAO_OK);
    struct qiao_buf b = {0}, b2 = {0};
    struct qiao_evm_tx back;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_evm_tx_encode(&b, &tx, NULL) == QIAO_OK);
    QT_CHECKF(qiao_evm_tx_decode(&back, b.p, b.len, &d) == QIAO_OK, "type %u: %s", type, d.msg);
    QT_CHECK(back.type == type && back.chain_id == 7001 && back.nonce == 3);
    QT_CHECK(qiao_evm_tx_encode(&b2, &back, NULL) == QIAO_OK && b2.len == b.len &&
             memcmp(b.p, b2.p, b.len) == 0);
    QT_CHECK(qiao_evm_tx_sender(cx, addr, &back, NULL) == QIAO_OK);
    qiao_secp_pubkey(cx, (uint8_t[64]){0}, want, key, NULL);
    QT_CHECK_MEM(addr, want, 20);
    /* every truncation is rejected, never crashes */
    int all = 1;
    for (size_t n = 0; n < b.len; n++)
        all &= qiao_evm_tx_decode(&back, b.p, n, NULL) != QIAO_OK;
    QT_CHECKF(all, "type %u: every truncation rejected", type);
    qiao_buf_clear(&b);
    qiao_buf_clear(&b2);
}

static void test_rejects(void)
{
    struct qiao_evm_tx tx;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_evm_tx_decode(&tx, (const uint8_t *)"\x05\xc0", 2, &d) == QIAO_EUNSUPPORTED &&
             strcmp(d.reason, "unknown-tx-type") == 0);
    QT_CHECK(qiao_evm_tx_decode(&tx, (const uint8_t *)"\x02\xc1\x80", 3, &d) != QIAO_OK &&
             strcmp(d.reason, "tx-field-count") == 0);
    struct qiao_evm_tx blob = {.type = 3, .signed_ = 1};
    struct qiao_buf b = {0};
    QT_CHECK(qiao_evm_tx_encode(&b, &blob, &d) != QIAO_OK &&
             strcmp(d.reason, "create-not-allowed") == 0);
    qiao_buf_clear(&b);
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    test_eip155_example(cx);
    for (uint8_t t = 0; t <= 4; t++)
        roundtrip(cx, t);
    test_rejects();
    qiao_crypto_destroy(cx);
    return qt_finish();
}
