/* evm_receipt.c: receipt codec, logs, bloom and matching (see evm_receipt.h). */
#include <string.h>

#include "adapters/evm/evm_receipt.h"
#include "relay/core/keccak.h"

static qiao_err read_log(struct qiao_evm_log *out, const struct qiao_rlp_item *it, size_t i,
                         struct qiao_diag *d)
{
    struct qiao_rlp_item parts[3], topics[5];
    size_t n, tn;
    memset(out, 0, sizeof(*out));
    if (!it->list || qiao_rlp_list(parts, 3, &n, it, NULL) || n != 3 || parts[0].list ||
        parts[0].len != 20 || parts[2].list || qiao_rlp_list(topics, 5, &tn, &parts[1], NULL) ||
        tn > 4)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-log", "log %zu is not [address, [<= 4 topics], data]",
                         i);
    for (size_t k = 0; k < tn; k++)
        if (qiao_rlp_fixed(out->topics[k], 32, &topics[k], NULL))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-log", "log %zu topic %zu is not 32 bytes", i, k);
    memcpy(out->address, parts[0].p, 20);
    out->topic_count = tn;
    out->data = parts[2].p, out->data_len = parts[2].len;
    return QIAO_OK;
}

static qiao_err read_status(struct qiao_evm_receipt *r, const struct qiao_rlp_item *it,
                            struct qiao_diag *d)
{
    if (!it->list && it->len == 32) {
        memcpy(r->post_state, it->p, 32);
        return QIAO_OK;
    }
    r->has_status = 1;
    if (!it->list && it->len == 0)
        return QIAO_OK;
    if (!it->list && it->len == 1 && it->p[0] == 1) {
        r->status = 1;
        return QIAO_OK;
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-receipt", "receipt status is neither empty, 0x01 nor a "
                     "32-byte state root");
}

static qiao_err check_logs(struct qiao_evm_receipt *r, struct qiao_diag *d)
{
    struct qiao_rlp_iter iter;
    struct qiao_rlp_item it;
    struct qiao_evm_log log;
    int have;
    QIAO_TRY(qiao_rlp_iter_init(&iter, &r->logs, d));
    for (r->log_count = 0;; r->log_count++) {
        QIAO_TRY(qiao_rlp_next(&iter, &it, &have, d));
        if (!have)
            return QIAO_OK;
        if (r->log_count == QIAO_EVM_MAX_LOGS)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-many-logs", "receipt holds more than %d logs",
                             QIAO_EVM_MAX_LOGS);
        QIAO_TRY(read_log(&log, &it, r->log_count, d));
    }
}

qiao_err qiao_evm_receipt_decode(struct qiao_evm_receipt *r, const uint8_t *raw, size_t len,
                                 struct qiao_diag *d)
{
    memset(r, 0, sizeof(*r));
    if (len == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "empty", "empty receipt");
    if (raw[0] < 0x80) {
        if (raw[0] < 1 || raw[0] > 4)
            return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unknown-receipt-type",
                             "receipt type byte 0x%02x", raw[0]);
        r->type = raw[0];
        raw++, len--;
    }
    struct qiao_rlp_item top, f[4];
    size_t n;
    qiao_err err = qiao_rlp_decode_whole(&top, raw, len, d);
    if (!err)
        err = qiao_rlp_list(f, 4, &n, &top, d);
    if (err)
        return qiao_diag_wrap(d, "receipt RLP");
    if (n != 4 || !f[3].list)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-receipt", "receipt is not [status, gas, bloom, logs]");
    QIAO_TRY(read_status(r, &f[0], d));
    if (qiao_rlp_u64(&r->cumulative_gas, &f[1], NULL) || qiao_rlp_fixed(r->bloom, 256, &f[2], NULL))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-receipt", "receipt gas or bloom is malformed");
    r->logs = f[3];
    return check_logs(r, d);
}

qiao_err qiao_evm_receipt_log(struct qiao_evm_log *out, const struct qiao_evm_receipt *r,
                              size_t i, struct qiao_diag *d)
{
    struct qiao_rlp_iter iter;
    struct qiao_rlp_item it;
    int have = 0;
    if (i >= r->log_count)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-log", "receipt has %zu logs, no log %zu",
                         r->log_count, i);
    QIAO_TRY(qiao_rlp_iter_init(&iter, &r->logs, d));
    for (size_t k = 0; k <= i; k++)
        QIAO_TRY(qiao_rlp_next(&iter, &it, &have, d));
    return read_log(out, &it, i, d);
}

static void bloom_add(uint8_t bloom[256], const uint8_t *p, size_t n)
{
    uint8_t h[32];
    qiao_keccak256(h, p, n);
    for (int i = 0; i < 6; i += 2) {
        unsigned bit = ((unsigned)h[i] << 8 | h[i + 1]) & 2047;
        bloom[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

void qiao_evm_bloom(uint8_t bloom[256], const struct qiao_evm_log *logs, size_t n)
{
    memset(bloom, 0, 256);
    for (size_t i = 0; i < n; i++) {
        bloom_add(bloom, logs[i].address, 20);
        for (size_t k = 0; k < logs[i].topic_count && k < 4; k++)
            bloom_add(bloom, logs[i].topics[k], 32);
    }
}

qiao_err qiao_evm_receipt_check_bloom(const struct qiao_evm_receipt *r, struct qiao_diag *d)
{
    uint8_t bloom[256] = {0};
    struct qiao_evm_log log;
    for (size_t i = 0; i < r->log_count; i++) {
        QIAO_TRY(qiao_evm_receipt_log(&log, r, i, d));
        bloom_add(bloom, log.address, 20);
        for (size_t k = 0; k < log.topic_count; k++)
            bloom_add(bloom, log.topics[k], 32);
    }
    if (memcmp(bloom, r->bloom, 256) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bloom-mismatch",
                         "receipt's logsBloom is not the bloom of its %zu logs", r->log_count);
    return QIAO_OK;
}

static qiao_err put_log(struct qiao_buf *out, const struct qiao_evm_log *log, struct qiao_diag *d)
{
    if (log->topic_count > 4)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-log", "log has %zu topics", log->topic_count);
    size_t start = qiao_rlp_list_begin(out);
    QIAO_TRY(qiao_rlp_put_bytes(out, log->address, 20, d));
    size_t ts = qiao_rlp_list_begin(out);
    for (size_t k = 0; k < log->topic_count; k++)
        QIAO_TRY(qiao_rlp_put_bytes(out, log->topics[k], 32, d));
    QIAO_TRY(qiao_rlp_list_end(out, ts, d));
    QIAO_TRY(qiao_rlp_put_bytes(out, log->data, log->data_len, d));
    return qiao_rlp_list_end(out, start, d);
}

qiao_err qiao_evm_receipt_encode(struct qiao_buf *out, uint8_t type, int status,
                                 const uint8_t *post_state, uint64_t cumulative_gas,
                                 const struct qiao_evm_log *logs, size_t n, struct qiao_diag *d)
{
    uint8_t bloom[256];
    if (type > 4)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unknown-receipt-type", "receipt type %u", type);
    if (type)
        QIAO_TRY(qiao_buf_push(out, type, d));
    size_t start = qiao_rlp_list_begin(out);
    if (post_state)
        QIAO_TRY(qiao_rlp_put_bytes(out, post_state, 32, d));
    else
        QIAO_TRY(qiao_rlp_put_u64(out, status ? 1 : 0, d));
    QIAO_TRY(qiao_rlp_put_u64(out, cumulative_gas, d));
    qiao_evm_bloom(bloom, logs, n);
    QIAO_TRY(qiao_rlp_put_bytes(out, bloom, 256, d));
    size_t ls = qiao_rlp_list_begin(out);
    for (size_t i = 0; i < n; i++)
        QIAO_TRY(put_log(out, &logs[i], d));
    QIAO_TRY(qiao_rlp_list_end(out, ls, d));
    return qiao_rlp_list_end(out, start, d);
}

int qiao_evm_log_match(const struct qiao_evm_log *log, const uint8_t emitter[20],
                       const uint8_t *const *topics, size_t n)
{
    if (emitter && memcmp(log->address, emitter, 20) != 0)
        return 0;
    if (n > log->topic_count)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (topics[k] && memcmp(log->topics[k], topics[k], 32) != 0)
            return 0;
    return 1;
}
