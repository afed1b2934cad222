/*
 * exp_gather.c: the store's part of an export (export.h): the record, where it was proven, the
 * certificate and the confirmed delivery, copied out so that the chain fetching can run on
 * another thread without touching the store.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/export/export.h"

static qiao_err copy_message(struct qiao_export_req *rq, struct qiao_store *s,
                             const uint8_t id[32], struct qiao_diag *d)
{
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    if (!row)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "export: message row");
    qiao_err err = qiao_store_msg_get(s, id, row, d);
    if (!err && row->status.state != QIAO_MSG_DELIVERED)
        err = QIAO_FAIL(d, QIAO_ESTATE, "not-delivered", "export: message is %s, not delivered; "
                        "evidence needs the destination's delivery receipt",
                        qiao_msg_state_name(row->status.state));
    if (!err) {
        rq->msg = row->msg;
        rq->src = row->status.src;
        rq->observed_at_ms = row->status.entered_at[QIAO_MSG_OBSERVED];
    }
    free(row);
    return err;
}

qiao_err qiao_export_gather(struct qiao_export_req *rq, struct qiao_store *s, const uint8_t id[32],
                            struct qiao_diag *d)
{
    memset(rq, 0, sizeof(*rq));
    QIAO_TRY(copy_message(rq, s, id, d));
    QIAO_TRY(qiao_store_cert_get(s, id, &rq->cert_epoch, &rq->sigs[0][0], QIAO_COMMITTEE_MAX,
                                 &rq->nsigs, d));
    QIAO_TRY(qiao_store_delivery_get(s, id, &rq->delivery, d));
    if (!rq->delivery.confirmed)
        return QIAO_FAIL(d, QIAO_ESTATE, "delivery-unconfirmed", "export: the delivery on chain "
                         "%llu has no confirmed receipt in the store",
                         (unsigned long long)rq->delivery.dst_chain);
    return QIAO_OK;
}
