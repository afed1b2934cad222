/* bft_vote.c: canonical precommit sign-bytes (see bft_vote.h). */
#include "adapters/cometbft/bft_vote.h"

#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_pb.h"

#define SIGNED_MSG_PRECOMMIT 2

/* CanonicalBlockID {hash = 1, part_set_header = 2}.  Protobuf's CanonicalPartSetHeader is
 * {total = 1, hash = 2} and always written; amino's is {hash = 1, total = 2} and omitted when
 * empty. */
static void canonical_block_id(struct qiao_bft_pb *w, const struct qiao_bft_block_id *id,
                               enum qiao_bft_encoding enc)
{
    uint8_t psh[16 + QIAO_BFT_MAX_HASH], bid[96 + 2 * QIAO_BFT_MAX_HASH];
    struct qiao_bft_pb pw, bw;
    int proto = enc == QIAO_BFT_ENC_PROTO;
    qiao_bft_pb_init(&pw, psh, sizeof(psh));
    if (proto) {
        qiao_bft_pb_uint(&pw, 1, id->parts_total);
        qiao_bft_pb_bytes(&pw, 2, id->parts_hash.b, id->parts_hash.len);
    } else {
        qiao_bft_pb_bytes(&pw, 1, id->parts_hash.b, id->parts_hash.len);
        qiao_bft_pb_uint(&pw, 2, id->parts_total);
    }
    qiao_bft_pb_init(&bw, bid, sizeof(bid));
    qiao_bft_pb_bytes(&bw, 1, id->hash.b, id->hash.len);
    if (proto)
        qiao_bft_pb_msg(&bw, 2, psh, pw.len);
    else
        qiao_bft_pb_bytes(&bw, 2, psh, pw.len);
    qiao_bft_pb_msg(w, 4, bid, bw.len);
    w->overflow |= pw.overflow | bw.overflow;
}

qiao_err qiao_bft_vote_sign_bytes(uint8_t *out, size_t *len, enum qiao_bft_encoding enc,
                                  const char *chain_id, size_t chain_id_len,
                                  const struct qiao_bft_commit *c,
                                  const struct qiao_bft_commit_sig *sig, struct qiao_diag *d)
{
    if (sig->flag != QIAO_BFT_FLAG_COMMIT && sig->flag != QIAO_BFT_FLAG_NIL)
        return QIAO_FAIL(d, QIAO_EINVAL, "absent-vote", "an absent vote has no sign-bytes");
    uint8_t body[QIAO_BFT_SIGN_BYTES_MAX], ts[32];
    struct qiao_bft_pb w, tw, o;
    qiao_bft_pb_init(&tw, ts, sizeof(ts));
    qiao_bft_pb_timestamp(&tw, sig->timestamp);
    qiao_bft_pb_init(&w, body, sizeof(body) - 4);
    qiao_bft_pb_uint(&w, 1, SIGNED_MSG_PRECOMMIT);
    qiao_bft_pb_sfixed64(&w, 2, c->height);
    qiao_bft_pb_sfixed64(&w, 3, c->round);
    if (sig->flag == QIAO_BFT_FLAG_COMMIT) /* a nil vote's block id is empty: omitted */
        canonical_block_id(&w, &c->block_id, enc);
    if (enc == QIAO_BFT_ENC_PROTO) /* non-nullable in protobuf; amino skips the zero time */
        qiao_bft_pb_msg(&w, 5, ts, tw.len);
    else
        qiao_bft_pb_bytes(&w, 5, ts, tw.len);
    qiao_bft_pb_bytes(&w, 6, chain_id, chain_id_len);
    w.overflow |= tw.overflow;
    QIAO_TRY(qiao_bft_pb_finish(&w, "a CanonicalVote", d));
    qiao_bft_pb_init(&o, out, QIAO_BFT_SIGN_BYTES_MAX);
    qiao_bft_pb_varint(&o, w.len);
    qiao_bft_pb_raw(&o, body, w.len);
    *len = o.len;
    return qiao_bft_pb_finish(&o, "the vote sign-bytes", d);
}
