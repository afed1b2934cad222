/* evm_json.c: node JSON to canonical bytes (see evm_json.h). */
#include <string.h>

#include "adapters/evm/evm_header.h"
#include "adapters/evm/evm_json.h"
#include "adapters/evm/evm_receipt.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

qiao_err qiao_evm_json_quantity(uint8_t *out, size_t n, const cJSON *obj, const char *key,
                                struct qiao_diag *d)
{
    const char *s;
    QIAO_TRY(qiao_json_str(&s, obj, key, d));
    size_t len = strlen(s);
    if (len < 3 || s[0] != '0' || s[1] != 'x' || (len > 3 && s[2] == '0') || len - 2 > 2 * n)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-quantity",
                         "field %s is not a canonical quantity of at most %zu bytes", key, n);
    memset(out, 0, n);
    for (size_t i = 0; i < len - 2; i++) {
        int v = hexval(s[len - 1 - i]);
        if (v < 0)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-quantity", "field %s has a non-hex digit", key);
        out[n - 1 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
    }
    return QIAO_OK;
}

qiao_err qiao_evm_json_u64(uint64_t *out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    uint8_t be[8];
    QIAO_TRY(qiao_evm_json_quantity(be, 8, obj, key, d));
    *out = (uint64_t)qiao_load32be(be) << 32 | qiao_load32be(be + 4);
    return QIAO_OK;
}

static qiao_err put_quantity(struct qiao_buf *b, const cJSON *obj, const char *key,
                             struct qiao_diag *d)
{
    uint8_t v[32];
    QIAO_TRY(qiao_evm_json_quantity(v, 32, obj, key, d));
    return qiao_rlp_put_uint_be(b, v, 32, d);
}

/* Data of exactly n bytes (n == 0: any length up to max). */
static qiao_err put_data(struct qiao_buf *b, const cJSON *obj, const char *key, size_t n,
                         size_t max, struct qiao_diag *d)
{
    const char *s;
    uint8_t tmp[4096];
    size_t len;
    QIAO_TRY(qiao_json_str(&s, obj, key, d));
    if (strncmp(s, "0x", 2) != 0 ||
        qiao_hex_decode(tmp, n ? n : (max < sizeof(tmp) ? max : sizeof(tmp)), &len, s, strlen(s),
                        NULL) || (n && len != n))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-data", "field %s is not 0x-hex of %s%zu bytes", key,
                         n ? "" : "at most ", n ? n : max);
    return qiao_rlp_put_bytes(b, tmp, len, d);
}

struct jfield {
    const char *key;
    size_t size; /* 0: a quantity */
};

static const struct jfield header_fields[21] = {
    {"parentHash", 32}, {"sha3Uncles", 32}, {"miner", 20}, {"stateRoot", 32},
    {"transactionsRoot", 32}, {"receiptsRoot", 32}, {"logsBloom", 256}, {"difficulty", 0},
    {"number", 0}, {"gasLimit", 0}, {"gasUsed", 0}, {"timestamp", 0}, {"extraData", SIZE_MAX},
    {"mixHash", 32}, {"nonce", 8}, {"baseFeePerGas", 0}, {"withdrawalsRoot", 32},
    {"blobGasUsed", 0}, {"excessBlobGas", 0}, {"parentBeaconBlockRoot", 32}, {"requestsHash", 32},
};

/* Which layout the object carries: the longest prefix of optional fields present. */
static size_t header_layout(const cJSON *obj)
{
    static const size_t counts[] = {21, 20, 17, 16};
    for (size_t i = 0; i < 4; i++) {
        const char *key = header_fields[counts[i] - 1].key;
        const cJSON *v = qiao_json_get(obj, key);
        if (v && !cJSON_IsNull(v))
            return counts[i];
    }
    return 15;
}

qiao_err qiao_evm_header_from_json(struct qiao_buf *out, const cJSON *obj, struct qiao_diag *d)
{
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "header is not a JSON object");
    size_t n = header_layout(obj);
    out->len = 0;
    size_t start = qiao_rlp_list_begin(out);
    for (size_t i = 0; i < n; i++) {
        const struct jfield *f = &header_fields[i];
        if (f->size == 0)
            QIAO_TRY(put_quantity(out, obj, f->key, d));
        else if (f->size == SIZE_MAX)
            QIAO_TRY(put_data(out, obj, f->key, 0, QIAO_EVM_HEADER_MAX_BYTES / 2, d));
        else
            QIAO_TRY(put_data(out, obj, f->key, f->size, 0, d));
    }
    QIAO_TRY(qiao_rlp_list_end(out, start, d));
    uint8_t mine[32], theirs[32];
    qiao_keccak256(mine, out->p, out->len);
    if (qiao_json_hex_exact(theirs, 32, obj, "hash", NULL) == QIAO_OK && memcmp(mine, theirs, 32))
        return QIAO_FAIL(d, QIAO_EVERIFY, "hash-mismatch",
                         "the node's hash field is not keccak256 of the header it sent");
    return QIAO_OK;
}

static qiao_err read_log(struct qiao_evm_log *log, struct qiao_buf *data, const cJSON *obj,
                         struct qiao_diag *d)
{
    const cJSON *topics, *t;
    memset(log, 0, sizeof(*log));
    QIAO_TRY(qiao_json_hex_exact(log->address, 20, obj, "address", d));
    QIAO_TRY(qiao_json_array(&topics, obj, "topics", d));
    cJSON_ArrayForEach(t, topics) {
        if (log->topic_count == 4 || !cJSON_IsString(t) ||
            qiao_hex_decode_exact(log->topics[log->topic_count], 32, t->valuestring, NULL))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-log", "log topics are not at most 4 hashes");
        log->topic_count++;
    }
    const char *s;
    size_t len;
    QIAO_TRY(qiao_json_str(&s, obj, "data", d));
    data->len = 0;
    QIAO_TRY(qiao_buf_reserve(data, strlen(s) / 2 + 1, d));
    if (qiao_hex_decode(data->p, data->cap, &len, s, strlen(s), NULL))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-data", "log data is not hex");
    data->len = len;
    log->data = data->p, log->data_len = len;
    return QIAO_OK;
}

qiao_err qiao_evm_receipt_from_json(struct qiao_buf *out, uint64_t *tx_index, const cJSON *obj,
                                    struct qiao_diag *d)
{
    uint64_t type = 0, status, gas;
    const cJSON *logs, *l;
    uint8_t bloom[256], want[256];
    QIAO_TRY(qiao_evm_json_u64(tx_index, obj, "transactionIndex", d));
    if (qiao_json_get(obj, "type"))
        QIAO_TRY(qiao_evm_json_u64(&type, obj, "type", d));
    QIAO_TRY(qiao_evm_json_u64(&status, obj, "status", d));
    QIAO_TRY(qiao_evm_json_u64(&gas, obj, "cumulativeGasUsed", d));
    QIAO_TRY(qiao_json_hex_exact(want, 256, obj, "logsBloom", d));
    QIAO_TRY(qiao_json_array(&logs, obj, "logs", d));
    size_t n = (size_t)cJSON_GetArraySize(logs), i = 0;
    if (type > 4 || status > 1 || n > 256)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-receipt", "receipt type, status or log count out of "
                         "range");
    struct qiao_evm_log logs_v[256];
    struct qiao_buf datas[256];
    memset(datas, 0, sizeof(datas[0]) * (n ? n : 1));
    qiao_err err = QIAO_OK;
    cJSON_ArrayForEach(l, logs) {
        if (!err)
            err = read_log(&logs_v[i], &datas[i], l, d);
        i++;
    }
    if (!err) {
        qiao_evm_bloom(bloom, logs_v, n);
        if (memcmp(bloom, want, 256) != 0)
            err = QIAO_FAIL(d, QIAO_EVERIFY, "bloom-mismatch",
                            "receipt %llu: logsBloom is not the bloom of its logs",
                            (unsigned long long)*tx_index);
    }
    if (!err)
        err = qiao_evm_receipt_encode(out, (uint8_t)type, (int)status, NULL, gas, logs_v, n, d);
    for (size_t k = 0; k < n; k++)
        qiao_buf_clear(&datas[k]);
    return err;
}
