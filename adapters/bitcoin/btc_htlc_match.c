/* btc_htlc_match.c: recognising HTLC locks and spends in a transaction (see btc_htlc.h). */
#include "adapters/bitcoin/btc_htlc.h"

#include <string.h>

#include "adapters/bitcoin/btc_script.h"
#include "adapters/bitcoin/btc_tx.h"

/* Arena for htlc_match, which gets none from the adapter ABI: enough for a few hundred inputs. */
#define MATCH_ARENA_BYTES 32768u

/* Script's CastToBool: false is any run of zero bytes, the last of which may be 0x80 (minus
 * zero).  OP_IF reads its argument this way by consensus in witness v0; MINIMALIF (exactly empty
 * or 0x01) is only relay policy, so a mined spend may use any encoding of true or false. */
static int cast_to_bool(const struct qiao_btc_bytes *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->p[i] != 0)
            return !(i == b->len - 1 && b->p[i] == 0x80);
    return 0;
}

/* The spend's shape decides the branch.  Consensus leaves exactly one valid shape per branch
 * (CLEANSTACK holds for witness scripts): [sig, false, script] takes the refund branch and
 * [sig, preimage, true, script] the claim branch; anything else spending the script is an
 * anomaly.  The selector is read as OP_IF reads it, not by its policy-minimal bytes. */
static qiao_err read_spend(struct qiao_crypto *cx, struct qiao_btc_htlc_match *m,
                           const struct qiao_btc_txin *in, struct qiao_diag *d)
{
    const struct qiao_btc_bytes *w = in->witness;
    uint8_t h[32];
    if (in->nwitness == 3 && !cast_to_bool(&w[1])) {
        m->kind = QIAO_BTC_HTLC_REFUNDED;
        return QIAO_OK;
    }
    if (in->nwitness != 4 || !cast_to_bool(&w[2]))
        return QIAO_FAIL(d, QIAO_EVERIFY, "not-htlc-spend", "input spends the HTLC script with a "
                         "%zu-item witness that is neither a claim nor a refund", in->nwitness);
    if (w[1].len != QIAO_BTC_HTLC_PREIMAGE_LEN)
        return QIAO_FAIL(d, QIAO_EVERIFY, "preimage-length", "claim reveals a %zu-byte preimage",
                         w[1].len);
    qiao_sha256(cx, h, w[1].p, w[1].len);
    if (memcmp(h, m->htlc.hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-preimage", "claim preimage does not hash to the "
                         "script's hash");
    memcpy(m->preimage, w[1].p, QIAO_BTC_HTLC_PREIMAGE_LEN);
    m->kind = QIAO_BTC_HTLC_CLAIMED;
    return QIAO_OK;
}

/* 1 when input i spends an HTLC-template script (of the wanted program, if one is named). */
static int spends_htlc(struct qiao_crypto *cx, struct qiao_btc_htlc_match *m,
                       const struct qiao_btc_txin *in)
{
    if (in->nwitness < 3)
        return 0;
    const struct qiao_btc_bytes *script = &in->witness[in->nwitness - 1];
    if (qiao_btc_htlc_parse(cx, &m->htlc, script->p, script->len, NULL) != QIAO_OK)
        return 0;
    if (m->want_program) {
        uint8_t prog[32];
        qiao_btc_p2wsh_program(cx, prog, script->p, script->len);
        return memcmp(prog, m->program, 32) == 0;
    }
    return 1;
}

static int find_lock(struct qiao_btc_htlc_match *m, const struct qiao_btc_txn *tx)
{
    uint8_t prog[32];
    for (size_t i = 0; m->want_program && i < tx->nout; i++) {
        const struct qiao_btc_txout *o = &tx->out[i];
        if (qiao_btc_is_p2wsh(o->script.p, o->script.len, prog) &&
            memcmp(prog, m->program, 32) == 0) {
            m->kind = QIAO_BTC_HTLC_LOCK;
            m->index = (uint32_t)i;
            m->value = o->value;
            return 1;
        }
    }
    return 0;
}

qiao_err qiao_btc_htlc_find(struct qiao_crypto *cx, struct qiao_btc_htlc_match *m,
                            const uint8_t *raw, size_t len, struct qiao_arena *arena,
                            struct qiao_diag *d)
{
    struct qiao_btc_txn tx;
    QIAO_TRY(qiao_btc_txn_decode(&tx, raw, len, arena, d));
    m->locktime = tx.locktime;
    for (size_t i = 0; i < tx.nin; i++) {
        if (!spends_htlc(cx, m, &tx.in[i]))
            continue;
        m->index = (uint32_t)i;
        memcpy(m->prev_txid, tx.in[i].prev_txid, 32);
        m->prev_vout = tx.in[i].prev_vout;
        return read_spend(cx, m, &tx.in[i], d);
    }
    if (find_lock(m, &tx))
        return QIAO_OK;
    return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-htlc", "the transaction neither spends nor funds the "
                     "watched HTLC");
}

qiao_err qiao_btc_htlc_match(struct qiao_crypto *cx, void *out,
                             const struct qiao_proof_result *item, struct qiao_diag *d)
{
    struct qiao_btc_tx_info info;
    struct qiao_arena arena;
    uint8_t storage[MATCH_ARENA_BYTES];
    if (!out || !item || !item->leaf)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-leaf", "htlc_match needs the proven transaction's "
                         "bytes in item->leaf");
    QIAO_TRY(qiao_btc_tx_parse(cx, &info, item->leaf, item->leaf_len, d));
    if (memcmp(info.txid, item->id, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "txid-mismatch", "the transaction bytes are not the "
                         "proven transaction");
    qiao_arena_init(&arena, storage, sizeof(storage));
    return qiao_btc_htlc_find(cx, out, item->leaf, item->leaf_len, &arena, d);
}
