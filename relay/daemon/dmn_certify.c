/*
 * dmn_certify.c: peer attestations and certificates, inside tick B.
 *
 * A peer's attestation is checked before it is stored: the current epoch only (a stale-epoch
 * signature can never count toward a certificate the Inbox accepts), then recovery with the
 * Inbox's per-signature rules (low-S, r and s in range, v 27/28) and membership.  Rejections are
 * dropped, logged with the peer and counted by reason in /metrics.  A message is certified when
 * we have attested it ourselves (we never certify what our own adapter did not prove) and at
 * least k distinct current-epoch members signed; the certificate is built by qiao_cert_build,
 * which re-verifies every signature and sorts the signers as the Inbox requires.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/daemon_int.h"

static void drop(struct qiao_daemon *dm, const struct qiao_dmn_peer_att *a, const struct qiao_diag *d)
{
    char peer[43], id[67];
    qiao_hex_encode0x(peer, a->peer, 20);
    qiao_hex_encode0x(id, a->id, 32);
    QIAO_LOG(QIAO_LOG_WARN, "mesh", "peer=%s msg=%s attestation=dropped reason=%s detail=\"%s\"",
             peer, id, d->reason, d->msg);
    qiao_metrics_verify_failure(&dm->metrics, d->reason);
}

struct same_sig {
    const uint8_t *signer, *sig;
    int found;
};

static int same_sig_cb(void *ctx, const struct qiao_store_att *a)
{
    struct same_sig *c = ctx;
    if (memcmp(a->signer, c->signer, 20) == 0)
        c->found = memcmp(a->sig, c->sig, 65) == 0 ? 1 : -1;
    return c->found != 0;
}

/* 1 when the store already holds exactly this signature from this signer (a harmless re-send);
 * 0 when it holds another signature by the same signer (RFC 6979 makes an honest notary's
 * signature unique, so a second one is equivocation or a forgery worth reporting). */
static int resent(struct qiao_daemon *dm, const struct qiao_store_att *att)
{
    struct same_sig c = {.signer = att->signer, .sig = att->sig};
    if (qiao_store_att_list(dm->store, att->message, att->epoch, same_sig_cb, &c, NULL))
        return 1; /* cannot tell: treat as a re-send rather than accuse */
    return c.found >= 0;
}

static void take_one(struct qiao_daemon *dm, const struct qiao_dmn_peer_att *a)
{
    struct qiao_diag d = {0};
    struct qiao_store_att att = {.epoch = a->epoch};
    char peer[43];
    int inserted = 0;
    if (a->epoch != dm->committee.epoch) {
        (void)QIAO_FAIL(&d, QIAO_EVERIFY, "stale-epoch", "attestation for epoch %llu, current is %llu",
                  (unsigned long long)a->epoch, (unsigned long long)dm->committee.epoch);
        drop(dm, a, &d);
        return;
    }
    if (qiao_attest_verify(dm->cx, &dm->committee, a->id, a->sig, att.signer, &d)) {
        drop(dm, a, &d);
        return;
    }
    qiao_hex_encode0x(peer, a->peer, 20);
    memcpy(att.message, a->id, 32), memcpy(att.committee, dm->committee.id, 32);
    memcpy(att.sig, a->sig, 65);
    att.peer = peer;
    if (qiao_store_att_put(dm->store, &att, &inserted, &d)) {
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "peer=%s attestation reason=%s msg=\"%s\"", peer,
                 d.reason, d.msg);
        return;
    }
    if (inserted) {
        qiao_dmn_ids_add(&dm->to_certify, a->id);
    } else if (!resent(dm, &att)) {
        char who[43];
        qiao_hex_encode0x(who, att.signer, 20);
        (void)QIAO_FAIL(&d, QIAO_EVERIFY, "duplicate-signer", "a second, different signature "
                        "by %s for this message; the first one is kept", who);
        drop(dm, a, &d);
    }
}

void qiao_dmn_take_peer_atts(struct qiao_daemon *dm, struct qiao_dmn_tick *t)
{
    (void)t;
    for (size_t i = 0; i < dm->npatt; i++)
        take_one(dm, &dm->patts[i]);
    dm->npatt = 0;
}

struct collect {
    uint8_t (*sigs)[65];
    size_t n;
};

static int collect_cb(void *ctx, const struct qiao_store_att *a)
{
    struct collect *c = ctx;
    if (c->n < QIAO_COMMITTEE_MAX)
        memcpy(c->sigs[c->n++], a->sig, 65);
    return 0;
}

static void certify_one(struct qiao_daemon *dm, struct qiao_dmn_tick *t, const uint8_t id[32],
                        struct qiao_store_msg_row *row)
{
    struct qiao_diag d = {0};
    unsigned count = 0;
    uint8_t sigs[QIAO_COMMITTEE_MAX][65], cert[QIAO_COMMITTEE_MAX * 65], digest[32];
    size_t len = 0;
    if (qiao_store_att_count(dm->store, id, dm->committee.epoch, &count, NULL) ||
        count < dm->committee.k)
        return;
    if (qiao_store_msg_get(dm->store, id, row, NULL) || row->status.state != QIAO_MSG_ATTESTED)
        return;
    struct collect c = {.sigs = sigs};
    qiao_attest_digest(digest, dm->committee.id, dm->committee.epoch, id);
    if (qiao_store_att_list(dm->store, id, dm->committee.epoch, collect_cb, &c, &d) ||
        qiao_cert_build(dm->cx, &dm->committee, digest, (const uint8_t(*)[65])sigs, c.n,
                        dm->committee.k, cert, sizeof(cert), &len, &d) ||
        qiao_store_cert_put(dm->store, id, dm->committee.id, dm->committee.epoch, cert, len / 65,
                            &d) ||
        qiao_store_msg_advance(dm->store, id, QIAO_MSG_ATTESTED, QIAO_MSG_CERTIFIED, NULL, &d)) {
        char hex[67];
        qiao_hex_encode0x(hex, id, 32);
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "msg=%s certify reason=%s msg=\"%s\"", hex, d.reason,
                 d.msg);
        return;
    }
    char hex[67];
    qiao_hex_encode0x(hex, id, 32);
    QIAO_LOG(QIAO_LOG_INFO, "pipeline", "msg=%s state=certified signers=%zu", hex, len / 65);
    qiao_dmn_publish(t, id, "certified", NULL);
}

void qiao_dmn_certify_all(struct qiao_daemon *dm, struct qiao_dmn_tick *t)
{
    struct qiao_dmn_ids todo = dm->to_certify;
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    memset(&dm->to_certify, 0, sizeof(dm->to_certify));
    for (size_t i = 0; row && i < todo.n; i++)
        certify_one(dm, t, todo.v[i], row);
    free(row);
    qiao_dmn_ids_clear(&todo);
}
