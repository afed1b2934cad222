/* btc_source.c: headers and proofs from a node over JSON-RPC (see btc_source.h). */
#include "adapters/bitcoin/btc_source.h"

#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "adapters/bitcoin/btc_merkle.h"
#include "relay/core/hex.h"

static qiao_err call_string(struct qiao_rpc *rpc, const char *method, cJSON *params,
                            cJSON **res, struct qiao_diag *d)
{
    QIAO_TRY(qiao_rpc_call_sync(rpc, method, params, res, d));
    if (!cJSON_IsString(*res)) {
        cJSON_Delete(*res);
        *res = NULL;
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-node-reply", "%s: the result is not a string",
                         method);
    }
    return QIAO_OK;
}

/* Display-order hex (as RPC prints hashes) to internal order. */
static qiao_err hash_from_display(uint8_t hash[32], const char *hex, struct qiao_diag *d)
{
    uint8_t tmp[32];
    QIAO_TRY(qiao_hex_decode_exact(tmp, 32, hex, d));
    for (int i = 0; i < 32; i++)
        hash[i] = tmp[31 - i];
    return QIAO_OK;
}

static cJSON *display_hash(const uint8_t hash[32])
{
    char s[65];
    qiao_hex_encode_rev(s, hash, 32);
    return cJSON_CreateString(s);
}

qiao_err qiao_btc_source_block_hash(struct qiao_rpc *rpc, uint8_t hash[32], uint64_t height,
                                    struct qiao_diag *d)
{
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateNumber((double)height));
    QIAO_TRY(call_string(rpc, "getblockhash", params, &res, d));
    qiao_err err = hash_from_display(hash, res->valuestring, d);
    cJSON_Delete(res);
    return err;
}

qiao_err qiao_btc_source_header(struct qiao_crypto *cx, struct qiao_rpc *rpc, uint8_t raw[80],
                                const uint8_t hash[32], struct qiao_diag *d)
{
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    uint8_t got[32];
    cJSON_AddItemToArray(params, display_hash(hash));
    cJSON_AddItemToArray(params, cJSON_CreateFalse());
    QIAO_TRY(call_string(rpc, "getblockheader", params, &res, d));
    qiao_err err = qiao_hex_decode_exact(raw, 80, res->valuestring, d);
    cJSON_Delete(res);
    QIAO_TRY(err);
    qiao_btc_header_hash(cx, got, raw);
    if (memcmp(got, hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-node-reply",
                         "the node's header does not hash to the requested block");
    return QIAO_OK;
}

static qiao_err node_height(struct qiao_rpc *rpc, uint64_t *height, struct qiao_diag *d)
{
    cJSON *res = NULL;
    QIAO_TRY(qiao_rpc_call_sync(rpc, "getblockcount", NULL, &res, d));
    int ok = cJSON_IsNumber(res) && res->valuedouble >= 0 && res->valuedouble < 1e12;
    *height = ok ? (uint64_t)res->valuedouble : 0;
    cJSON_Delete(res);
    return ok ? QIAO_OK
              : QIAO_FAIL(d, QIAO_EINVAL, "bad-node-reply", "getblockcount: not a height");
}

/* Highest height at or below top whose node hash we already hold. */
static qiao_err common_height(struct qiao_rpc *rpc, const struct qiao_btc_chain *chain,
                              uint64_t top, uint64_t *out, struct qiao_diag *d)
{
    struct qiao_btc_record rec;
    uint8_t hash[32];
    for (uint64_t h = top;; h--) {
        if (h < chain->anchor_height)
            break;
        QIAO_TRY(qiao_btc_source_block_hash(rpc, hash, h, d));
        if (chain->store.ops->get(chain->store.self, &rec, hash, NULL) == QIAO_OK) {
            *out = h;
            return QIAO_OK;
        }
        if (h == 0)
            break;
    }
    return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-common-ancestor",
                     "the node's best chain does not contain the trusted anchor");
}

qiao_err qiao_btc_source_follow(struct qiao_crypto *cx, struct qiao_rpc *rpc,
                                struct qiao_btc_chain *chain, struct qiao_btc_follow_result *res,
                                struct qiao_diag *d)
{
    uint64_t top, from;
    memset(res, 0, sizeof(*res));
    QIAO_TRY(node_height(rpc, &top, d));
    res->node_height = top;
    uint64_t start = top < chain->tip.height ? top : chain->tip.height;
    QIAO_TRY(common_height(rpc, chain, start, &from, d));
    res->fork_height = from;
    for (uint64_t h = from + 1; h <= top && res->added < QIAO_BTC_FOLLOW_MAX; h++) {
        uint8_t hash[32], raw[80];
        struct qiao_btc_add_result add;
        QIAO_TRY(qiao_btc_source_block_hash(rpc, hash, h, d));
        QIAO_TRY(qiao_btc_source_header(cx, rpc, raw, hash, d));
        QIAO_TRY(qiao_btc_chain_add(cx, chain, &add, raw, sizeof(raw), (int64_t)time(NULL), d));
        if (add.status != QIAO_BTC_ADD_DUPLICATE)
            res->added++;
        if (add.status == QIAO_BTC_ADD_REORG)
            res->reorged = 1;
    }
    return QIAO_OK;
}

qiao_err qiao_btc_source_txoutproof(struct qiao_rpc *rpc, uint8_t **proof, size_t *len,
                                    const uint8_t txid[32], const uint8_t block[32],
                                    struct qiao_diag *d)
{
    cJSON *params = cJSON_CreateArray(), *ids = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(ids, display_hash(txid));
    cJSON_AddItemToArray(params, ids);
    cJSON_AddItemToArray(params, display_hash(block));
    QIAO_TRY(call_string(rpc, "gettxoutproof", params, &res, d));
    qiao_err err = qiao_hex_decode_alloc(proof, len, res->valuestring, (size_t)1 << 20, d);
    cJSON_Delete(res);
    return err;
}
