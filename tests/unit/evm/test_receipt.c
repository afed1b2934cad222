/*
 * test_receipt.c: receipts, logs, bloom, event matching and MessageSent.  A 40-receipt block is
 * built, its receipts root computed, a proof made for each receipt and verified through the
 * adapter table; MessageSent round-trips under several indexed layouts, and tampered ABI data,
 * payloads and proofs are rejected with their reasons.
 */
#include <string.h>

#include "adapters/evm/evm_adapter.h"
#include "adapters/evm/evm_block.h"
#include "adapters/evm/evm_message.h"
#include "adapters/evm/evm_receipt.h"
#include "relay/core/keccak.h"
#include "tests/qt.h"

#define N 40

static uint8_t arena_mem[1 << 20];

static void make_message(struct qiao_evm_message_sent *m, uint64_t seq, const uint8_t *payload,
                         size_t n)
{
    memset(m, 0, sizeof(*m));
    m->seq = seq, m->dst_chain_id = 7001;
    memset(m->sender, 0x11, 20);
    memset(m->receiver, 0x22, 20);
    m->payload = payload, m->payload_len = n;
    qiao_keccak256(m->payload_hash, payload, n);
}

static void test_message_layouts(void)
{
    static const unsigned masks[] = {0, 1, 3, 7, 0x14, 0x10};
    uint8_t emitter[20], payload[77];
    memset(emitter, 0xee, 20);
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)i;
    for (size_t k = 0; k < sizeof(masks) / sizeof(masks[0]); k++) {
        struct qiao_evm_message_sent m, got;
        struct qiao_evm_log log;
        struct qiao_buf data = {0};
        struct qiao_diag d = {0};
        make_message(&m, 42 + k, payload, k * 13);
        QT_CHECK(qiao_evm_message_sent_encode(&log, &data, &m, masks[k], emitter, NULL) == QIAO_OK);
        QT_CHECKF(qiao_evm_message_sent_decode(&got, &log, masks[k], &d) == QIAO_OK, "mask %u: %s",
                  masks[k], d.msg);
        QT_CHECK(got.seq == m.seq && got.dst_chain_id == 7001 && got.payload_len == m.payload_len &&
                 memcmp(got.receiver, m.receiver, 20) == 0 &&
                 memcmp(got.payload, payload, m.payload_len) == 0);
        /* a different indexed layout is a different event shape */
        QT_CHECK(qiao_evm_message_sent_decode(&got, &log, masks[k] ^ 1, NULL) != QIAO_OK);
        /* every single-bit flip of the data is rejected or changes nothing we accept silently */
        int bad_ok = 0;
        for (size_t j = 0; j < data.len; j++) {
            data.p[j] ^= 0x01;
            if (qiao_evm_message_sent_decode(&got, &log, masks[k], NULL) == QIAO_OK &&
                memcmp(got.payload_hash, m.payload_hash, 32) == 0 && got.seq == m.seq &&
                got.dst_chain_id == m.dst_chain_id && !memcmp(got.sender, m.sender, 20) &&
                !memcmp(got.receiver, m.receiver, 20))
                bad_ok = 1;
            data.p[j] ^= 0x01;
        }
        QT_CHECKF(!bad_ok, "mask %u: flipped data never decodes to the same message", masks[k]);
        qiao_buf_clear(&data);
    }
    /* a payload that does not match payloadHash */
    struct qiao_evm_message_sent m, got;
    struct qiao_evm_log log;
    struct qiao_buf data = {0};
    struct qiao_diag d = {0};
    make_message(&m, 1, payload, 10);
    m.payload_hash[0] ^= 1;
    qiao_evm_message_sent_encode(&log, &data, &m, 1, emitter, NULL);
    QT_CHECK(qiao_evm_message_sent_decode(&got, &log, 1, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "payload-hash-mismatch") == 0);
    log.data_len -= 1;
    QT_CHECK(qiao_evm_message_sent_decode(&got, &log, 1, &d) != QIAO_OK &&
             strcmp(d.reason, "bad-abi") == 0);
    qiao_buf_clear(&data);
}

/* A block of N receipts, each with one MessageSent log from a fixed emitter. */
static void test_receipt_proofs(void)
{
    struct qiao_buf enc[N], data = {0}, scratch = {0}, store = {0}, wire = {0};
    const uint8_t *vals[N];
    size_t lens[N];
    uint8_t emitter[20], topic[32], payload[40] = {0}, root[32], root2[32];
    memset(emitter, 0xee, 20);
    qiao_evm_message_sent_topic(topic);
    for (int i = 0; i < N; i++) {
        struct qiao_evm_message_sent m;
        struct qiao_evm_log log;
        payload[0] = (uint8_t)i;
        make_message(&m, (uint64_t)i, payload, sizeof(payload));
        qiao_evm_message_sent_encode(&log, &data, &m, 1, emitter, NULL);
        memset(&enc[i], 0, sizeof(enc[i]));
        QT_CHECK(qiao_evm_receipt_encode(&enc[i], i % 3 ? 2 : 0, 1, NULL, 21000 * (uint64_t)(i + 1),
                                         &log, 1, NULL) == QIAO_OK);
        vals[i] = enc[i].p, lens[i] = enc[i].len;
    }
    struct qiao_arena arena;
    qiao_arena_init(&arena, arena_mem, sizeof(arena_mem));
    QT_CHECK(qiao_evm_ordered_root(root, vals, lens, N, &arena, &scratch, NULL) == QIAO_OK);
    struct qiao_header_info hi = {0};
    memcpy(hi.root, root, 32);
    int ok_all = 1, tamper_all = 1;
    for (int i = 0; i < N; i++) {
        struct qiao_evm_proof proof;
        struct qiao_proof_result res;
        struct qiao_diag d = {0};
        qiao_arena_reset(&arena);
        QT_CHECK(qiao_evm_ordered_prove(root2, &proof, &store, vals, lens, N, (uint64_t)i, &arena,
                                        &scratch, NULL) == QIAO_OK);
        QT_CHECK_MEM(root2, root, 32);
        wire.len = 0;
        qiao_evm_receipt_proof_encode(&wire, (uint64_t)i, &proof, NULL);
        qiao_err err = qiao_adapter_proof_verify(&qiao_adapter_evm, NULL, &res, &hi, wire.p,
                                                 wire.len, NULL, &d);
        struct qiao_evm_receipt r;
        struct qiao_evm_log log;
        struct qiao_evm_message_sent m;
        const uint8_t *topics[1] = {topic};
        ok_all &= err == QIAO_OK && res.index == (uint64_t)i && res.leaf_len == lens[i] &&
                  qiao_evm_receipt_decode(&r, res.leaf, res.leaf_len, NULL) == QIAO_OK &&
                  qiao_evm_receipt_check_bloom(&r, NULL) == QIAO_OK &&
                  qiao_evm_receipt_log(&log, &r, 0, NULL) == QIAO_OK &&
                  qiao_evm_log_match(&log, emitter, topics, 1) &&
                  qiao_evm_message_sent_decode(&m, &log, 1, NULL) == QIAO_OK && m.seq == (uint64_t)i;
        /* the proof for i presented as the proof for i+1 must fail */
        wire.len = 0;
        qiao_evm_receipt_proof_encode(&wire, (uint64_t)i + 1, &proof, NULL);
        tamper_all &= qiao_adapter_proof_verify(&qiao_adapter_evm, NULL, &res, &hi, wire.p,
                                                wire.len, NULL, NULL) != QIAO_OK;
    }
    QT_CHECK(ok_all);
    QT_CHECK(tamper_all);
    /* an index past the end has a valid exclusion proof: "receipt-absent" */
    struct qiao_evm_proof proof;
    struct qiao_diag d = {0};
    const uint8_t *leaf;
    size_t leaf_len;
    uint64_t idx;
    qiao_arena_reset(&arena);
    qiao_evm_ordered_prove(root2, &proof, &store, vals, lens, N, 1000, &arena, &scratch, NULL);
    wire.len = 0;
    qiao_evm_receipt_proof_encode(&wire, 1000, &proof, NULL);
    QT_CHECK(qiao_evm_receipt_proof_verify(&leaf, &leaf_len, &idx, root, wire.p, wire.len, &d) ==
                 QIAO_EVERIFY && strcmp(d.reason, "receipt-absent") == 0);
    /* truncated wire forms are rejected */
    int trunc_all = 1;
    for (size_t n = 0; n < wire.len; n++)
        trunc_all &= qiao_evm_receipt_proof_verify(&leaf, &leaf_len, &idx, root, wire.p, n, NULL) !=
                     QIAO_OK;
    QT_CHECK(trunc_all);
    for (int i = 0; i < N; i++)
        qiao_buf_clear(&enc[i]);
    qiao_buf_clear(&data), qiao_buf_clear(&scratch), qiao_buf_clear(&store), qiao_buf_clear(&wire);
}

static void test_bloom_mismatch(void)
{
    struct qiao_buf b = {0};
    struct qiao_evm_log log = {0};
    struct qiao_evm_receipt r;
    struct qiao_diag d = {0};
    memset(log.address, 0x42, 20);
    log.topic_count = 1;
    QT_CHECK(qiao_evm_receipt_encode(&b, 2, 1, NULL, 5, &log, 1, NULL) == QIAO_OK);
    QT_CHECK(qiao_evm_receipt_decode(&r, b.p, b.len, NULL) == QIAO_OK &&
             qiao_evm_receipt_check_bloom(&r, NULL) == QIAO_OK && r.type == 2 && r.status == 1);
    b.p[b.len - 80] ^= 0x04; /* inside the bloom */
    QT_CHECK(qiao_evm_receipt_decode(&r, b.p, b.len, NULL) == QIAO_OK &&
             qiao_evm_receipt_check_bloom(&r, &d) == QIAO_EVERIFY);
    QT_CHECK(qiao_evm_receipt_decode(&r, b.p, b.len - 1, &d) != QIAO_OK);
    qiao_buf_clear(&b);
}

int main(void)
{
    test_message_layouts();
    test_receipt_proofs();
    test_bloom_mismatch();
    return qt_finish();
}
