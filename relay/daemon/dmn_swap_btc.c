/*
 * dmn_swap_btc.c: the swap worker's Bitcoin chains (dmn_swap_int.h): following verified headers,
 * finding the watched HTLCs in final blocks, and broadcasting the spends the service half built.
 *
 * Per Bitcoin chain with a watched leg: one RPC client in the legacy dialect (bcoind / bcoin),
 * an in-memory header chain anchored at the lowest watched from_height (the node is trusted for
 * that one header and for the network name, as the EVM watcher trusts its anchor), followed with
 * qiao_btc_source_follow (every header verified, most-work fork choice).  Each block that is
 * final under the chain's confirmations is scanned once: its transaction ids come from getblock,
 * each transaction from getrawtransaction (hashed back to its id), and a transaction that pays or
 * spends a watched P2WSH program is then observed through the verified path
 * (qiao_btc_source_htlc_observe: header on our best chain, gettxoutproof into it, htlc_match) before
 * anything is reported.  A node that leaves a transaction out of getblock can delay an
 * observation (the leg then refunds at expiry) but cannot forge one.  A failed scan leaves the
 * cursor where it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_source.h"
#include "adapters/bitcoin/btc_source_htlc.h"
#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/dmn_swap_int.h"
#include "relay/rpc/rpc.h"

#define BTC_TXS_MAX 5000u       /* transactions read per block (regtest and test networks) */
#define BTC_HEADERS_MAX 200000u /* headers the in-memory chain keeps */

struct qiao_swap_btc {
    struct qiao_rpc *rpc;
    struct qiao_btc_memstore mem;
    struct qiao_btc_chain chain;
    int anchored;
    uint64_t cursor; /* next block to scan */
};

void qiao_swap_btc_destroy(struct qiao_swap_btc *b)
{
    if (!b)
        return;
    qiao_rpc_destroy(b->rpc);
    qiao_btc_memstore_clear(&b->mem);
    free(b);
}

static qiao_err network_of(struct qiao_swap_btc *b, const struct qiao_btc_params **p,
                           struct qiao_diag *d)
{
    cJSON *res = NULL;
    QIAO_TRY(qiao_rpc_call_sync(b->rpc, "getblockchaininfo", cJSON_CreateArray(), &res, d));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(res, "chain");
    qiao_err err = cJSON_IsString(name) ? qiao_btc_params_by_name(p, name->valuestring, d)
                                        : QIAO_FAIL(d, QIAO_EINVAL, "bad-node-reply",
                                                    "getblockchaininfo: no chain name");
    cJSON_Delete(res);
    return err;
}

static qiao_err anchor(struct qiao_swap_btc *b, struct qiao_crypto *cx, uint64_t from,
                       uint32_t confirmations, struct qiao_diag *d)
{
    const struct qiao_btc_params *p;
    struct qiao_btc_store view;
    uint8_t hash[32], raw[80];
    QIAO_TRY(network_of(b, &p, d));
    QIAO_TRY(qiao_btc_source_block_hash(b->rpc, hash, from, d));
    QIAO_TRY(qiao_btc_source_header(cx, b->rpc, raw, hash, d));
    qiao_btc_memstore_clear(&b->mem);
    qiao_btc_memstore_init(&b->mem, &view, BTC_HEADERS_MAX);
    QIAO_TRY(qiao_btc_chain_init(cx, &b->chain, p, view, raw, 80, from, NULL, d));
    b->chain.confirmations = confirmations ? confirmations : 1;
    b->anchored = 1, b->cursor = from;
    return QIAO_OK;
}

static qiao_err connect(struct qiao_swap_btc **out, struct lws_context *lws,
                        const struct qiao_cfg_chain *cfg, unsigned timeout_ms,
                        struct qiao_diag *d)
{
    struct qiao_swap_btc *b = calloc(1, sizeof(*b));
    if (!b)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "bitcoin swap chain");
    if (!cfg->n_http) {
        free(b);
        return QIAO_FAIL(d, QIAO_EINVAL, "no-endpoint", "bitcoin chain %llu: an http endpoint "
                         "is required", (unsigned long long)cfg->id);
    }
    struct qiao_rpc_opts o = {.url = cfg->http[0], .dialect = QIAO_RPC_DIALECT_LEGACY,
                              .timeout_ms = timeout_ms};
    qiao_err err = qiao_rpc_create(&b->rpc, lws, &o, d);
    if (err) {
        free(b);
        return err;
    }
    *out = b;
    return QIAO_OK;
}

static void push_clock(const struct qiao_swap_btc *b, uint64_t chain, struct qiao_swq *out)
{
    struct qiao_swq_item *ev = qiao_swq_new(QIAO_SWQ_CLOCK);
    if (!ev)
        return;
    ev->chain = chain, ev->height = b->chain.tip.height, ev->time = b->chain.tip.time;
    qiao_swq_push(out, ev);
}

/* The block's transaction ids (internal order) from getblock; the caller frees *ids. */
static qiao_err block_txids(struct qiao_swap_btc *b, const uint8_t block[32], uint8_t (**ids)[32],
                            size_t *n, struct qiao_diag *d)
{
    char h[65];
    cJSON *p = cJSON_CreateArray(), *res = NULL;
    qiao_hex_encode_rev(h, block, 32);
    cJSON_AddItemToArray(p, cJSON_CreateString(h));
    QIAO_TRY(qiao_rpc_call_sync(b->rpc, "getblock", p, &res, d));
    const cJSON *txs = cJSON_GetObjectItemCaseSensitive(res, "tx"), *t;
    int count = cJSON_GetArraySize(txs);
    qiao_err err = QIAO_OK;
    *n = 0;
    *ids = NULL;
    if (!cJSON_IsArray(txs) || count <= 0 || (unsigned)count > BTC_TXS_MAX)
        err = QIAO_FAIL(d, QIAO_EINVAL, "bad-node-reply", "getblock: tx list missing or over %u",
                        BTC_TXS_MAX);
    else if (!(*ids = malloc((size_t)count * 32)))
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "block txids");
    const cJSON *list = err ? NULL : txs;
    cJSON_ArrayForEach(t, list) {
        uint8_t be[32];
        if (!cJSON_IsString(t) || qiao_hex_decode_exact(be, 32, t->valuestring, d)) {
            err = QIAO_FAIL(d, QIAO_EINVAL, "bad-node-reply", "getblock: bad txid");
            break;
        }
        for (int i = 0; i < 32; i++)
            (*ids)[*n][i] = be[31 - i];
        (*n)++;
    }
    cJSON_Delete(res);
    if (err)
        free(*ids), *ids = NULL;
    return err;
}

static int has_bytes(const uint8_t *raw, size_t len, const uint8_t *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (raw[i] == needle[0] && memcmp(raw + i, needle, n) == 0)
            return 1;
    return 0;
}

static void report(const struct qiao_swap_watch *w, const struct qiao_btc_htlc_match *m,
                   const struct qiao_btc_htlc_seen *seen, const uint8_t txid[32],
                   struct qiao_swq *out)
{
    enum qiao_swq_kind k = m->kind == QIAO_BTC_HTLC_LOCK      ? QIAO_SWQ_LOCKED
                           : m->kind == QIAO_BTC_HTLC_CLAIMED ? QIAO_SWQ_CLAIMED
                                                              : QIAO_SWQ_REFUNDED;
    struct qiao_swq_item *ev = qiao_swq_new(k);
    if (!ev)
        return;
    memcpy(ev->id, w->id, 32), memcpy(ev->hashlock, w->hashlock, 32);
    ev->leg = w->leg, ev->chain = w->chain, ev->bitcoin = 1;
    ev->height = seen->height, ev->time = seen->block_time;
    if (k == QIAO_SWQ_LOCKED) {
        memcpy(ev->lock_id, txid, 32), ev->vout = m->index, ev->value = m->value;
    } else {
        memcpy(ev->lock_id, m->prev_txid, 32), ev->vout = m->prev_vout;
        memcpy(ev->tx, txid, 32);
    }
    if (k == QIAO_SWQ_CLAIMED)
        memcpy(ev->preimage, m->preimage, 32), ev->preimage_len = 32;
    qiao_swq_push(out, ev);
}

/* One transaction against every watch of the chain: a cheap byte search first (a lock carries the
 * program, a spend the script and so the hashlock), then the verified observation. */
static qiao_err scan_tx(struct qiao_swap_btc *b, struct qiao_crypto *cx, const uint8_t block[32],
                        const uint8_t txid[32], struct qiao_swap_watch *ws, size_t nw,
                        struct qiao_swq *out, struct qiao_diag *d)
{
    uint8_t *raw = NULL;
    size_t len;
    QIAO_TRY(qiao_btc_source_raw_tx(cx, b->rpc, &raw, &len, txid, d));
    qiao_err err = QIAO_OK;
    for (size_t i = 0; !err && i < nw; i++) {
        if (!has_bytes(raw, len, ws[i].program, 32) && !has_bytes(raw, len, ws[i].hashlock, 32))
            continue;
        struct qiao_btc_htlc_match m = {.want_program = 1};
        struct qiao_btc_htlc_seen seen;
        memcpy(m.program, ws[i].program, 32);
        err = qiao_btc_source_htlc_observe(cx, b->rpc, &b->chain, &m, &seen, txid, block, d);
        if (err == QIAO_ENOTFOUND && strcmp(d->reason, "no-htlc") == 0)
            err = QIAO_OK; /* the bytes were there by chance */
        else if (!err)
            report(&ws[i], &m, &seen, txid, out);
    }
    free(raw);
    return err;
}

static qiao_err scan_block(struct qiao_swap_btc *b, struct qiao_crypto *cx, uint64_t height,
                           struct qiao_swap_watch *ws, size_t nw, struct qiao_swq *out,
                           struct qiao_diag *d)
{
    uint8_t block[32], (*ids)[32] = NULL;
    size_t n = 0;
    QIAO_TRY(b->chain.store.ops->main_get(b->chain.store.self, block, height, d));
    QIAO_TRY(block_txids(b, block, &ids, &n, d));
    qiao_err err = QIAO_OK;
    for (size_t i = 1; !err && i < n; i++) /* the coinbase neither locks to nor spends an HTLC */
        err = scan_tx(b, cx, block, ids[i], ws, nw, out, d);
    free(ids);
    return err;
}

qiao_err qiao_swap_btc_round(struct qiao_swap_btc **bp, struct lws_context *lws,
                             struct qiao_crypto *cx, const struct qiao_cfg_chain *cfg,
                             unsigned timeout_ms, uint64_t from, int restart,
                             struct qiao_swap_watch *ws, size_t nw, struct qiao_swq *out,
                             struct qiao_diag *d)
{
    struct qiao_btc_follow_result fr;
    if (!*bp)
        QIAO_TRY(connect(bp, lws, cfg, timeout_ms, d));
    struct qiao_swap_btc *b = *bp;
    if (restart)
        b->anchored = 0;
    if (!b->anchored) {
        QIAO_TRY(anchor(b, cx, from, cfg->confirmations, d));
        QIAO_LOG(QIAO_LOG_INFO, "swap", "chain=%llu bitcoin anchored height=%llu",
                 (unsigned long long)cfg->id, (unsigned long long)from);
    }
    QIAO_TRY(qiao_btc_source_follow(cx, b->rpc, &b->chain, &fr, d));
    if (fr.reorged && fr.fork_height < b->cursor)
        b->cursor = fr.fork_height + 1; /* rescan the new branch; repeats are skipped upstream */
    push_clock(b, cfg->id, out);
    while (b->chain.tip.height + 1 >= b->cursor + b->chain.confirmations) {
        QIAO_TRY(scan_block(b, cx, b->cursor, ws, nw, out, d));
        b->cursor++;
    }
    return QIAO_OK;
}

uint64_t qiao_swap_btc_cursor(const struct qiao_swap_btc *b)
{
    return b && b->anchored ? b->cursor : UINT64_MAX;
}

qiao_err qiao_swap_btc_send(struct qiao_swap_btc *b, struct qiao_crypto *cx,
                            const struct qiao_swq_item *job, uint8_t tx[32], struct qiao_diag *d)
{
    if (!b)
        return QIAO_FAIL(d, QIAO_ESTATE, "chain-not-ready", "bitcoin chain %llu has no client "
                         "yet", (unsigned long long)job->chain);
    if (!job->raw_len || job->raw_len > sizeof(job->raw))
        return QIAO_FAIL(d, QIAO_EINVAL, "no-transaction", "no signed spend in the job");
    return qiao_btc_source_send(cx, b->rpc, tx, job->raw, job->raw_len, d);
}
