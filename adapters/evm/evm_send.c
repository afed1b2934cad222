/* evm_send.c: nonces, fees, signing, submission and confirmation (see evm_send.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapters/evm/evm_json.h"
#include "adapters/evm/evm_send.h"
#include "adapters/evm/evm_tx.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/secp.h"

/* ---- file nonce store ---------------------------------------------------------------------- */

#define NONCE_LINES 256

static qiao_err file_load(void *user, uint64_t chain_id, const uint8_t addr[20], uint64_t *next,
                          int *have, struct qiao_diag *d)
{
    char want[64], line[160], hex[41];
    FILE *f = fopen(user, "r");
    *have = 0, *next = 0;
    if (!f)
        return QIAO_OK; /* no file yet: nothing stored */
    qiao_hex_encode(hex, addr, 20);
    snprintf(want, sizeof(want), "%llu %s ", (unsigned long long)chain_id, hex);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, want, strlen(want)) == 0) {
            qiao_err err = qiao_parse_u64(next, strtok(line + strlen(want), "\n"), "nonce", d);
            fclose(f);
            *have = err == QIAO_OK;
            return err;
        }
    fclose(f);
    return QIAO_OK;
}

/* Rewrite the file with this sender's line replaced: temp file, fsync, rename. */
static qiao_err file_save(void *user, uint64_t chain_id, const uint8_t addr[20], uint64_t next,
                          struct qiao_diag *d)
{
    const char *path = user;
    char tmp[4096], want[64], line[160], hex[41];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    qiao_hex_encode(hex, addr, 20);
    snprintf(want, sizeof(want), "%llu %s ", (unsigned long long)chain_id, hex);
    FILE *in = fopen(path, "r"), *out = fopen(tmp, "w");
    int lines = 0;
    if (!out) {
        if (in)
            fclose(in);
        return QIAO_FAIL(d, QIAO_EIO, "nonce-store", "cannot write %s", tmp);
    }
    while (in && fgets(line, sizeof(line), in) && lines++ < NONCE_LINES)
        if (strncmp(line, want, strlen(want)) != 0)
            fputs(line, out);
    if (in)
        fclose(in);
    fprintf(out, "%s%llu\n", want, (unsigned long long)next);
    int ok = fflush(out) == 0 && fsync(fileno(out)) == 0;
    ok &= fclose(out) == 0;
    if (!ok || rename(tmp, path) != 0)
        return QIAO_FAIL(d, QIAO_EIO, "nonce-store", "cannot make %s durable", path);
    return QIAO_OK;
}

void qiao_evm_nonce_file(struct qiao_evm_nonce_store *store, const char *path)
{
    store->load = file_load, store->save = file_save, store->user = (void *)path;
}

/* ---- node queries -------------------------------------------------------------------------- */

static qiao_err call_u64(struct qiao_evm_source *s, uint64_t *out, const char *method,
                         cJSON *params, struct qiao_diag *d)
{
    cJSON *res = NULL;
    QIAO_TRY(qiao_evm_source_call(s, &res, method, params ? params : cJSON_CreateArray(), d));
    cJSON *wrap = cJSON_CreateObject();
    cJSON_AddItemToObject(wrap, "result", res);
    qiao_err err = qiao_evm_json_u64(out, wrap, "result", d);
    cJSON_Delete(wrap);
    return err ? qiao_diag_wrap(d, "%s", method) : QIAO_OK;
}

static cJSON *addr_params(const uint8_t addr[20], const char *tag)
{
    char hex[43];
    cJSON *p = cJSON_CreateArray();
    qiao_hex_encode0x(hex, addr, 20);
    cJSON_AddItemToArray(p, cJSON_CreateString(hex));
    cJSON_AddItemToArray(p, cJSON_CreateString(tag));
    return p;
}

static qiao_err next_nonce(struct qiao_evm_source *s, uint64_t *nonce, const uint8_t from[20],
                           const struct qiao_evm_nonce_store *store, struct qiao_diag *d)
{
    uint64_t stored = 0, pending;
    int have = 0;
    QIAO_TRY(store->load(store->user, s->chain_id, from, &stored, &have, d));
    QIAO_TRY(call_u64(s, &pending, "eth_getTransactionCount", addr_params(from, "pending"), d));
    *nonce = have && stored > pending ? stored : pending;
    return QIAO_OK;
}

static qiao_err estimate_gas(struct qiao_evm_source *s, uint64_t *gas, const uint8_t from[20],
                             const struct qiao_evm_call *c, const struct qiao_evm_fee_caps *caps,
                             struct qiao_diag *d)
{
    char hex[2 * 4096 + 3], num[32];
    cJSON *tx = cJSON_CreateObject(), *p = cJSON_CreateArray();
    qiao_hex_encode0x(hex, from, 20);
    cJSON_AddStringToObject(tx, "from", hex);
    qiao_hex_encode0x(hex, c->to, 20);
    cJSON_AddStringToObject(tx, "to", hex);
    snprintf(num, sizeof(num), "0x%llx", (unsigned long long)c->value);
    cJSON_AddStringToObject(tx, "value", num);
    if (c->data_len > 4096) {
        cJSON_Delete(tx), cJSON_Delete(p);
        return QIAO_FAIL(d, QIAO_ERANGE, "data-too-large", "call data above 4096 bytes");
    }
    qiao_hex_encode0x(hex, c->data, c->data_len);
    cJSON_AddStringToObject(tx, "data", hex);
    cJSON_AddItemToArray(p, tx);
    uint64_t est;
    QIAO_TRY(call_u64(s, &est, "eth_estimateGas", p, d));
    *gas = est + est * caps->gas_margin_pct / 100;
    if (*gas > caps->gas_cap)
        return QIAO_FAIL(d, QIAO_ERANGE, "gas-above-cap", "estimated gas %llu exceeds the cap "
                         "%llu", (unsigned long long)*gas, (unsigned long long)caps->gas_cap);
    return QIAO_OK;
}

static void be64(uint8_t out[32], uint64_t v)
{
    memset(out, 0, 32);
    qiao_store64be(out + 24, v);
}

static qiao_err set_fees(struct qiao_evm_source *s, struct qiao_evm_tx *tx,
                         const struct qiao_evm_fee_caps *caps, struct qiao_diag *d)
{
    if (caps->legacy) {
        uint64_t price;
        QIAO_TRY(call_u64(s, &price, "eth_gasPrice", NULL, d));
        be64(tx->gas_price, price < caps->max_fee ? price : caps->max_fee);
        return QIAO_OK;
    }
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    uint64_t prio, base;
    qiao_err err = qiao_evm_source_header(s, &h, &raw, "latest", d);
    qiao_buf_clear(&raw);
    QIAO_TRY(err);
    if (h.fields < QIAO_EVM_FORK_LONDON)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "no-base-fee", "the chain is pre-London; send legacy");
    base = (uint64_t)qiao_load32be(h.base_fee + 24) << 32 | qiao_load32be(h.base_fee + 28);
    if (call_u64(s, &prio, "eth_maxPriorityFeePerGas", NULL, NULL) != QIAO_OK)
        prio = caps->max_priority_fee;
    if (prio > caps->max_priority_fee)
        prio = caps->max_priority_fee;
    if (caps->max_fee < base + prio)
        return QIAO_FAIL(d, QIAO_ERANGE, "fee-cap-below-base-fee",
                         "fee cap %llu is below base fee %llu plus priority %llu",
                         (unsigned long long)caps->max_fee, (unsigned long long)base,
                         (unsigned long long)prio);
    uint64_t want = 2 * base + prio;
    be64(tx->max_priority_fee, prio);
    be64(tx->max_fee, want < caps->max_fee ? want : caps->max_fee);
    return QIAO_OK;
}

static qiao_err submit(struct qiao_evm_source *s, const struct qiao_evm_tx *tx,
                       uint8_t tx_hash[32], struct qiao_diag *d)
{
    struct qiao_buf enc = {0};
    cJSON *p = cJSON_CreateArray(), *res = NULL;
    qiao_err err = qiao_evm_tx_encode(&enc, tx, d);
    if (!err)
        err = qiao_evm_tx_hash(tx_hash, tx, d);
    char *hex = err ? NULL : malloc(2 * enc.len + 3);
    if (hex) {
        qiao_hex_encode0x(hex, enc.p, enc.len);
        cJSON_AddItemToArray(p, cJSON_CreateString(hex));
        free(hex);
        err = qiao_evm_source_call(s, &res, "eth_sendRawTransaction", p, d);
        p = NULL;
    } else if (!err) {
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "transaction hex");
    }
    cJSON_Delete(p);
    qiao_buf_clear(&enc);
    uint8_t theirs[32];
    if (!err && (!cJSON_IsString(res) ||
                 qiao_hex_decode_exact(theirs, 32, res->valuestring, NULL) ||
                 memcmp(theirs, tx_hash, 32) != 0))
        err = QIAO_FAIL(d, QIAO_EVERIFY, "hash-mismatch",
                        "the node answered a transaction hash that is not ours");
    cJSON_Delete(res);
    return err;
}

qiao_err qiao_evm_send(struct qiao_evm_source *s, struct qiao_crypto *cx, uint8_t tx_hash[32],
                       uint64_t *nonce, const uint8_t seckey[32],
                       const struct qiao_evm_nonce_store *store,
                       const struct qiao_evm_fee_caps *caps, const struct qiao_evm_call *call,
                       struct qiao_diag *d)
{
    uint8_t from[20], pub[64];
    struct qiao_evm_tx tx = {.type = caps->legacy ? QIAO_EVM_TX_LEGACY : QIAO_EVM_TX_DYNAMIC_FEE,
                             .chain_id = s->chain_id, .has_to = 1, .data = call->data,
                             .data_len = call->data_len};
    QIAO_TRY(qiao_secp_pubkey(cx, pub, from, seckey, d));
    memcpy(tx.to, call->to, 20);
    be64(tx.value, call->value);
    QIAO_TRY(estimate_gas(s, &tx.gas, from, call, caps, d));
    QIAO_TRY(set_fees(s, &tx, caps, d));
    QIAO_TRY(next_nonce(s, &tx.nonce, from, store, d));
    QIAO_TRY(qiao_evm_tx_sign(cx, &tx, seckey, d));
    /* Durable before it leaves: a crash now skips a nonce rather than reusing one. */
    QIAO_TRY(store->save(store->user, s->chain_id, from, tx.nonce + 1, d));
    *nonce = tx.nonce;
    return submit(s, &tx, tx_hash, d);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

qiao_err qiao_evm_wait_receipt(struct qiao_evm_source *s, int *status, uint64_t *block_number,
                               uint8_t block_hash[32], const uint8_t tx_hash[32],
                               unsigned poll_ms, unsigned timeout_ms, struct qiao_diag *d)
{
    char hex[67];
    qiao_hex_encode0x(hex, tx_hash, 32);
    for (unsigned waited = 0;; waited += poll_ms) {
        cJSON *p = cJSON_CreateArray(), *res = NULL;
        cJSON_AddItemToArray(p, cJSON_CreateString(hex));
        QIAO_TRY(qiao_evm_source_call(s, &res, "eth_getTransactionReceipt", p, d));
        if (cJSON_IsObject(res)) {
            uint64_t st = 2;
            qiao_err err = qiao_evm_json_u64(&st, res, "status", d);
            if (!err)
                err = qiao_evm_json_u64(block_number, res, "blockNumber", d);
            if (!err)
                err = qiao_json_hex_exact(block_hash, 32, res, "blockHash", d);
            cJSON_Delete(res);
            if (!err && st > 1)
                err = QIAO_FAIL(d, QIAO_EINVAL, "bad-receipt", "receipt status is not 0 or 1");
            *status = (int)st;
            return err;
        }
        cJSON_Delete(res);
        if (waited >= timeout_ms)
            return QIAO_FAIL(d, QIAO_ETIMEOUT, "timeout", "no receipt for %s after %u ms", hex,
                             timeout_ms);
        sleep_ms(poll_ms);
    }
}
