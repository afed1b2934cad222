/*
 * audit.h: the append-only, hash-chained audit log.
 *
 * Every action a notary takes (a message transition, a signature, a peer dropped for a forged
 * certificate, an operator's retry) appends one row: seq, time, actor, action, chain, height, peer,
 * detail JSON, prev_hash and hash, where
 *     hash = SHA-256(prev_hash ‖ canonical row bytes)
 *     canonical row bytes = u64be(seq) ‖ i64be(at) ‖ str(actor) ‖ str(action) ‖ opt(chain) ‖
 *                           opt(height) ‖ optstr(peer) ‖ str(detail)
 *     str(x) = u32be(len) ‖ bytes;  opt(v) = 0x00 | 0x01 ‖ u64be(v);  optstr(x) = 0x00 | 0x01 ‖ str(x)
 * and the first row's prev_hash is 32 zero bytes.  Triggers refuse UPDATE and DELETE; the chain
 * makes an edit by anyone who bypasses them (drops the triggers, edits the file) detectable by
 * qiao_store_audit_verify, which names the first broken row.
 *
 * Ownership: strings in a struct qiao_store_audit_row passed to a callback are borrowed for the
 * duration of that callback only.
 */
#ifndef QIAO_STORE_AUDIT_H
#define QIAO_STORE_AUDIT_H

#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/store/store.h"

#define QIAO_AUDIT_ACTOR_MAX 64
#define QIAO_AUDIT_ACTION_MAX 64
#define QIAO_AUDIT_PEER_MAX 128
#define QIAO_AUDIT_DETAIL_MAX 4096

/** One audit row as read back. */
struct qiao_store_audit_row {
    uint64_t seq;
    int64_t at; /* Unix ms */
    const char *actor, *action, *peer /* NULL when none */, *detail;
    int has_chain, has_height;
    uint64_t chain, height;
    uint8_t prev_hash[32], hash[32];
};

/** Row callback; return non-zero to stop the walk early. */
typedef int (*qiao_store_audit_fn)(void *ctx, const struct qiao_store_audit_row *row);

/**
 * Append one row in its own operation (a savepoint inside a tick).
 * In: actor (who: "notary", "operator", "peer:<id>"), action (kebab-case verb), chain/height when
 *     has_chain/has_height, peer (NULL for none), detail_json (a JSON object text, or NULL for {}).
 * Returns: QIAO_OK; QIAO_EINVAL ("bad-detail") when detail is not a JSON object or an identifier
 *          is empty; QIAO_ERANGE ("audit-field-too-long") above the caps; QIAO_EIO.
 * Out: *seq (may be NULL), the new row's sequence number.
 */
qiao_err qiao_store_audit_append(struct qiao_store *s, const char *actor, const char *action,
                                 int has_chain, uint64_t chain, int has_height, uint64_t height,
                                 const char *peer, const char *detail_json, uint64_t *seq,
                                 struct qiao_diag *d);

/**
 * Walk the whole chain from row 1 recomputing every link.
 * Returns: QIAO_OK; QIAO_EVERIFY with reason "audit-seq-gap", "audit-prev-mismatch" or
 *          "audit-hash-mismatch" naming the first broken row.
 * Out: *rows (rows checked), *first_bad (the broken row's seq, 0 when intact); either may be NULL.
 */
qiao_err qiao_store_audit_verify(struct qiao_store *s, uint64_t *rows, uint64_t *first_bad,
                                 struct qiao_diag *d);

/** The last row's seq and hash (0 and zeros when the log is empty). */
qiao_err qiao_store_audit_head(struct qiao_store *s, uint64_t *seq, uint8_t hash[32],
                               struct qiao_diag *d);

/** Call fn for up to limit rows with seq > after, in order. */
qiao_err qiao_store_audit_list(struct qiao_store *s, uint64_t after, unsigned limit,
                               qiao_store_audit_fn fn, void *ctx, struct qiao_diag *d);

#endif
