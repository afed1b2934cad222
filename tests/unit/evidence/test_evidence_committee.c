/*
 * test_evidence_committee.c: the committee-update chain of the offline verifier against the
 * Inbox's rules.  A real (regtest) Bitcoin source is built in memory: one 61-byte transaction as
 * the record, a header mined over its txid, no Merkle siblings.  Such a bundle passes the record,
 * source and message checks, so the committee checks can be driven directly: the genesis
 * committee signs an update, the new committee signs the certificate, and the run ends at the
 * delivery (no destination chain is trusted), which shows the committee chain was accepted.
 *
 * The Inbox moves to `epoch + 1` with Solidity's checked arithmetic, so no update can follow epoch
 * 2^64 - 1.  The verifier must not accept one either (its `epoch + 1` must not wrap to 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_header.h"
#include "adapters/bitcoin/btc_params.h"
#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "relay/evidence/evidence.h"
#include "tests/qt.h"

#define SRC_CHAIN 9
#define DST_CHAIN 7

struct fixture {
    struct qiao_crypto *cx;
    uint8_t sk_a[32], sk_b[32], addr_a[20], addr_b[20], emitter[20];
    uint8_t tx[61], header[80], hash[32];
};

static void make_source(struct fixture *f)
{
    uint8_t txid[32];
    size_t o = 0;
    memset(f->tx, 0, sizeof(f->tx));
    f->tx[o] = 1, o += 4;                  /* version 1 */
    f->tx[o++] = 1;                        /* one input */
    o += 32;                               /* previous txid: zero */
    memset(f->tx + o, 0xff, 4), o += 4;    /* previous index */
    f->tx[o++] = 0;                        /* empty scriptSig */
    memset(f->tx + o, 0xff, 4), o += 4;    /* sequence */
    f->tx[o++] = 1;                        /* one output */
    o += 8;                                /* value 0 */
    f->tx[o++] = 1, f->tx[o++] = 0x51;     /* scriptPubKey OP_1 */
    o += 4;                                /* lock time 0 */
    QT_CHECK(o == sizeof(f->tx));
    qiao_sha256d(f->cx, txid, f->tx, sizeof(f->tx));
    struct qiao_btc_header h = {.version = 4, .time = 1700000000, .bits = 0x207fffff};
    memcpy(h.merkle_root, txid, 32);
    const struct qiao_btc_params *p = qiao_btc_params_get(QIAO_BTC_REGTEST);
    for (h.nonce = 0;; h.nonce++) {
        qiao_btc_header_encode(f->header, &h);
        if (qiao_btc_header_check_pow(f->cx, f->hash, NULL, p, f->header, NULL) == QIAO_OK)
            break;
    }
}

static void setup(struct fixture *f)
{
    f->cx = qiao_crypto_create();
    uint8_t pub[64];
    memset(f->sk_a, 0x11, 32);
    memset(f->sk_b, 0x22, 32);
    QT_CHECK(qiao_secp_pubkey(f->cx, pub, f->addr_a, f->sk_a, NULL) == QIAO_OK);
    QT_CHECK(qiao_secp_pubkey(f->cx, pub, f->addr_b, f->sk_b, NULL) == QIAO_OK);
    memset(f->emitter, 0xe1, 20);
    make_source(f);
}

static void trust_for(struct fixture *f, struct qiao_ev_trust *t, const char *epoch)
{
    char text[1024], member[43], emitter[43], shown[65];
    struct qiao_diag d = {0};
    qiao_hex_encode0x(member, f->addr_a, 20);
    qiao_hex_encode0x(emitter, f->emitter, 20);
    qiao_hex_encode_rev(shown, f->hash, 32); /* trust.json writes Bitcoin hashes in display order */
    snprintf(text, sizeof(text),
             "{\"format\":\"qiao-trust/1\",\"committee\":{\"id\":\"0x%064d\",\"epoch\":\"%s\","
             "\"k\":\"1\",\"members\":[\"%s\"]},\"chains\":[{\"chainId\":\"%d\",\"family\":"
             "\"bitcoin\",\"name\":\"b\",\"network\":\"regtest\",\"checkpoint\":{\"height\":\"5\","
             "\"hash\":\"0x%s\"},\"confirmations\":\"0\",\"emitter\":\"%s\"}]}",
             0, epoch, member, SRC_CHAIN, shown, emitter);
    QT_CHECKF(qiao_ev_trust_parse(t, text, strlen(text), &d) == QIAO_OK, "trust: %s", d.msg);
}

/* The bundle: the genesis committee {A} signs an update to `next_epoch` with committee {B}, and B
 * signs the certificate of the message at next_epoch. */
static void bundle_for(struct fixture *f, struct qiao_ev_bundle *b, uint64_t next_epoch)
{
    static uint8_t members[1][20], update_sig[1][65], cert_sig[1][65];
    struct qiao_message *m = &b->message;
    uint8_t digest[32];
    memset(b, 0, sizeof(*b));
    QT_CHECK(qiao_ev_bytes_set(&b->record.payload, f->tx, sizeof(f->tx), NULL) == QIAO_OK);
    qiao_sha256(f->cx, b->record.sha256, f->tx, sizeof(f->tx));
    strcpy(b->record.subject, "a statement");
    b->record.source_time = 1700000000;
    m->version = 1, m->src_chain_id = SRC_CHAIN, m->seq = 1, m->dst_chain_id = DST_CHAIN;
    memcpy(m->src_emitter, f->emitter, 20);
    qiao_keccak256(m->payload_hash, f->tx, sizeof(f->tx));
    m->payload = b->record.payload.p, m->payload_len = b->record.payload.len;
    qiao_msg_id(b->message_id, m);
    b->source.family = QIAO_EV_BITCOIN;
    b->source.seg.chain_id = SRC_CHAIN;
    QT_CHECK(qiao_ev_segment_push(&b->source.seg, f->header, 80, NULL) == QIAO_OK);
    b->delivery.chain_id = DST_CHAIN;
    /* the update, signed by A over the committee digest of {B} at next_epoch */
    memcpy(members[0], f->addr_b, 20);
    struct qiao_committee next = {.epoch = next_epoch, .members = (const uint8_t(*)[20])members,
                                  .n = 1, .k = 1};
    QT_CHECK(qiao_committee_digest(digest, &next, NULL) == QIAO_OK);
    QT_CHECK(qiao_attest_sign(f->cx, update_sig[0], f->sk_a, digest, NULL) == QIAO_OK);
    b->updates = calloc(1, sizeof(*b->updates));
    b->updates[0] = (struct qiao_ev_update){.epoch = next_epoch, .k = 1, .n = 1, .nsigs = 1};
    b->updates[0].members = malloc(20), memcpy(b->updates[0].members, members, 20);
    b->updates[0].sigs = malloc(65), memcpy(b->updates[0].sigs, update_sig, 65);
    b->nupdates = 1;
    /* the certificate, signed by B at next_epoch */
    qiao_attest_digest(digest, next.id, next_epoch, b->message_id);
    QT_CHECK(qiao_attest_sign(f->cx, cert_sig[0], f->sk_b, digest, NULL) == QIAO_OK);
    b->cert.epoch = next_epoch, b->cert.nsigs = 1;
    b->cert.sigs = malloc(65), memcpy(b->cert.sigs, cert_sig, 65);
}

static void run(struct fixture *f, const char *genesis_epoch, uint64_t next_epoch,
                const char *component, const char *reason)
{
    struct qiao_ev_trust t;
    struct qiao_ev_bundle b;
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    void *mem = malloc(QIAO_EV_ARENA_BYTES);
    struct qiao_arena arena;
    struct qiao_diag d = {0};
    qiao_arena_init(&arena, mem, QIAO_EV_ARENA_BYTES);
    trust_for(f, &t, genesis_epoch);
    bundle_for(f, &b, next_epoch);
    QT_CHECK(qiao_ev_verify(f->cx, r, &b, &t, &arena, &d) != QIAO_OK);
    QT_CHECKF(r->fail_component && !strcmp(r->fail_component, component) &&
                  !strcmp(r->fail.reason, reason),
              "epoch %s -> %llu: failed at %s (%s: %s), want %s (%s)", genesis_epoch,
              (unsigned long long)next_epoch, r->fail_component ? r->fail_component : "-",
              r->fail.reason, r->fail.msg, component, reason);
    qiao_ev_bundle_clear(&b);
    qiao_ev_trust_clear(&t);
    free(mem);
    free(r);
}

int main(void)
{
    struct fixture f;
    setup(&f);
    /* control: a valid update chain is accepted, and the run ends at the untrusted destination */
    run(&f, "41", 42, "delivery", "untrusted-chain");
    /* a gap is refused */
    run(&f, "41", 43, "committee", "update-epoch-gap");
    /* past the last epoch there is no next one: epoch + 1 must not wrap to 0 */
    run(&f, "18446744073709551615", 0, "committee", "update-epoch-overflow");
    qiao_crypto_destroy(f.cx);
    return qt_finish();
}
