/*
 * test_daemon_faults.c: faults of the chains under running notaries.
 *
 * Four real `qiao run` notaries (k = 3) on two real anvil chains, finality 2 confirmations.
 * Notary 3 reaches chain 7001 through a JSON-RPC proxy in this test (tnet_hostile.h) that corrupts
 * replies on demand: HTTP 500, a truncated JSON body, a body announced as 1 GiB, block hashes
 * altered.  The notary must name each fault in its status (chains[i].rpc_ok false, last_error)
 * and its log, keep running, and recover when the proxy behaves: it catches up and follows the
 * message sent meanwhile, which the other three deliver without it.
 *
 * A message mined before the notaries start checks that the latency histogram runs from source
 * inclusion (block timestamp).  Then a source-chain fault after certification: a message is certified and delivered, and chain
 * 7001 is reverted to a snapshot taken before the send and grown past the old tip (evm_revert,
 * then new blocks), so the message's final block leaves the canonical chain.  Every notary raises
 * an alert (an event on the API's "alerts" topic, qiao_alerts_total, an "alert" log line) and the
 * message is not delivered again.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay/core/hex.h"
#include "tests/qt.h"
#include "tests/support/proc.h"
#include "tnet.h"
#include "tnet_hostile.h"
#include "tnet_tools.h"

#ifndef QIAO_HAVE_MESH
/*
 * The latency histogram runs from source inclusion (the block's timestamp), not from when a
 * notary first saw the message: a message mined INCLUSION_GAP_S before any notary runs must
 * show at least that much latency everywhere.
 */
#define INCLUSION_GAP_S 6
static void send_before_start(uint8_t id[32])
{
    QT_CHECK(tnet_send(&T, 1, 0, "{\"doc\":\"mined-before-the-notaries-ran\"}", id) == 0);
    tnet_sleep(INCLUSION_GAP_S * 1000);
}

static void test_latency_from_inclusion(const uint8_t id[32])
{
    QT_CHECK(tnet_wait_consumed(&T, 0, (const uint8_t(*)[32])id, 1, 60000) == 0);
    for (unsigned i = 0; i < T.n; i++) {
        double count = 0, sum = 0;
        for (int tries = 0; tries < 50 && count < 1; tries++, tnet_sleep(200))
            count = tnet_metric(&T, i, "qiao_delivery_latency_seconds_count");
        sum = tnet_metric(&T, i, "qiao_delivery_latency_seconds_sum");
        QT_CHECKF(count == 1 && sum >= INCLUSION_GAP_S, "notary %u: latency count %.0f, sum %.2f s "
                  "(the message was mined over %d s before)", i, count, sum, INCLUSION_GAP_S);
    }
}

int main(void)
{
    uint8_t early[32];
    printf("skip: this tree has no mesh transport (qiao_mesh); the committee tests need it\n");
    return qt_finish();
}
#else
#define PROXIED 3
static struct tnet T;
static struct tproxy P;

/* chains[0] of notary i's status: rpc_ok and last_error.  0 when read. */
static int chain_status(unsigned i, int *ok, char *err, size_t cap, double *lag)
{
    cJSON *s = tnet_api(&T, i, "status", NULL);
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "chains"), 0);
    const cJSON *e = cJSON_GetObjectItem(c, "last_error"), *l = cJSON_GetObjectItem(c, "head_lag");
    int read = cJSON_IsObject(c) && cJSON_IsString(e);
    if (read) {
        *ok = cJSON_IsTrue(cJSON_GetObjectItem(c, "rpc_ok"));
        snprintf(err, cap, "%s", e->valuestring);
        *lag = cJSON_IsNumber(l) ? l->valuedouble : -1;
    }
    cJSON_Delete(s);
    return read ? 0 : -1;
}

/* Wait until the proxied notary reports chain 7001 down (want_ok 0) or up (1).  Out: err. */
static int wait_rpc(int want_ok, char *err, size_t cap)
{
    for (int tries = 0; tries < 100; tries++) {
        int ok = -1;
        double lag = -1;
        if (chain_status(PROXIED, &ok, err, cap, &lag) == 0 && ok == want_ok &&
            (!want_ok || (lag == 0 && err[0] == 0)))
            return 0;
        tnet_sleep(200);
    }
    return -1;
}

/* Break the proxy in one way: the notary must say so; with recover, mend it and see it heal. */
static void fault(int mode, const char *what, const char *reason, int recover)
{
    char err[512] = "", line[128];
    P.mode = mode;
    cJSON_Delete(tnet_chain_call(&T, 0, "evm_mine", cJSON_CreateArray()));
    QT_CHECKF(wait_rpc(0, err, sizeof(err)) == 0, "%s: status shows rpc_ok false (last_error "
              "\"%s\")", what, err);
    printf("info: %s: last_error \"%s\"\n", what, err);
    if (reason) {
        QT_CHECKF(strncmp(err, reason, strlen(reason)) == 0, "%s: last_error names %s: \"%s\"",
                  what, reason, err);
        snprintf(line, sizeof(line), "worker chain=%llu reason=%s",
                 (unsigned long long)T.chains[0].id, reason);
        QT_CHECKF(tnet_log_has(&T, PROXIED, line), "%s: logged \"%s\"", what, line);
    } else {
        QT_CHECKF(err[0] != 0, "%s: last_error says why", what);
    }
    QT_CHECKF(kill(T.notaries[PROXIED].pid, 0) == 0, "%s: the notary keeps running", what);
    if (!recover)
        return;
    P.mode = TPROXY_PASS;
    QT_CHECKF(wait_rpc(1, err, sizeof(err)) == 0, "after %s: recovered, rpc_ok true, no error, "
              "no lag (last_error \"%s\")", what, err);
}

static void test_hostile_rpc(void)
{
    uint8_t id[32];
    char err[512] = "", st[16] = "";
    QT_CHECKF(wait_rpc(1, err, sizeof(err)) == 0, "through the proxy, chain 7001 is healthy");
    fault(TPROXY_HTTP_500, "HTTP 500", "http-status", 1);
    fault(TPROXY_TRUNCATED, "truncated JSON", "bad-json", 1);
    fault(TPROXY_HUGE, "a 1 GiB body", "reply-too-large", 1);
    fault(TPROXY_BAD_HASH, "altered block hashes", "hash-mismatch", 0);
    QT_CHECK(tnet_send(&T, 0, 1, "{\"doc\":\"sent-while-rpc-broken\"}", id) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])id, 1, 60000) == 0); /* the others */
    P.mode = TPROXY_PASS;
    QT_CHECKF(wait_rpc(1, err, sizeof(err)) == 0, "recovered: rpc_ok true, no error, no lag "
              "(last_error \"%s\")", err);
    for (int tries = 0; tries < 100 && strcmp(tnet_msg_state(&T, PROXIED, id, st),
                                              "delivered") != 0; tries++) {
        tnet_mine(&T);
        tnet_sleep(200);
    }
    QT_CHECKF(strcmp(st, "delivered") == 0, "after recovery the proxied notary followed the "
              "message sent meanwhile to delivered (state \"%s\")", st);
    QT_CHECKF(P.served > 0, "the proxy carried the notary's calls");
}

static long block_number(unsigned c)
{
    cJSON *r = tnet_chain_call(&T, c, "eth_blockNumber", cJSON_CreateArray());
    long n = cJSON_IsString(r) ? strtol(r->valuestring, NULL, 16) : -1;
    cJSON_Delete(r);
    return n;
}

/* The canonical hash of block n on chain c (caller frees), or NULL. */
static char *block_hash(unsigned c, long n)
{
    char num[24];
    snprintf(num, sizeof(num), "0x%lx", (unsigned long)n);
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(num));
    cJSON_AddItemToArray(p, cJSON_CreateFalse());
    cJSON *b = tnet_chain_call(&T, c, "eth_getBlockByNumber", p);
    const cJSON *h = cJSON_GetObjectItem(b, "hash");
    char *out = n >= 0 && cJSON_IsString(h) ? strdup(h->valuestring) : NULL;
    cJSON_Delete(b);
    return out;
}

static int wait_state(unsigned i, const uint8_t id[32], const char *want, char st[16])
{
    for (int tries = 0; tries < 100; tries++, tnet_sleep(200))
        if (strcmp(tnet_msg_state(&T, i, id, st), want) == 0)
            return 0;
    return -1;
}

/*
 * A reorg before finality drops the message's block (it fails: "left the canonical chain"); the
 * same transaction is then mined again in another block (the Outbox's sequence was reverted too,
 * so it is the same message id).  Every notary must prove it at its new location, move it back
 * to observed there, and deliver it once.
 */
static void test_reincluded(void)
{
    uint8_t id[32], again[32];
    char st[16], hex[67];
    static const char payload[] = "{\"doc\":\"re-included\"}";
    cJSON *snap = tnet_chain_call(&T, 0, "evm_snapshot", cJSON_CreateArray());
    QT_CHECK(cJSON_IsString(snap));
    QT_CHECK(tnet_send(&T, 0, 1, payload, id) == 0);
    for (unsigned i = 0; i < T.n; i++)
        QT_CHECKF(wait_state(i, id, "observed", st) == 0, "notary %u observed it (\"%s\")", i, st);
    long first = block_number(0);
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, snap);
    cJSON *r = tnet_chain_call(&T, 0, "evm_revert", p);
    QT_CHECK(cJSON_IsTrue(r));
    cJSON_Delete(r);
    for (int b = 0; b < 3; b++) /* a longer branch without it: the block is dropped */
        cJSON_Delete(tnet_chain_call(&T, 0, "evm_mine", cJSON_CreateArray()));
    for (unsigned i = 0; i < T.n; i++)
        QT_CHECKF(wait_state(i, id, "failed", st) == 0, "notary %u: dropped before finality "
                  "fails it (\"%s\")", i, st);
    T.chains[0].next_seq[1]--; /* the revert undid the Outbox's sequence too */
    QT_CHECK(tnet_send(&T, 0, 1, payload, again) == 0 && memcmp(id, again, 32) == 0);
    long second = block_number(0);
    QT_CHECKF(second > first, "re-included in block %ld, first in %ld", second, first);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])id, 1, 60000) == 0);
    qiao_hex_encode0x(hex, id, 32);
    for (unsigned i = 0; i < T.n; i++) {
        QT_CHECKF(wait_state(i, id, "delivered", st) == 0, "notary %u: delivered (\"%s\")", i, st);
        cJSON *q = cJSON_CreateObject();
        cJSON_AddStringToObject(q, "id", hex);
        cJSON *rec = tnet_api(&T, i, "messages.get", q);
        const cJSON *sh = cJSON_GetObjectItem(rec, "src_block_hash");
        const cJSON *sn = cJSON_GetObjectItem(rec, "src_height");
        long height = cJSON_IsNumber(sn) ? (long)sn->valuedouble : -1;
        char *canonical = block_hash(0, height);
        QT_CHECKF(height > first && cJSON_IsString(sh) && canonical &&
                      strcmp(sh->valuestring, canonical) == 0,
                  "notary %u records the canonical new location: block %ld %s (first %ld, "
                  "canonical %s)", i, height, cJSON_IsString(sh) ? sh->valuestring : "?", first,
                  canonical ? canonical : "?");
        free(canonical);
        cJSON_Delete(rec);
        QT_CHECKF(tnet_log_has(&T, i, "re-included"), "notary %u logs the re-inclusion", i);
    }
}

/* Receive until a subscription notification naming needle arrives; 0 when one did. */
static int wait_event(int fd, const char *needle, unsigned timeout_ms)
{
    static char buf[1 << 16];
    for (unsigned waited = 0; waited < timeout_ms; waited += 200) {
        int n = tws_recv(fd, buf, sizeof(buf), 200);
        if (n > 0 && strstr(buf, "\"subscription\"") && strstr(buf, needle))
            return 0;
        if (n == -2)
            return -1;
    }
    return -1;
}

static void test_reorg_after_certification(void)
{
    uint8_t id[32];
    char sub[128], buf[4096];
    double before[TNET_MAX_NOTARIES];
    int fd = tws_connect(T.notaries[0].api_port, "/ws", NULL);
    QT_CHECK(fd >= 0);
    snprintf(sub, sizeof(sub), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\","
             "\"params\":[\"alerts\"]}");
    QT_CHECK(fd >= 0 && tws_send(fd, 1, sub, strlen(sub)) == 0 &&
             tws_recv(fd, buf, sizeof(buf), 5000) > 0 && strstr(buf, "\"result\""));
    for (unsigned i = 0; i < T.n; i++)
        before[i] = tnet_metric(&T, i, "qiao_alerts_total");

    cJSON *snap = tnet_chain_call(&T, 0, "evm_snapshot", cJSON_CreateArray());
    QT_CHECK(cJSON_IsString(snap));
    cJSON *tip0 = tnet_chain_call(&T, 0, "eth_blockNumber", cJSON_CreateArray());
    QT_CHECK(tnet_send(&T, 0, 1, "{\"doc\":\"certified-then-reorged\"}", id) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])id, 1, 60000) == 0);
    cJSON *tip1 = tnet_chain_call(&T, 0, "eth_blockNumber", cJSON_CreateArray());
    long from = cJSON_IsString(tip0) ? strtol(tip0->valuestring, NULL, 16) : 0;
    long to = cJSON_IsString(tip1) ? strtol(tip1->valuestring, NULL, 16) : 0;
    cJSON_Delete(tip0), cJSON_Delete(tip1);

    /* The fork: back to before the send, then a longer branch without it. */
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_Duplicate(snap, 1));
    cJSON *r = tnet_chain_call(&T, 0, "evm_revert", p);
    QT_CHECK(cJSON_IsTrue(r));
    cJSON_Delete(r), cJSON_Delete(snap);
    for (long b = from; b < to + 3; b++)
        cJSON_Delete(tnet_chain_call(&T, 0, "evm_mine", cJSON_CreateArray()));
    QT_CHECK(tnet_consumed(&T, 1, id)); /* delivered stays delivered on 7002 */

    QT_CHECKF(fd >= 0 && wait_event(fd, "reorg-below-finality", 30000) == 0,
              "an alert event on the API's alerts topic");
    for (unsigned i = 0; i < T.n; i++) {
        double now = before[i];
        for (int tries = 0; tries < 50 && now <= before[i]; tries++, tnet_sleep(200))
            now = tnet_metric(&T, i, "qiao_alerts_total");
        QT_CHECKF(now == before[i] + 1, "notary %u: qiao_alerts_total %.0f -> %.0f", i,
                  before[i], now);
        QT_CHECKF(tnet_log_has(&T, i, "alert") && tnet_log_has(&T, i, "reorg-below-finality"),
                  "notary %u logs the alert", i);
        QT_CHECKF(kill(T.notaries[i].pid, 0) == 0, "notary %u keeps running", i);
    }
    cJSON *s = tnet_api(&T, 1, "status", NULL);
    const cJSON *la = cJSON_GetObjectItem(s, "last_alert");
    QT_CHECKF(cJSON_IsString(la) && strstr(la->valuestring, "reorg-below-finality"),
              "status.last_alert names the fault");
    cJSON_Delete(s);

    tnet_sleep(3000); /* a chance for a second delivery, which must not come */
    size_t total = 0, distinct = 0;
    QT_CHECK(tnet_delivered_logs(&T, 1, &total, &distinct) == 0);
    QT_CHECKF(total == distinct && total == 3, "7002 has %zu deliveries (%zu distinct), want 3",
              total, distinct);
    if (fd >= 0)
        close(fd);
}

/*
 * The latency histogram runs from source inclusion (the block's timestamp), not from when a
 * notary first saw the message: a message mined INCLUSION_GAP_S before any notary runs must
 * show at least that much latency everywhere.
 */
#define INCLUSION_GAP_S 6
static void send_before_start(uint8_t id[32])
{
    QT_CHECK(tnet_send(&T, 1, 0, "{\"doc\":\"mined-before-the-notaries-ran\"}", id) == 0);
    tnet_sleep(INCLUSION_GAP_S * 1000);
}

static void test_latency_from_inclusion(const uint8_t id[32])
{
    QT_CHECK(tnet_wait_consumed(&T, 0, (const uint8_t(*)[32])id, 1, 60000) == 0);
    for (unsigned i = 0; i < T.n; i++) {
        double count = 0, sum = 0;
        for (int tries = 0; tries < 50 && count < 1; tries++, tnet_sleep(200))
            count = tnet_metric(&T, i, "qiao_delivery_latency_seconds_count");
        sum = tnet_metric(&T, i, "qiao_delivery_latency_seconds_sum");
        QT_CHECKF(count == 1 && sum >= INCLUSION_GAP_S, "notary %u: latency count %.0f, sum %.2f s "
                  "(the message was mined over %d s before)", i, count, sum, INCLUSION_GAP_S);
    }
}

int main(void)
{
    uint8_t early[32];
    if (!qiao_proc_kit_bin("anvil")) {
        printf("skip: anvil is not installed (./run test installs the kit)\n");
        return qt_finish();
    }
    if (tnet_start(&T, 4, 3, 2, 1500) || tproxy_start(&P, T.chains[0].port)) {
        QT_CHECK(!"test network and proxy started");
        tnet_stop(&T);
        return qt_finish();
    }
    snprintf(T.notaries[PROXIED].chain_url[0], sizeof(T.notaries[PROXIED].chain_url[0]),
             "http://127.0.0.1:%d", P.port);
    QT_CHECK(tnet_write_config(&T, PROXIED) == 0);
    send_before_start(early);
    for (unsigned i = 0; i < T.n; i++)
        QT_CHECK(tnet_notary_start(&T, i) == 0);
    test_latency_from_inclusion(early);
    test_hostile_rpc();
    test_reincluded();
    test_reorg_after_certification();
    tnet_stop(&T);
    tproxy_stop(&P);
    return qt_finish();
}
#endif
