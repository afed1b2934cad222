/* certs.c: certificates and deliveries (see attest.h). */
#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/store/attest.h"
#include "relay/store/store_int.h"

static qiao_err audit_simple(struct qiao_store *s, const char *action, const uint8_t message[32],
                             uint64_t chain, int has_height, uint64_t height, const char *extra,
                             struct qiao_diag *d)
{
    char id[67], detail[320];
    qiao_hex_encode0x(id, message, 32);
    snprintf(detail, sizeof(detail), "{\"id\":\"%s\"%s}", id, extra ? extra : "");
    struct qiao_store_audit_in in = {.actor = "notary", .action = action, .has_chain = chain != 0,
                                     .chain = chain, .has_height = has_height, .height = height,
                                     .detail = detail};
    return qiao_store_audit_put(s, &in, d);
}

static qiao_err cert_insert(struct qiao_store *s, const uint8_t message[32],
                            const uint8_t committee[32], uint64_t epoch, const uint8_t *sigs,
                            size_t n, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "INSERT INTO certificates(message, committee, epoch, signers,"
                                     " sigs, created_at) VALUES(?,?,?,?,?,?)", d));
    qiao_store_bind_blob(st, 1, message, 32);
    qiao_store_bind_blob(st, 2, committee, 32);
    qiao_store_bind_u64(st, 3, epoch);
    sqlite3_bind_int(st, 4, (int)n);
    qiao_store_bind_blob(st, 5, sigs, 65 * n);
    sqlite3_bind_int64(st, 6, qiao_store_now(s));
    return qiao_store_run(s, st, "certificate-exists", "storing a certificate", d);
}

qiao_err qiao_store_cert_put(struct qiao_store *s, const uint8_t message[32],
                             const uint8_t committee[32], uint64_t epoch, const uint8_t *sigs,
                             size_t n, struct qiao_diag *d)
{
    if (n == 0 || n > QIAO_STORE_CERT_MAX_SIGS)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-signer-count", "a certificate with %zu signatures "
                         "(allowed 1..%d)", n, QIAO_STORE_CERT_MAX_SIGS);
    char extra[64];
    snprintf(extra, sizeof(extra), ",\"epoch\":%llu,\"signers\":%zu", (unsigned long long)epoch, n);
    QIAO_TRY(qiao_store_op_begin(s, d));
    qiao_err err = cert_insert(s, message, committee, epoch, sigs, n, d);
    if (!err)
        err = audit_simple(s, "cert-stored", message, 0, 0, 0, extra, d);
    return qiao_store_op_end(s, err, d);
}

qiao_err qiao_store_cert_get(struct qiao_store *s, const uint8_t message[32], uint64_t *epoch,
                             uint8_t *sigs, size_t cap, size_t *n, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT epoch, signers, sigs FROM certificates WHERE"
                                     " message=? ORDER BY epoch DESC LIMIT 1", d));
    qiao_store_bind_blob(st, 1, message, 32);
    int rc = sqlite3_step(st);
    qiao_err err = QIAO_OK;
    if (rc == SQLITE_ROW) {
        *epoch = qiao_store_col_u64(st, 0);
        *n = (size_t)sqlite3_column_int(st, 1);
        if (*n > cap)
            err = QIAO_FAIL(d, QIAO_ERANGE, "buffer-too-small", "certificate has %zu signatures, "
                            "room for %zu", *n, cap);
        else if (*n)
            memcpy(sigs, sqlite3_column_blob(st, 2), 65 * *n);
    } else if (rc == SQLITE_DONE) {
        err = QIAO_FAIL(d, QIAO_ENOTFOUND, "no-certificate", "no certificate stored for the message");
    } else {
        err = qiao_store_sql_fail(s, "reading a certificate", d);
    }
    sqlite3_finalize(st);
    return err;
}

qiao_err qiao_store_delivery_submitted(struct qiao_store *s, const uint8_t message[32],
                                       uint64_t dst_chain, const uint8_t tx_hash[32],
                                       const char *submitter, struct qiao_diag *d)
{
    char tx[67], extra[96];
    qiao_hex_encode0x(tx, tx_hash, 32);
    snprintf(extra, sizeof(extra), ",\"tx\":\"%s\"", tx);
    QIAO_TRY(qiao_store_op_begin(s, d));
    sqlite3_stmt *st;
    qiao_err err = qiao_store_prep(s, &st, "INSERT INTO deliveries(message, dst_chain, tx_hash,"
                                           " submitter, submitted_at) VALUES(?,?,?,?,?)"
                                           " ON CONFLICT DO NOTHING", d);
    if (!err) {
        qiao_store_bind_blob(st, 1, message, 32);
        qiao_store_bind_u64(st, 2, dst_chain);
        qiao_store_bind_blob(st, 3, tx_hash, 32);
        if (submitter)
            sqlite3_bind_text(st, 4, submitter, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, qiao_store_now(s));
        err = qiao_store_run(s, st, NULL, "recording a submission", d);
    }
    if (!err)
        err = audit_simple(s, "delivery-submitted", message, dst_chain, 0, 0, extra, d);
    return qiao_store_op_end(s, err, d);
}

static qiao_err confirm_row(struct qiao_store *s, const uint8_t message[32], uint64_t dst_chain,
                            const uint8_t tx_hash[32], uint64_t height, const uint8_t bh[32],
                            struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "INSERT INTO deliveries(message, dst_chain, tx_hash,"
                                     " block_height, block_hash, submitted_at, confirmed_at)"
                                     " VALUES(?1,?2,?3,?4,?5,?6,?6) ON CONFLICT(message, tx_hash)"
                                     " DO UPDATE SET block_height=?4, block_hash=?5,"
                                     " confirmed_at=?6", d));
    qiao_store_bind_blob(st, 1, message, 32);
    qiao_store_bind_u64(st, 2, dst_chain);
    qiao_store_bind_blob(st, 3, tx_hash, 32);
    qiao_store_bind_u64(st, 4, height);
    qiao_store_bind_blob(st, 5, bh, 32);
    sqlite3_bind_int64(st, 6, qiao_store_now(s));
    return qiao_store_run(s, st, NULL, "recording a delivery", d);
}

qiao_err qiao_store_delivery_confirmed(struct qiao_store *s, const uint8_t message[32],
                                       uint64_t dst_chain, const uint8_t tx_hash[32],
                                       uint64_t block_height, const uint8_t block_hash[32],
                                       struct qiao_diag *d)
{
    char tx[67], extra[96];
    qiao_hex_encode0x(tx, tx_hash, 32);
    snprintf(extra, sizeof(extra), ",\"tx\":\"%s\"", tx);
    QIAO_TRY(qiao_store_op_begin(s, d));
    qiao_err err = confirm_row(s, message, dst_chain, tx_hash, block_height, block_hash, d);
    if (!err)
        err = audit_simple(s, "delivery-confirmed", message, dst_chain, 1, block_height, extra, d);
    return qiao_store_op_end(s, err, d);
}

qiao_err qiao_store_delivery_get(struct qiao_store *s, const uint8_t message[32],
                                 struct qiao_store_delivery *out, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT tx_hash, dst_chain, confirmed_at IS NOT NULL,"
                                     " block_height, block_hash, submitted_at, confirmed_at"
                                     " FROM deliveries WHERE message=? ORDER BY"
                                     " confirmed_at IS NULL, submitted_at DESC LIMIT 1", d));
    qiao_store_bind_blob(st, 1, message, 32);
    int rc = sqlite3_step(st);
    qiao_err err = QIAO_OK;
    memset(out, 0, sizeof(*out));
    if (rc == SQLITE_ROW) {
        qiao_store_col_blob(st, 0, out->tx_hash, 32);
        out->dst_chain = qiao_store_col_u64(st, 1);
        out->confirmed = sqlite3_column_int(st, 2);
        out->block_height = qiao_store_col_u64(st, 3);
        qiao_store_col_blob(st, 4, out->block_hash, 32);
        out->submitted_at = sqlite3_column_int64(st, 5);
        out->confirmed_at = sqlite3_column_int64(st, 6);
    } else if (rc == SQLITE_DONE) {
        err = QIAO_FAIL(d, QIAO_ENOTFOUND, "no-delivery", "no submission or delivery recorded");
    } else {
        err = qiao_store_sql_fail(s, "reading deliveries", d);
    }
    sqlite3_finalize(st);
    return err;
}
