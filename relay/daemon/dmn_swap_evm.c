/*
 * dmn_swap_evm.c: the swap worker's EVM leg: find and prove HashedTimelock logs in a verified
 * block, and send withdraw / refund (dmn_swap.h).
 *
 * A block is looked at only when its logs bloom (covered by the header hash we computed) may hold
 * a log of the contract, so a node cannot hide a lock by leaving it out of a log query.  For such
 * a block the receipts from eth_getBlockReceipts are re-encoded, the receipts trie is rebuilt and
 * its root must equal the verified header's receiptsRoot before any log is decoded; that proves
 * every log of the block at once.  The same method as dmn_scan.c uses for Outbox logs; it is
 * repeated here rather than shared because dmn_scan.c is the message pipeline's and is being
 * changed on another branch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_json.h"
#include "adapters/evm/evm_receipt.h"
#include "adapters/evm/evm_send.h"
#include "adapters/evm/evm_source.h"
#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/daemon/dmn_receipts.h"
#include "relay/daemon/dmn_swap_int.h"
#include "relay/notary/abi.h"

#define RECEIPT_POLL_MS 100
#define RECEIPT_TIMEOUT_MS 20000
#define DEFAULT_GAS_CAP 500000

static void topic(uint8_t t[32], const char *sig)
{
    qiao_keccak256(t, sig, strlen(sig));
}

/* ---- decoding the three logs ----------------------------------------------------------------- */

static int word_is_address(const uint8_t w[32])
{
    for (int i = 0; i < 12; i++)
        if (w[i])
            return 0;
    return 1;
}

static struct qiao_swq_item *base_event(enum qiao_swq_kind kind, const struct qiao_swap_watch *w,
                                        const struct qiao_evm_link *l, const uint8_t id[32])
{
    struct qiao_swq_item *ev = qiao_swq_new(kind);
    if (!ev)
        return NULL;
    memcpy(ev->id, w->id, 32);
    ev->leg = w->leg, ev->chain = w->chain;
    ev->height = l->number, ev->time = l->timestamp;
    memcpy(ev->lock_id, id, 32);
    return ev;
}

/* Locked(bytes32 indexed id, address indexed sender, address indexed receiver, address token,
 * uint256 amount, bytes32 hashlock, uint64 timelock): exactly four data words. */
static void on_locked(struct qiao_swap_watch *w, const struct qiao_evm_log *log,
                      const struct qiao_evm_link *l, struct qiao_swq *out)
{
    const uint8_t *p = log->data;
    if (log->topic_count != 4 || log->data_len != 128 || memcmp(p + 64, w->hashlock, 32) != 0 ||
        !word_is_address(log->topics[2]) || !word_is_address(log->topics[3]) ||
        !word_is_address(p))
        return;
    uint64_t tl;
    if (qiao_abi_get_u64(&tl, p + 96, NULL))
        return;
    struct qiao_swq_item *ev = base_event(QIAO_SWQ_LOCKED, w, l, log->topics[1]);
    if (!ev)
        return;
    memcpy(ev->sender, log->topics[2] + 12, 20), memcpy(ev->receiver, log->topics[3] + 12, 20);
    memcpy(ev->token, p + 12, 20), memcpy(ev->amount, p + 32, 32), memcpy(ev->hashlock, p + 64, 32);
    ev->timelock = tl;
    if (w->nlocks < QIAO_SWAP_WATCH_LOCKS) /* later Withdrawn / Refunded of this id count */
        memcpy(w->locks[w->nlocks++], log->topics[1], 32);
    qiao_swq_push(out, ev);
}

static int known_lock(const struct qiao_swap_watch *w, const uint8_t id[32])
{
    for (size_t i = 0; i < w->nlocks; i++)
        if (memcmp(w->locks[i], id, 32) == 0)
            return 1;
    return 0;
}

/* Withdrawn(bytes32 indexed id, address indexed receiver, address submitter, bytes preimage). */
static void on_withdrawn(struct qiao_swap_watch *w, const struct qiao_evm_log *log,
                         const struct qiao_evm_link *l, struct qiao_swq *out)
{
    const uint8_t *p = log->data;
    uint64_t off, len;
    if (log->topic_count != 3 || log->data_len < 96 || !known_lock(w, log->topics[1]) ||
        qiao_abi_get_u64(&off, p + 32, NULL) || off != 64 || qiao_abi_get_u64(&len, p + 64, NULL) ||
        len > sizeof(((struct qiao_swq_item *)0)->preimage) ||
        log->data_len != 96 + (len + 31) / 32 * 32)
        return;
    struct qiao_swq_item *ev = base_event(QIAO_SWQ_CLAIMED, w, l, log->topics[1]);
    if (!ev)
        return;
    memcpy(ev->receiver, log->topics[2] + 12, 20);
    memcpy(ev->preimage, p + 96, len);
    ev->preimage_len = len;
    qiao_swq_push(out, ev);
}

/* Refunded(bytes32 indexed id, address indexed sender). */
static void on_refunded(struct qiao_swap_watch *w, const struct qiao_evm_log *log,
                        const struct qiao_evm_link *l, struct qiao_swq *out)
{
    if (log->topic_count != 3 || log->data_len != 0 || !known_lock(w, log->topics[1]))
        return;
    qiao_swq_push(out, base_event(QIAO_SWQ_REFUNDED, w, l, log->topics[1]));
}

static qiao_err scan_logs(const struct qiao_dmn_receipts *r, const struct qiao_evm_link *l,
                          struct qiao_swap_watch *ws, size_t nw, struct qiao_swq *out,
                          struct qiao_diag *d)
{
    uint8_t t_lock[32], t_with[32], t_ref[32];
    topic(t_lock, "Locked(bytes32,address,address,address,uint256,bytes32,uint64)");
    topic(t_with, "Withdrawn(bytes32,address,address,bytes)");
    topic(t_ref, "Refunded(bytes32,address)");
    for (size_t i = 0; i < r->n; i++) {
        struct qiao_evm_receipt rc;
        QIAO_TRY(qiao_evm_receipt_decode(&rc, r->enc[i].p, r->enc[i].len, d));
        for (size_t j = 0; j < rc.log_count; j++) {
            struct qiao_evm_log log;
            QIAO_TRY(qiao_evm_receipt_log(&log, &rc, j, d));
            for (size_t k = 0; k < nw && log.topic_count; k++) {
                if (memcmp(log.address, ws[k].contract, 20) != 0)
                    continue;
                if (memcmp(log.topics[0], t_lock, 32) == 0)
                    on_locked(&ws[k], &log, l, out);
                else if (memcmp(log.topics[0], t_with, 32) == 0)
                    on_withdrawn(&ws[k], &log, l, out);
                else if (memcmp(log.topics[0], t_ref, 32) == 0)
                    on_refunded(&ws[k], &log, l, out);
            }
        }
    }
    return QIAO_OK;
}

qiao_err qiao_swap_evm_scan(struct qiao_evm_source *src, const struct qiao_evm_link *l,
                            struct qiao_swap_watch *ws, size_t nw, struct qiao_swq *out,
                            struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    char hex[67];
    int want = 0;
    qiao_hex_encode0x(hex, l->hash, 32);
    /* Fetched by hash and re-hashed by the source: this is the verified block's own header. */
    qiao_err err = qiao_evm_source_header(src, &h, &raw, hex, d);
    qiao_buf_clear(&raw);
    if (!err && memcmp(h.hash, l->hash, 32) != 0)
        err = QIAO_FAIL(d, QIAO_EVERIFY, "hash-mismatch", "block %llu: the node sent another "
                        "header", (unsigned long long)l->number);
    for (size_t k = 0; !err && k < nw; k++)
        want |= qiao_dmn_bloom_may_hold(h.logs_bloom, ws[k].contract, NULL);
    if (err || !want)
        return err;
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateString(hex));
    QIAO_TRY(qiao_evm_source_call(src, &res, "eth_getBlockReceipts", params, d));
    struct qiao_dmn_receipts r = {0};
    err = qiao_dmn_receipts_load(&r, res, d);
    cJSON_Delete(res);
    if (!err)
        err = qiao_dmn_receipts_check_root(&r, l->receipts_root, l->number, d);
    if (!err)
        err = scan_logs(&r, l, ws, nw, out, d);
    qiao_dmn_receipts_clear(&r);
    return err ? qiao_diag_wrap(d, "block %llu", (unsigned long long)l->number) : QIAO_OK;
}

/* ---- sending --------------------------------------------------------------------------------- */

/* withdraw(bytes32,bytes) with a 32-byte preimage, or refund(bytes32). */
static size_t calldata(uint8_t out[4 + 4 * 32], const struct qiao_swq_item *job)
{
    memset(out, 0, 4 + 4 * 32);
    if (job->action == QIAO_HTLC_SENT_REFUND) {
        qiao_abi_selector(out, "refund(bytes32)");
        memcpy(out + 4, job->lock_id, 32);
        return 4 + 32;
    }
    qiao_abi_selector(out, "withdraw(bytes32,bytes)");
    memcpy(out + 4, job->lock_id, 32);
    qiao_abi_put_u64(out + 36, 64);
    qiao_abi_put_u64(out + 68, QIAO_HTLC_PREIMAGE_LEN);
    memcpy(out + 100, job->preimage, QIAO_HTLC_PREIMAGE_LEN);
    return 4 + 4 * 32;
}

qiao_err qiao_swap_evm_send(struct qiao_evm_source *src, struct qiao_crypto *cx,
                            const struct qiao_cfg_chain *c, const uint8_t seckey[32],
                            const char *nonce_path, const struct qiao_swq_item *job,
                            uint8_t tx[32], struct qiao_diag *d)
{
    uint8_t data[4 + 4 * 32], block[32];
    struct qiao_evm_nonce_store ns;
    struct qiao_evm_fee_caps caps = {
        .max_fee = c->max_fee_per_gas ? c->max_fee_per_gas : UINT64_MAX,
        .max_priority_fee = c->max_priority_fee_per_gas ? c->max_priority_fee_per_gas
                                                        : 2000000000ull,
        .gas_cap = c->gas_limit ? c->gas_limit : DEFAULT_GAS_CAP,
        .gas_margin_pct = 20,
    };
    struct qiao_evm_call call = {.data = data, .data_len = calldata(data, job)};
    uint64_t nonce, height;
    int status = 0;
    memcpy(call.to, job->contract, 20);
    qiao_evm_nonce_file(&ns, nonce_path);
    QIAO_TRY(qiao_evm_send(src, cx, tx, &nonce, seckey, &ns, &caps, &call, d));
    QIAO_TRY(qiao_evm_wait_receipt(src, &status, &height, block, tx, RECEIPT_POLL_MS,
                                   RECEIPT_TIMEOUT_MS, d));
    if (status != 1)
        return QIAO_FAIL(d, QIAO_EVERIFY, "reverted", "%s reverted in block %llu",
                         job->action == QIAO_HTLC_SENT_REFUND ? "refund" : "withdraw",
                         (unsigned long long)height);
    return QIAO_OK;
}
