/*
 * test_daemon_hostile.c: a hostile committee member and hostile bytes against running notaries.
 *
 * Three real `qiao run` notaries (k = 3 of 4) on two real anvil chains; the fourth member's key
 * is held by this test, which runs the real mesh transport with it (tnet_hostile.h), so it passes
 * mesh authentication like any member and then gossips forged attestations: a non-member's
 * signature, a second different signature by one signer, a high-S twin, a stale epoch, a signature
 * over another lane's message id.  The notaries must drop each with a log line and a
 * qiao_verification_failures_total{reason} count, certify only with valid member signatures, and
 * still deliver.  Forged certificates sent straight to the Inbox (eth_call of deliver) are refused
 * by the custom error naming the fault (the contract tests cover each rule in depth; here the
 * real deployment is probed once per fault).  Finally malformed, oversized, binary and pre-auth
 * frames to a notary's mesh port and bad requests to its API: clear errors, still running.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay/core/bytes.h"
#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"
#include "tests/qt.h"
#include "tests/support/proc.h"
#include "tnet.h"
#include "tnet_hostile.h"
#include "tnet_tools.h"

#ifndef QIAO_HAVE_MESH
int main(void)
{
    printf("skip: this tree has no mesh transport (qiao_mesh); the hostile-peer tests need it\n");
    return qt_finish();
}
#else
#define FAKE 3
#define QIAO_MESH_TEST_BIG ((1u << 20) + 4096) /* over the default 1 MiB peer_frame_bytes */
static struct tnet T;
static struct tfake F;
static const char *const REASONS[] = {"not-member", "duplicate-signer", "high-s", "stale-epoch"};
#define NREASONS (sizeof(REASONS) / sizeof(REASONS[0]))
static uint8_t forged[8][65]; /* every bad signature gossiped: none may reach a certificate */
static size_t nforged;

static double reason_count(unsigned i, const char *reason)
{
    char sample[128];
    snprintf(sample, sizeof(sample), "qiao_verification_failures_total{reason=\"%s\"}", reason);
    return tnet_metric(&T, i, sample);
}

static int wait_consumed(unsigned dst, const uint8_t id[32], unsigned timeout_ms)
{
    for (unsigned waited = 0; waited <= timeout_ms; waited += 300) {
        if (tnet_consumed(&T, dst, id))
            return 0;
        tnet_mine(&T);
        tfake_pump(&F, 300); /* keep the fake's links alive */
    }
    return -1;
}

static void gossip(const uint8_t id[32], uint64_t epoch, const uint8_t sig[65], int bad)
{
    QT_CHECK(tfake_send_att(&F, id, epoch, sig) == 3);
    if (bad && nforged < sizeof(forged) / sizeof(forged[0]))
        memcpy(forged[nforged++], sig, 65);
}

/* The committee as the Inbox holds it: members ascending. */
static void committee(struct qiao_committee *c, uint8_t (*members)[20])
{
    for (unsigned i = 0; i < T.n; i++)
        memcpy(members[i], T.notaries[i].addr, 20);
    for (unsigned i = 1; i < T.n; i++)
        for (unsigned j = i; j > 0 && memcmp(members[j - 1], members[j], 20) > 0; j--) {
            uint8_t tmp[20];
            memcpy(tmp, members[j], 20), memcpy(members[j], members[j - 1], 20);
            memcpy(members[j - 1], tmp, 20);
        }
    memset(c, 0, sizeof(*c));
    memcpy(c->id, T.committee, 32);
    c->epoch = 1, c->members = (const uint8_t(*)[20])members, c->n = T.n, c->k = T.k;
}

static int is_forged(const uint8_t *sig)
{
    for (size_t f = 0; f < nforged; f++)
        if (memcmp(forged[f], sig, 65) == 0)
            return 1;
    return 0;
}

/* The certificate and attestations notary i holds for id: valid members only, no forged sig. */
static void check_record(unsigned i, const uint8_t id[32])
{
    char hex[67];
    uint8_t members[TNET_MAX_NOTARIES][20], sigs[TNET_MAX_NOTARIES * 65], signers[TNET_MAX_NOTARIES][20];
    struct qiao_committee c;
    size_t len = 0, count = 0;
    struct qiao_diag d = {0};
    committee(&c, members);
    qiao_hex_encode0x(hex, id, 32);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "id", hex);
    cJSON *r = tnet_api(&T, i, "messages.get", p);
    const cJSON *cert = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "certificate"), "sigs");
    QT_CHECKF(cJSON_IsString(cert) && strlen(cert->valuestring) > 2 &&
                  qiao_hex_decode(sigs, sizeof(sigs), &len, cert->valuestring + 2,
                                  strlen(cert->valuestring) - 2, NULL) == QIAO_OK,
              "notary %u holds a readable certificate", i);
    struct qiao_crypto *cx = qiao_crypto_create();
    QT_CHECKF(len && qiao_cert_verify(cx, &c, id, sigs, len, signers, &count, &d) == QIAO_OK,
              "notary %u: its certificate passes the Inbox's rules (%s %s)", i, d.reason, d.msg);
    qiao_crypto_destroy(cx);
    for (size_t s = 0; s < len / 65; s++)
        QT_CHECKF(!is_forged(sigs + 65 * s), "notary %u: forged signature %zu in a certificate", i, s);
    const cJSON *atts = cJSON_GetObjectItem(r, "attestations"), *a;
    QT_CHECK(cJSON_GetArraySize(atts) >= (int)T.k);
    cJSON_ArrayForEach(a, atts) {
        uint8_t signer[20], sig[65];
        const cJSON *sg = cJSON_GetObjectItem(a, "signer"), *sv = cJSON_GetObjectItem(a, "sig");
        int ok = cJSON_IsString(sg) && cJSON_IsString(sv) &&
                 qiao_hex_decode_exact(signer, 20, sg->valuestring, NULL) == QIAO_OK &&
                 qiao_hex_decode_exact(sig, 65, sv->valuestring, NULL) == QIAO_OK;
        QT_CHECKF(ok && qiao_committee_is_member(&c, signer) && !is_forged(sig),
                  "notary %u stores only member attestations, none forged", i);
    }
    cJSON_Delete(r);
}

/*
 * The fake member gossips, for message A (lane 7001 -> 7002): a non-member's signature; its own
 * honest signature, then a second, different one (duplicate signer); the high-S twin of the
 * honest one; an epoch-0 attestation (stale); an epoch-0 signature presented as epoch 1; its
 * signature over message B's id (lane 7002 -> 7001) presented as A's; and its honest signature
 * again (a harmless re-send, not an offence).
 */
static void test_forged_attestations(uint8_t a[32], uint8_t b[32])
{
    double before[3][NREASONS];
    uint8_t da[32], db[32], d0[32], sig[65], honest[65], nonmember[32];
    memset(nonmember, 0x99, 32);
    for (unsigned i = 0; i < 3; i++)
        for (size_t r = 0; r < NREASONS; r++)
            before[i][r] = reason_count(i, REASONS[r]);
    QT_CHECK(tnet_send(&T, 0, 1, "{\"doc\":\"hostile-a\"}", a) == 0);
    QT_CHECK(tnet_send(&T, 1, 0, "{\"doc\":\"hostile-b\"}", b) == 0);
    qiao_attest_digest(da, T.committee, 1, a);
    qiao_attest_digest(db, T.committee, 1, b);
    qiao_attest_digest(d0, T.committee, 0, a);

    QT_CHECK(tsig_sign(sig, nonmember, da, 0) == 0);
    gossip(a, 1, sig, 1);                                  /* not-member */
    QT_CHECK(tsig_sign(honest, F.seckey, da, 0) == 0);
    gossip(a, 1, honest, 0);                               /* valid: stored */
    QT_CHECK(tsig_sign(sig, F.seckey, da, 7) == 0 && memcmp(sig, honest, 65) != 0);
    gossip(a, 1, sig, 1);                                  /* duplicate-signer */
    memcpy(sig, honest, 65);
    tsig_high_s(sig);
    gossip(a, 1, sig, 1);                                  /* high-s */
    QT_CHECK(tsig_sign(sig, F.seckey, d0, 0) == 0);
    gossip(a, 0, sig, 1);                                  /* stale-epoch */
    gossip(a, 1, sig, 1);                                  /* not-member: signed another digest */
    QT_CHECK(tsig_sign(sig, F.seckey, db, 0) == 0);
    gossip(a, 1, sig, 1);                                  /* not-member: B's signature on A */
    gossip(a, 1, honest, 0);                               /* a re-send: ignored */
    tfake_pump(&F, 1500);

    static const double want[NREASONS] = {3, 1, 1, 1};
    for (unsigned i = 0; i < 3; i++)
        for (size_t r = 0; r < NREASONS; r++) {
            double got = reason_count(i, REASONS[r]) - before[i][r];
            QT_CHECKF(got == want[r], "notary %u: qiao_verification_failures_total{reason=\"%s\"} "
                      "rose by %.0f, want %.0f", i, REASONS[r], got, want[r]);
            char line[96];
            snprintf(line, sizeof(line), "attestation=dropped reason=%s", REASONS[r]);
            QT_CHECKF(tnet_log_has(&T, i, line), "notary %u logs \"%s\"", i, line);
        }

    /* The good path: both messages certified by valid members only, delivered once. */
    QT_CHECK(wait_consumed(1, a, 60000) == 0);
    QT_CHECK(wait_consumed(0, b, 60000) == 0);
    for (unsigned i = 0; i < 3; i++)
        check_record(i, a);
    check_record(0, b);
    for (unsigned dst = 0; dst < 2; dst++) {
        size_t total = 0, distinct = 0;
        QT_CHECK(tnet_delivered_logs(&T, dst, &total, &distinct) == 0);
        QT_CHECKF(total == 1 && distinct == 1, "chain %u: %zu deliveries", dst, total);
    }
}

static void make_msg(struct qiao_message *m, unsigned src, unsigned dst, uint64_t seq,
                     const char *payload)
{
    memset(m, 0, sizeof(*m));
    m->version = 1, m->src_chain_id = T.chains[src].id, m->seq = seq;
    m->dst_chain_id = T.chains[dst].id;
    memcpy(m->src_emitter, T.chains[src].outbox, 20), memcpy(m->sender, T.sender, 20);
    memcpy(m->receiver, T.chains[dst].registry, 20);
    m->payload = (const uint8_t *)payload, m->payload_len = strlen(payload);
    qiao_keccak256(m->payload_hash, payload, m->payload_len);
}

/* eth_call Inbox.deliver(m, sigs) on chain c; expect the custom error `error` (NULL: success). */
static void expect_deliver(unsigned c, const struct qiao_message *m, const uint8_t *sigs,
                           size_t len, const char *error)
{
    struct qiao_buf data = {0};
    uint8_t sel[4] = {0}, got[4] = {0};
    QT_CHECK(qiao_abi_encode_deliver(&data, m, sigs, len, NULL) == QIAO_OK);
    int rc = tnet_call_revert(&T, c, T.chains[c].inbox, data.p, data.len, got);
    qiao_buf_clear(&data);
    if (!error) {
        QT_CHECKF(rc == 0, "a valid certificate passes Inbox.deliver (rc %d)", rc);
        return;
    }
    qiao_abi_selector(sel, error);
    QT_CHECKF(rc == 1 && memcmp(sel, got, 4) == 0, "Inbox.deliver refuses with %s (rc %d, "
              "selector %02x%02x%02x%02x)", error, rc, got[0], got[1], got[2], got[3]);
}

/* Notary indexes ordered by address ascending (the order the Inbox requires of signers). */
static void by_address(unsigned order[TNET_MAX_NOTARIES])
{
    for (unsigned i = 0; i < T.n; i++)
        order[i] = i;
    for (unsigned i = 1; i < T.n; i++)
        for (unsigned j = i; j > 0 && memcmp(T.notaries[order[j - 1]].addr,
                                             T.notaries[order[j]].addr, 20) > 0; j--) {
            unsigned tmp = order[j];
            order[j] = order[j - 1], order[j - 1] = tmp;
        }
}

/* The n lowest members' signatures over digest, ascending by signer.  Returns the length. */
static size_t member_sigs(uint8_t *out, const uint8_t digest[32], unsigned n)
{
    unsigned order[TNET_MAX_NOTARIES];
    by_address(order);
    for (unsigned i = 0; i < n; i++)
        QT_CHECK(tsig_sign(out + 65 * i, T.notaries[order[i]].seckey, digest, 0) == 0);
    return 65u * n;
}

/*
 * Forged certificates straight to the Inbox of the running deployment (eth_call: nothing is
 * written).  A fresh message (never sent, so not consumed) isolates the signature rules, with a
 * correctly signed control; the delivered message A is replayed on its lane and on the other.
 */
static void test_inbox_forgeries(const struct qiao_message *ma)
{
    struct qiao_message mf;
    uint8_t id[32], dg[32], d0[32], sigs[4 * 65], nonmember[32], cert[TNET_MAX_NOTARIES * 65];
    unsigned order[TNET_MAX_NOTARIES];
    size_t len = 0;
    char hex[67];
    memset(nonmember, 0x99, 32);
    by_address(order);
    make_msg(&mf, 0, 1, 1000, "{\"doc\":\"forged\"}");
    qiao_msg_id(id, &mf);
    qiao_attest_digest(dg, T.committee, 1, id);
    qiao_attest_digest(d0, T.committee, 0, id);

    QT_CHECK(tsig_sign(sigs, nonmember, dg, 0) == 0);
    expect_deliver(1, &mf, sigs, 65, "NotMember(address)");
    member_sigs(sigs, dg, 1); /* the lowest member twice, two different signatures */
    QT_CHECK(tsig_sign(sigs + 65, T.notaries[order[0]].seckey, dg, 9) == 0 &&
             memcmp(sigs, sigs + 65, 65) != 0);
    expect_deliver(1, &mf, sigs, 130, "SignersNotAscending()");
    member_sigs(sigs, dg, 1);
    tsig_high_s(sigs);
    expect_deliver(1, &mf, sigs, 65, "HighS()");
    expect_deliver(1, &mf, sigs, member_sigs(sigs, d0, 3), "NotMember(address)"); /* stale */
    expect_deliver(1, &mf, sigs, member_sigs(sigs, dg, 2), "BelowThreshold(uint256,uint256)");
    expect_deliver(1, &mf, sigs, member_sigs(sigs, dg, 3), NULL); /* the control */

    uint8_t ida[32];
    qiao_msg_id(ida, ma);
    qiao_hex_encode0x(hex, ida, 32);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "id", hex);
    cJSON *r = tnet_api(&T, 0, "messages.get", p);
    const cJSON *cs = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "certificate"), "sigs");
    QT_CHECK(cJSON_IsString(cs) && qiao_hex_decode(cert, sizeof(cert), &len, cs->valuestring + 2,
                                                   strlen(cs->valuestring) - 2, NULL) == QIAO_OK);
    cJSON_Delete(r);
    expect_deliver(1, ma, cert, len, "AlreadyConsumed(bytes32)");
    expect_deliver(0, ma, cert, len, "WrongDestination()");
}

/* Wait (pumping the fake) until notary i's count for reason passes base; 0 when it does. */
static int wait_reason(unsigned i, const char *reason, double base)
{
    for (int tries = 0; tries < 30; tries++) {
        if (reason_count(i, reason) > base)
            return 0;
        tfake_pump(&F, 100);
    }
    return -1;
}

/* One raw connection to notary 0's mesh port, hello read, then `send` does the hostile act. */
static void mesh_probe(const char *reason, int opcode, const void *data, size_t len,
                       uint64_t announce, const char *what)
{
    char hello[4096], line[96];
    double base = reason_count(0, reason);
    int fd = tws_connect(T.notaries[0].mesh_port, "/", "qiao-mesh-1");
    QT_CHECKF(fd >= 0, "%s: WebSocket to the mesh port", what);
    if (fd < 0)
        return;
    QT_CHECKF(tws_recv(fd, hello, sizeof(hello), 3000) > 0 && strstr(hello, "hello"),
              "%s: the notary says hello first", what);
    if (announce)
        tws_send_header_only(fd, opcode, announce, data, len);
    else
        tws_send(fd, opcode, data, len);
    QT_CHECKF(wait_reason(0, reason, base) == 0, "%s: counted as %s", what, reason);
    snprintf(line, sizeof(line), "peer=unauthenticated violation reason=%s", reason);
    QT_CHECKF(tnet_log_has(&T, 0, line), "%s: logged \"%s\"", what, line);
    QT_CHECKF(tws_recv(fd, hello, sizeof(hello), 3000) < 0, "%s: the link is dropped", what);
    close(fd);
}

static int api_post(const char *body, size_t len, const char *clen, char *out, size_t cap)
{
    char head[256];
    snprintf(head, sizeof(head), "POST /rpc HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: "
             "application/json\r\nContent-Length: %s", clen);
    return thttp_raw(T.notaries[0].api_port, head, body, len, out, cap);
}

static void api_expect(const char *body, int status, const char *needle, char *reply, size_t cap)
{
    char clen[24];
    snprintf(clen, sizeof(clen), "%zu", strlen(body));
    int st = api_post(body, strlen(body), clen, reply, cap);
    QT_CHECKF(st == status && strstr(reply, needle), "API body %.40s: status %d, reply %.200s",
              body, st, reply);
}

static void test_bad_input(void)
{
    static char big[QIAO_MESH_TEST_BIG];
    char reply[8192], clen[32];
    memset(big, ' ', sizeof(big));
    big[0] = '{', big[sizeof(big) - 1] = '}';
    mesh_probe("bad-json", 1, "not json{", 9, 0, "garbage frame");
    mesh_probe("frame-too-large", 1, big, sizeof(big), 0, "oversized frame");
    mesh_probe("frame-too-large", 1, "{\"type\":", 8, (uint64_t)1 << 40, "frame announcing 2^40 bytes");
    mesh_probe("binary-frame", 2, "\x01\x02\xff", 3, 0, "binary frame");
    mesh_probe("frame-before-auth", 1, "{\"type\":\"hb\",\"t\":\"1\"}", 21, 0,
               "heartbeat before authentication");

    /* The API: malformed JSON-RPC, binary, duplicate keys, an unknown method, oversized bodies. */
    api_expect("{\"jsonrpc\":\"2.0\",", 200, "-32700", reply, sizeof(reply));
    api_expect("\x01\xff\xfe{", 200, "-32700", reply, sizeof(reply));
    api_expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"status\"}", 200, "\"error\"",
               reply, sizeof(reply));
    api_expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no.such\"}", 200, "\"error\"", reply,
               sizeof(reply));
    snprintf(clen, sizeof(clen), "%u", 64u << 20);
    QT_CHECK(api_post("{", 1, clen, reply, sizeof(reply)) == 413);
    char *huge = malloc((2u << 20) + 1);
    QT_CHECK(huge != NULL);
    if (huge) { /* no Content-Length to refuse early: the body itself passes the cap */
        memset(huge, ' ', 2u << 20);
        char head[160];
        snprintf(head, sizeof(head), "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Transfer-Encoding: chunked");
        size_t n = (size_t)snprintf(huge, 32, "%x\r\n", (2u << 20) - 64);
        huge[n - 1] = '\n', memset(huge + n, ' ', (2u << 20) - n);
        int st = thttp_raw(T.notaries[0].api_port, head, huge, 2u << 20, reply, sizeof(reply));
        QT_CHECKF(st == 413, "a 2 MiB chunked body (over the 1 MiB cap): status %d", st);
        free(huge);
    }

    /* Still running and answering. */
    QT_CHECK(T.notaries[0].pid > 0 && kill(T.notaries[0].pid, 0) == 0);
    cJSON *s = tnet_api(&T, 0, "status", NULL);
    QT_CHECK(cJSON_IsObject(s));
    cJSON_Delete(s);
}

int main(void)
{
    uint8_t a[32], b[32];
    struct qiao_message ma;
    if (!qiao_proc_kit_bin("anvil")) {
        printf("skip: anvil is not installed (./run test installs the kit)\n");
        return qt_finish();
    }
    if (tnet_start(&T, 4, 3, 1, 1500)) {
        QT_CHECK(!"test network started");
        tnet_stop(&T);
        return qt_finish();
    }
    for (unsigned i = 0; i < 3; i++)
        QT_CHECK(tnet_notary_start(&T, i) == 0);
    QT_CHECK(tfake_start(&F, &T, FAKE) == 0);
    QT_CHECKF(tfake_wait_up(&F, 3, 30000) == 0, "the fake member authenticated with all three");
    make_msg(&ma, 0, 1, T.chains[0].next_seq[1], "{\"doc\":\"hostile-a\"}");
    test_forged_attestations(a, b);
    uint8_t ida[32];
    qiao_msg_id(ida, &ma);
    QT_CHECK(memcmp(ida, a, 32) == 0);
    test_inbox_forgeries(&ma);
    test_bad_input();
    tfake_stop(&F);
    tnet_stop(&T);
    return qt_finish();
}
#endif
