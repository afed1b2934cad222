/* evm_source.c: follow, prove and query an EVM node through the core RPC client (evm_source.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_adapter.h"
#include "adapters/evm/evm_block.h"
#include "adapters/evm/evm_json.h"
#include "adapters/evm/evm_source.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/rpc/rpc.h"

qiao_err qiao_evm_source_call(struct qiao_evm_source *s, cJSON **result, const char *method,
                              cJSON *params, struct qiao_diag *d)
{
    qiao_err err = qiao_rpc_call_sync(s->rpc, method, params, result, d);
    if (err)
        return qiao_diag_wrap(d, "%s", method);
    return QIAO_OK;
}

struct qiao_rpc *qiao_evm_source_rpc(struct qiao_evm_source *s)
{
    return s->rpc;
}

qiao_err qiao_evm_source_create(struct qiao_evm_source **out, struct lws_context *lws,
                                const struct qiao_evm_source_opts *o, struct qiao_diag *d)
{
    struct qiao_evm_source *s = calloc(1, sizeof(*s));
    struct qiao_rpc_opts ro = {.url = o->url, .timeout_ms = o->timeout_ms,
                               .max_reply = o->max_reply ? o->max_reply : QIAO_EVM_SOURCE_MAX_REPLY};
    cJSON *res = NULL;
    uint64_t id;
    *out = NULL;
    if (!s)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot allocate an EVM source");
    s->chain_id = o->chain_id, s->finality = o->finality;
    qiao_err err = qiao_rpc_create(&s->rpc, lws, &ro, d);
    if (!err)
        err = qiao_evm_source_call(s, &res, "eth_chainId", cJSON_CreateArray(), d);
    if (!err) {
        cJSON *wrap = cJSON_CreateObject();
        cJSON_AddItemReferenceToObject(wrap, "chainId", res);
        err = qiao_evm_json_u64(&id, wrap, "chainId", d);
        cJSON_Delete(wrap);
        if (!err && id != o->chain_id)
            err = QIAO_FAIL(d, QIAO_EVERIFY, "chain-id-mismatch",
                            "%s reports chain id %llu, configured %llu", o->url,
                            (unsigned long long)id, (unsigned long long)o->chain_id);
    }
    cJSON_Delete(res);
    if (err) {
        qiao_evm_source_destroy(s);
        return err;
    }
    *out = s;
    return QIAO_OK;
}

void qiao_evm_source_destroy(struct qiao_evm_source *s)
{
    if (!s)
        return;
    qiao_rpc_destroy(s->rpc);
    free(s);
}

/* Header object -> verified decode.  raw receives the RLP. */
static qiao_err header_of(struct qiao_evm_header *h, struct qiao_buf *raw, const cJSON *obj,
                          struct qiao_diag *d)
{
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-block", "the node has no such block");
    QIAO_TRY(qiao_evm_header_from_json(raw, obj, d));
    return qiao_evm_header_decode(h, raw->p, raw->len, d);
}

qiao_err qiao_evm_source_header(struct qiao_evm_source *s, struct qiao_evm_header *h,
                                struct qiao_buf *raw, const char *block, struct qiao_diag *d)
{
    int by_hash = strlen(block) == 66;
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateString(block));
    cJSON_AddItemToArray(params, cJSON_CreateFalse());
    QIAO_TRY(qiao_evm_source_call(s, &res, by_hash ? "eth_getBlockByHash" : "eth_getBlockByNumber",
                                  params, d));
    qiao_err err = header_of(h, raw, res, d);
    cJSON_Delete(res);
    if (!err && by_hash) {
        uint8_t want[32];
        if (qiao_hex_decode_exact(want, 32, block, NULL) || memcmp(want, h->hash, 32) != 0)
            err = QIAO_FAIL(d, QIAO_EVERIFY, "wrong-block",
                            "asked for block %s, the node sent another header", block);
    }
    return err;
}

qiao_err qiao_evm_source_anchor(struct qiao_evm_source *s, const char *block, struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    qiao_err err = qiao_evm_source_header(s, &h, &raw, block, d);
    qiao_buf_clear(&raw);
    if (err)
        return err;
    qiao_evm_chain_init(&s->chain, &h);
    s->anchored = 1;
    s->headers++;
    return QIAO_OK;
}

static void count(struct qiao_evm_source *s, struct qiao_evm_sync_result *res,
                  enum qiao_evm_offer what, uint64_t added, uint64_t depth)
{
    if (what == QIAO_EVM_EXTENDED || what == QIAO_EVM_REORGED)
        s->headers += added, res->extended += added;
    if (what == QIAO_EVM_REORGED)
        res->reorg_depth += depth, s->reorgs++;
    if (!s->finality.use_finalized_tag && s->chain.tip >= s->finality.confirmations)
        qiao_evm_chain_set_final(&s->chain, s->chain.tip - s->finality.confirmations);
}

/* Walk back from h by parent hash until a held header, then offer the branch in one step. */
static qiao_err fetch_branch(struct qiao_evm_source *s, const struct qiao_evm_header *h,
                             struct qiao_evm_sync_result *res, struct qiao_diag *d)
{
    struct qiao_evm_header *back = malloc(sizeof(*back) * QIAO_EVM_CHAIN_WINDOW);
    struct qiao_buf raw = {0};
    size_t n = 0;
    qiao_err err = QIAO_OK;
    if (!back)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "ancestor buffer");
    back[n++] = *h;
    while (!err && !qiao_evm_chain_find(&s->chain, back[n - 1].parent_hash)) {
        char hex[67];
        if (n == QIAO_EVM_CHAIN_WINDOW || back[n - 1].number == 0) {
            err = QIAO_FAIL(d, QIAO_EVERIFY, "unknown-parent",
                            "head %llu does not connect to the verified chain within %d headers",
                            (unsigned long long)h->number, QIAO_EVM_CHAIN_WINDOW);
            break;
        }
        qiao_hex_encode0x(hex, back[n - 1].parent_hash, 32);
        err = qiao_evm_source_header(s, &back[n], &raw, hex, d);
        n++;
    }
    for (size_t i = 0; !err && i < n / 2; i++) { /* oldest first */
        struct qiao_evm_header t = back[i];
        back[i] = back[n - 1 - i], back[n - 1 - i] = t;
    }
    enum qiao_evm_offer what;
    uint64_t depth = 0;
    if (!err)
        err = qiao_evm_chain_offer_branch(&s->chain, &what, &depth, back, n, d);
    if (!err)
        count(s, res, what, n, depth);
    free(back);
    qiao_buf_clear(&raw);
    return err;
}

static qiao_err offer(struct qiao_evm_source *s, const struct qiao_evm_header *h,
                      struct qiao_evm_sync_result *res, struct qiao_diag *d)
{
    enum qiao_evm_offer what;
    uint64_t depth;
    QIAO_TRY(qiao_evm_chain_offer(&s->chain, &what, &depth, h, d));
    if (what == QIAO_EVM_NEED_PARENT)
        return fetch_branch(s, h, res, d);
    count(s, res, what, 1, depth);
    return QIAO_OK;
}

qiao_err qiao_evm_source_on_head(struct qiao_evm_source *s, const cJSON *header,
                                 struct qiao_evm_sync_result *res, struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    memset(res, 0, sizeof(*res));
    if (!s->anchored)
        return QIAO_FAIL(d, QIAO_ESTATE, "not-anchored", "the source has no anchor header yet");
    qiao_err err = header_of(&h, &raw, header, d);
    qiao_buf_clear(&raw);
    return err ? err : offer(s, &h, res, d);
}

qiao_err qiao_evm_source_sync(struct qiao_evm_source *s, struct qiao_evm_sync_result *res,
                              struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    memset(res, 0, sizeof(*res));
    if (!s->anchored)
        return QIAO_FAIL(d, QIAO_ESTATE, "not-anchored", "the source has no anchor header yet");
    qiao_err err = qiao_evm_source_header(s, &h, &raw, "latest", d);
    qiao_buf_clear(&raw);
    if (!err)
        err = offer(s, &h, res, d);
    if (!err && s->finality.use_finalized_tag) {
        struct qiao_buf r2 = {0};
        if (qiao_evm_source_header(s, &h, &r2, "finalized", NULL) == QIAO_OK) {
            const struct qiao_evm_link *l = qiao_evm_chain_at(&s->chain, h.number);
            if (l && memcmp(l->hash, h.hash, 32) == 0) /* only a finalized block we verified */
                qiao_evm_chain_set_final(&s->chain, h.number);
        }
        qiao_buf_clear(&r2);
    }
    return err;
}

/* ---- receipt proofs ------------------------------------------------------------------------ */

static qiao_err encode_receipts(struct qiao_buf *enc, size_t *n, const cJSON *arr,
                                struct qiao_diag *d)
{
    const cJSON *r;
    *n = 0;
    if (!cJSON_IsArray(arr))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "eth_getBlockReceipts did not return a list");
    cJSON_ArrayForEach(r, arr) {
        uint64_t idx;
        if (*n == QIAO_EVM_BLOCK_MAX_TXS)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-many-txs", "too many receipts");
        memset(&enc[*n], 0, sizeof(enc[*n]));
        qiao_err err = qiao_evm_receipt_from_json(&enc[*n], &idx, r, d);
        (*n)++;
        if (err)
            return qiao_diag_wrap(d, "receipt %zu", *n - 1);
        if (idx != *n - 1)
            return QIAO_FAIL(d, QIAO_EVERIFY, "receipts-out-of-order",
                             "receipt %zu claims transaction index %llu", *n - 1,
                             (unsigned long long)idx);
    }
    return QIAO_OK;
}

static qiao_err prove_receipts(struct qiao_buf *wire, const struct qiao_evm_link *l,
                               struct qiao_buf *enc, size_t n, uint64_t tx_index,
                               struct qiao_diag *d)
{
    const uint8_t **vals = calloc(n + 1, sizeof(*vals));
    size_t *lens = calloc(n + 1, sizeof(*lens)), arena_cap = 64 * (n + 1) + 4096;
    void *mem = malloc(arena_cap);
    struct qiao_evm_proof *proof = malloc(sizeof(*proof));
    struct qiao_buf scratch = {0}, store = {0};
    struct qiao_arena arena;
    uint8_t root[32];
    qiao_err err = vals && lens && mem && proof ? QIAO_OK
                   : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "receipt proof buffers");
    for (size_t i = 0; !err && i < n; i++)
        vals[i] = enc[i].p, lens[i] = enc[i].len;
    if (!err) {
        qiao_arena_init(&arena, mem, arena_cap);
        err = qiao_evm_ordered_prove(root, proof, &store, vals, lens, n, tx_index, &arena,
                                     &scratch, d);
    }
    if (!err && memcmp(root, l->receipts_root, 32) != 0)
        err = QIAO_FAIL(d, QIAO_EVERIFY, "receipts-root-mismatch",
                        "the node's receipts for block %llu do not reproduce its receiptsRoot",
                        (unsigned long long)l->number);
    if (!err && tx_index >= n)
        err = QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-tx", "block %llu has %zu transactions",
                        (unsigned long long)l->number, n);
    if (!err)
        err = qiao_evm_receipt_proof_encode(wire, tx_index, proof, d);
    free(vals), free(lens), free(mem), free(proof);
    qiao_buf_clear(&scratch), qiao_buf_clear(&store);
    return err;
}

qiao_err qiao_evm_source_receipt_proof(struct qiao_evm_source *s, struct qiao_buf *wire,
                                       const uint8_t block_hash[32], uint64_t tx_index,
                                       struct qiao_diag *d)
{
    const struct qiao_evm_link *l = qiao_evm_chain_find(&s->chain, block_hash);
    char hex[67];
    cJSON *res = NULL, *params = cJSON_CreateArray();
    if (!l) {
        cJSON_Delete(params);
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "block-not-verified",
                         "block is not in the verified header chain");
    }
    qiao_hex_encode0x(hex, block_hash, 32);
    cJSON_AddItemToArray(params, cJSON_CreateString(hex));
    QIAO_TRY(qiao_evm_source_call(s, &res, "eth_getBlockReceipts", params, d));
    size_t cap = cJSON_IsArray(res) ? (size_t)cJSON_GetArraySize(res) : 0, n = 0;
    struct qiao_buf *enc = calloc(cap + 1, sizeof(*enc));
    qiao_err err = enc ? encode_receipts(enc, &n, res, d) : QIAO_ENOMEM;
    cJSON_Delete(res);
    if (!err)
        err = prove_receipts(wire, l, enc, n, tx_index, d);
    for (size_t i = 0; enc && i < n; i++)
        qiao_buf_clear(&enc[i]);
    free(enc);
    return err;
}

/* ---- account and storage proofs ------------------------------------------------------------ */

static qiao_err proof_of(struct qiao_evm_proof *p, uint8_t *store, size_t cap, const cJSON *arr,
                         struct qiao_diag *d)
{
    const cJSON *it;
    size_t used = 0, len;
    p->count = 0;
    if (!cJSON_IsArray(arr))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "proof is not a list");
    cJSON_ArrayForEach(it, arr) {
        if (p->count == QIAO_EVM_PROOF_MAX_NODES || !cJSON_IsString(it) ||
            qiao_hex_decode(store + used, cap - used, &len, it->valuestring,
                            strlen(it->valuestring), NULL))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-proof", "proof node %zu is not hex or too many",
                             p->count);
        p->node[p->count] = store + used, p->len[p->count++] = len;
        used += len;
    }
    return QIAO_OK;
}

static qiao_err claimed_account(struct qiao_evm_account *a, const cJSON *r, struct qiao_diag *d)
{
    memset(a, 0, sizeof(*a));
    QIAO_TRY(qiao_evm_json_u64(&a->nonce, r, "nonce", d));
    QIAO_TRY(qiao_evm_json_quantity(a->balance, 32, r, "balance", d));
    QIAO_TRY(qiao_json_hex_exact(a->storage_root, 32, r, "storageHash", d));
    return qiao_json_hex_exact(a->code_hash, 32, r, "codeHash", d);
}

static qiao_err check_storage(uint8_t value[32], const uint8_t root[32], const uint8_t slot[32],
                              const cJSON *entry, uint8_t *store, size_t cap, struct qiao_diag *d)
{
    struct qiao_evm_proof *p = malloc(sizeof(*p));
    uint8_t claimed[32];
    qiao_err err = p ? proof_of(p, store, cap, qiao_json_get(entry, "proof"), d) : QIAO_ENOMEM;
    if (!err)
        err = qiao_evm_storage_verify(value, root, slot, p, d);
    if (!err)
        err = qiao_evm_json_quantity(claimed, 32, entry, "value", d);
    if (!err && memcmp(claimed, value, 32) != 0)
        err = QIAO_FAIL(d, QIAO_EVERIFY, "storage-claim-mismatch",
                        "the node's storage value differs from what the proof proves");
    free(p);
    return err;
}

static qiao_err verify_get_proof(struct qiao_evm_account *acct, uint8_t (*values)[32],
                                 const struct qiao_evm_link *l, const uint8_t addr[20],
                                 const uint8_t (*slots)[32], size_t n, const cJSON *r,
                                 struct qiao_diag *d)
{
    size_t cap = (size_t)1 << 20;
    uint8_t *store = malloc(cap);
    struct qiao_evm_proof *p = malloc(sizeof(*p));
    struct qiao_evm_account claim;
    const cJSON *sp = qiao_json_get(r, "storageProof");
    qiao_err err = store && p ? QIAO_OK : QIAO_ENOMEM;
    if (!err)
        err = proof_of(p, store, cap, qiao_json_get(r, "accountProof"), d);
    if (!err)
        err = qiao_evm_account_verify(acct, l->state_root, addr, p, d);
    if (!err)
        err = claimed_account(&claim, r, d);
    if (!err)
        err = qiao_evm_account_check_claim(acct, &claim, d);
    if (!err && (!cJSON_IsArray(sp) || (size_t)cJSON_GetArraySize(sp) != n))
        err = QIAO_FAIL(d, QIAO_EINVAL, "bad-proof", "storageProof does not answer every slot");
    for (size_t i = 0; !err && i < n; i++)
        err = check_storage(values[i], acct->storage_root, slots[i], cJSON_GetArrayItem(sp, (int)i),
                            store, cap, d);
    free(store), free(p);
    return err;
}

qiao_err qiao_evm_source_account(struct qiao_evm_source *s, struct qiao_evm_account *acct,
                                 uint8_t (*values)[32], const uint8_t block_hash[32],
                                 const uint8_t addr[20], const uint8_t (*slots)[32], size_t n,
                                 struct qiao_diag *d)
{
    const struct qiao_evm_link *l = qiao_evm_chain_find(&s->chain, block_hash);
    char hex[67];
    if (!l)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "block-not-verified",
                         "block is not in the verified header chain");
    cJSON *params = cJSON_CreateArray(), *keys = cJSON_CreateArray(), *res = NULL;
    qiao_hex_encode0x(hex, addr, 20);
    cJSON_AddItemToArray(params, cJSON_CreateString(hex));
    for (size_t i = 0; i < n; i++) {
        qiao_hex_encode0x(hex, slots[i], 32);
        cJSON_AddItemToArray(keys, cJSON_CreateString(hex));
    }
    cJSON_AddItemToArray(params, keys);
    qiao_hex_encode0x(hex, block_hash, 32);
    cJSON_AddItemToArray(params, cJSON_CreateString(hex));
    QIAO_TRY(qiao_evm_source_call(s, &res, "eth_getProof", params, d));
    qiao_err err = verify_get_proof(acct, values, l, addr, slots, n, res, d);
    cJSON_Delete(res);
    return err;
}
