/* btc_source_htlc.c: HTLC transactions to and from a node (see btc_source_htlc.h). */
#include "adapters/bitcoin/btc_source_htlc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/bitcoin/btc_adapter.h"
#include "adapters/bitcoin/btc_merkle.h"
#include "adapters/bitcoin/btc_source.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/hex.h"

/* Largest transaction or proof we accept from the node. */
#define MAX_REPLY_BYTES ((size_t)1 << 20)
/* The Merkle block's matches (one per matched transaction) are allocated here. */
#define PROOF_ARENA_BYTES ((size_t)1 << 16)

static cJSON *display_hash(const uint8_t hash[32])
{
    char s[65];
    qiao_hex_encode_rev(s, hash, 32);
    return cJSON_CreateString(s);
}

static qiao_err hash_from_display(uint8_t hash[32], const cJSON *v, const char *what,
                                  struct qiao_diag *d)
{
    uint8_t tmp[32];
    if (!cJSON_IsString(v) || qiao_hex_decode_exact(tmp, 32, v->valuestring, NULL) != QIAO_OK)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-node-reply", "%s: not a 32-byte hash", what);
    for (int i = 0; i < 32; i++)
        hash[i] = tmp[31 - i];
    return QIAO_OK;
}

/* 1 once the node holds txid in its mempool. */
static int in_mempool(struct qiao_rpc *rpc, const uint8_t txid[32])
{
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, display_hash(txid));
    int ok = qiao_rpc_call_sync(rpc, "getmempoolentry", params, &res, NULL) == QIAO_OK &&
             cJSON_IsObject(res);
    cJSON_Delete(res);
    return ok;
}

/* bcoin's sendrawtransaction answers the txid before (and whether or not) its mempool accepts
 * the transaction; the verdict is only in its log.  So acceptance is confirmed by asking for the
 * mempool entry, a few times over a short window because bcoin relays asynchronously. */
static qiao_err confirm_accepted(struct qiao_rpc *rpc, const uint8_t txid[32],
                                 struct qiao_diag *d)
{
    const struct timespec pause = {0, QIAO_BTC_SEND_POLL_MS * 1000000L};
    for (unsigned waited = 0; waited <= QIAO_BTC_SEND_CONFIRM_MS; waited += QIAO_BTC_SEND_POLL_MS) {
        if (in_mempool(rpc, txid))
            return QIAO_OK;
        nanosleep(&pause, NULL);
    }
    return QIAO_FAIL(d, QIAO_EVERIFY, "not-accepted", "the node took the transaction but did not "
                     "admit it to its mempool within %u ms (bcoin logs the reason)",
                     QIAO_BTC_SEND_CONFIRM_MS);
}

qiao_err qiao_btc_source_send(struct qiao_crypto *cx, struct qiao_rpc *rpc, uint8_t txid[32],
                              const uint8_t *raw, size_t len, struct qiao_diag *d)
{
    struct qiao_btc_tx_info info;
    uint8_t got[32];
    QIAO_TRY(qiao_btc_tx_parse(cx, &info, raw, len, d));
    char *hex = malloc(2 * len + 1);
    if (!hex)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "hex of a %zu-byte transaction", len);
    qiao_hex_encode(hex, raw, len);
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateString(hex));
    free(hex);
    QIAO_TRY(qiao_rpc_call_sync(rpc, "sendrawtransaction", params, &res, d));
    qiao_err err = hash_from_display(got, res, "sendrawtransaction", d);
    cJSON_Delete(res);
    QIAO_TRY(err);
    if (memcmp(got, info.txid, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-node-reply", "the node reports a different txid");
    QIAO_TRY(confirm_accepted(rpc, info.txid, d));
    if (txid)
        memcpy(txid, info.txid, 32);
    return QIAO_OK;
}

qiao_err qiao_btc_source_raw_tx(struct qiao_crypto *cx, struct qiao_rpc *rpc, uint8_t **raw,
                                size_t *len, const uint8_t txid[32], struct qiao_diag *d)
{
    struct qiao_btc_tx_info info;
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    *raw = NULL;
    cJSON_AddItemToArray(params, display_hash(txid));
    QIAO_TRY(qiao_rpc_call_sync(rpc, "getrawtransaction", params, &res, d));
    qiao_err err = cJSON_IsString(res)
                       ? qiao_hex_decode_alloc(raw, len, res->valuestring, MAX_REPLY_BYTES, d)
                       : QIAO_FAIL(d, QIAO_EVERIFY, "bad-node-reply", "getrawtransaction: not hex");
    cJSON_Delete(res);
    if (err == QIAO_OK)
        err = qiao_btc_tx_parse(cx, &info, *raw, *len, d);
    if (err == QIAO_OK && memcmp(info.txid, txid, 32) != 0)
        err = QIAO_FAIL(d, QIAO_EVERIFY, "bad-node-reply", "getrawtransaction: the bytes are "
                        "another transaction");
    if (err != QIAO_OK)
        free(*raw), *raw = NULL;
    return err;
}

qiao_err qiao_btc_source_mine(struct qiao_rpc *rpc, uint8_t last[32], unsigned n,
                              const char *addr, struct qiao_diag *d)
{
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateNumber(n));
    cJSON_AddItemToArray(params, cJSON_CreateString(addr));
    QIAO_TRY(qiao_rpc_call_sync(rpc, "generatetoaddress", params, &res, d));
    int count = cJSON_IsArray(res) ? cJSON_GetArraySize(res) : -1;
    qiao_err err = count == (int)n ? QIAO_OK
                                   : QIAO_FAIL(d, QIAO_EVERIFY, "bad-node-reply",
                                               "generatetoaddress: %d hashes for %u blocks",
                                               count, n);
    if (err == QIAO_OK && last && n)
        err = hash_from_display(last, cJSON_GetArrayItem(res, count - 1), "generatetoaddress", d);
    cJSON_Delete(res);
    return err;
}

static qiao_err header_on_chain(const struct qiao_btc_chain *chain,
                                struct qiao_btc_htlc_seen *seen, struct qiao_btc_record *rec,
                                const uint8_t block[32], struct qiao_diag *d)
{
    QIAO_TRY(chain->store.ops->get(chain->store.self, rec, block, d));
    QIAO_TRY(qiao_btc_chain_confirmations(chain, &seen->confirmations, block, d));
    if (seen->confirmations == 0)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "not-on-best-chain", "block at height %llu is not on "
                         "the verified best chain", (unsigned long long)rec->link.height);
    seen->height = rec->link.height;
    seen->block_time = rec->link.time;
    return QIAO_OK;
}

/* The proof's header must be our verified header, and it must prove txid. */
static qiao_err prove(struct qiao_crypto *cx, struct qiao_rpc *rpc,
                      const struct qiao_btc_record *rec, const uint8_t txid[32],
                      struct qiao_proof_result *item, struct qiao_diag *d)
{
    struct qiao_header_info hi;
    struct qiao_arena a;
    uint8_t *proof = NULL;
    size_t len;
    QIAO_TRY(qiao_adapter_header_decode(&qiao_adapter_bitcoin, cx, &hi, rec->raw, 80, d));
    QIAO_TRY(qiao_btc_source_txoutproof(rpc, &proof, &len, txid, rec->link.hash, d));
    uint8_t *scratch = malloc(PROOF_ARENA_BYTES);
    if (!scratch)
        return free(proof), QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "proof arena");
    qiao_arena_init(&a, scratch, PROOF_ARENA_BYTES);
    qiao_err err = qiao_adapter_proof_verify(&qiao_adapter_bitcoin, cx, item, &hi, proof, len, &a,
                                             d);
    free(proof), free(scratch);
    QIAO_TRY(err);
    if (memcmp(item->id, txid, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "proof-mismatch", "the proof proves another "
                         "transaction");
    return QIAO_OK;
}

qiao_err qiao_btc_source_htlc_observe(struct qiao_crypto *cx, struct qiao_rpc *rpc,
                                      const struct qiao_btc_chain *chain,
                                      struct qiao_btc_htlc_match *m,
                                      struct qiao_btc_htlc_seen *seen, const uint8_t txid[32],
                                      const uint8_t block[32], struct qiao_diag *d)
{
    struct qiao_btc_record rec;
    struct qiao_proof_result item = {0};
    uint8_t *raw = NULL;
    size_t len;
    QIAO_TRY(header_on_chain(chain, seen, &rec, block, d));
    QIAO_TRY(prove(cx, rpc, &rec, txid, &item, d));
    QIAO_TRY(qiao_btc_source_raw_tx(cx, rpc, &raw, &len, txid, d));
    item.leaf = raw, item.leaf_len = len;
    qiao_err err = qiao_adapter_bitcoin.htlc_match(cx, m, &item, d);
    free(raw);
    return err;
}
