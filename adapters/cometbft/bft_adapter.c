/* bft_adapter.c: the CometBFT adapter table (see bft_adapter.h). */
#include "adapters/cometbft/bft_adapter.h"

#include <string.h>

#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_json.h"
#include "relay/core/json.h"

static qiao_err fill_info(struct qiao_crypto *cx, struct qiao_header_info *out,
                          const struct qiao_bft_header *h, struct qiao_diag *d)
{
    memset(out, 0, sizeof(*out));
    QIAO_TRY(qiao_bft_header_hash(cx, out->hash, h, d));
    out->height = (uint64_t)h->height;
    if (h->last_block_id.hash.len == 32)
        memcpy(out->parent, h->last_block_id.hash.b, 32);
    out->time = h->time.sec > 0 ? (uint64_t)h->time.sec : 0;
    for (int i = 0; i < 8; i++)
        out->work[31 - i] = (uint8_t)((uint64_t)h->height >> (8 * i));
    if (h->data_hash.len == 32)
        memcpy(out->root, h->data_hash.b, 32);
    return QIAO_OK;
}

static qiao_err bft_header_decode(struct qiao_crypto *cx, struct qiao_header_info *out,
                                  const uint8_t *raw, size_t len, struct qiao_diag *d)
{
    cJSON *root = NULL;
    const cJSON *sh, *h;
    struct qiao_bft_header hdr;
    QIAO_TRY(qiao_json_parse(&root, (const char *)raw, len, 0, 0, d));
    qiao_err err = qiao_json_object(&sh, root, "signed_header", d);
    if (!err)
        err = qiao_json_object(&h, sh, "header", d);
    if (!err)
        err = qiao_bft_header_from_json(&hdr, h, d);
    cJSON_Delete(root);
    return err ? err : fill_info(cx, out, &hdr, d);
}

/* Decode and verify raw against chain; Out: *lb (arrays in arena). */
static qiao_err decode_verify(struct qiao_crypto *cx, struct qiao_bft_light_block *lb,
                              const struct qiao_bft_chain *chain, const uint8_t *raw, size_t len,
                              struct qiao_arena *arena, struct qiao_diag *d)
{
    enum qiao_bft_verdict v;
    if (!chain || !arena)
        return QIAO_FAIL(d, QIAO_EINVAL, "null-input", "cometbft: chain state and arena are required");
    QIAO_TRY(qiao_bft_light_block_parse(cx, lb, (const char *)raw, len, 0, arena, d));
    return qiao_bft_verify(cx, &v, &chain->trusted, lb, &chain->opt, chain->now, arena, d);
}

static qiao_err bft_header_verify(struct qiao_crypto *cx, struct qiao_header_info *out,
                                  const void *chain, const uint8_t *raw, size_t len,
                                  struct qiao_arena *arena, struct qiao_diag *d)
{
    struct qiao_bft_light_block lb;
    QIAO_TRY(decode_verify(cx, &lb, chain, raw, len, arena, d));
    return fill_info(cx, out, &lb.header, d);
}

static int bft_is_final(const void *policy, const struct qiao_header_info *h,
                        const struct qiao_header_info *tip)
{
    (void)policy;
    return h->height <= tip->height;
}

static qiao_err bft_committee_update(struct qiao_crypto *cx, void *state, const uint8_t *update,
                                     size_t len, struct qiao_arena *arena, struct qiao_diag *d)
{
    struct qiao_bft_chain *chain = state;
    struct qiao_bft_light_block lb;
    QIAO_TRY(decode_verify(cx, &lb, chain, update, len, arena, d));
    chain->trusted = lb;
    return QIAO_OK;
}

const struct qiao_adapter qiao_adapter_cometbft = {
    .abi = 1,
    .family = "cometbft",
    .caps = QIAO_CAP_BFT | QIAO_CAP_COMMITTEE,
    .header_decode = bft_header_decode,
    .header_verify = bft_header_verify,
    .tip_cmp = qiao_adapter_default_tip_cmp,
    .is_final = bft_is_final,
    .proof_verify = NULL,
    .committee_update = bft_committee_update,
    .htlc_match = NULL,
};
