/*
 * test_daemon_single.c: one notary (a committee of one, k = 1) on two real anvil chains, driven
 * end to end through `qiao run`: messages on both lanes delivered exactly once; the API's status,
 * listing, record and retry; a reorg before finality drops the message (never certified, never
 * delivered); kill -9 in the middle of a burst, then restart: nothing lost, nothing delivered
 * twice; SIGTERM stops the daemon cleanly.  (The committee-of-four tests need the mesh transport.)
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "relay/core/hex.h"
#include "tests/qt.h"
#include "tests/support/proc.h"
#include "tnet.h"

static struct tnet T;

static int count_state(unsigned i, const char *state)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "state", state);
    cJSON_AddNumberToObject(p, "limit", 1000);
    cJSON *r = tnet_api(&T, i, "messages.list", p);
    int n = cJSON_IsArray(r) ? cJSON_GetArraySize(r) : -1;
    cJSON_Delete(r);
    return n;
}

static void test_both_lanes(void)
{
    uint8_t a[3][32], b[3][32];
    char payload[64];
    for (int i = 0; i < 3; i++) {
        snprintf(payload, sizeof(payload), "{\"doc\":\"a-%d\"}", i);
        QT_CHECK(tnet_send(&T, 0, 1, payload, a[i]) == 0);
        snprintf(payload, sizeof(payload), "{\"doc\":\"b-%d\"}", i);
        QT_CHECK(tnet_send(&T, 1, 0, payload, b[i]) == 0);
    }
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])a, 3, 60000) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 0, (const uint8_t(*)[32])b, 3, 60000) == 0);
    size_t total = 0, distinct = 0;
    QT_CHECK(tnet_delivered_logs(&T, 1, &total, &distinct) == 0);
    QT_CHECKF(total == 3 && distinct == 3, "lane 7001->7002: %zu logs, %zu distinct", total,
              distinct);
    QT_CHECK(tnet_delivered_logs(&T, 0, &total, &distinct) == 0);
    QT_CHECKF(total == 3 && distinct == 3, "lane 7002->7001: %zu logs, %zu distinct", total,
              distinct);
    char st[16];
    for (int waited = 0; waited < 50 && strcmp(tnet_msg_state(&T, 0, a[2], st), "delivered"); waited++)
        tnet_sleep(100);
    QT_CHECKF(strcmp(st, "delivered") == 0, "state after delivery: %s", st);
}

static void test_api(void)
{
    cJSON *s = tnet_api(&T, 0, "status", cJSON_CreateArray());
    QT_CHECK(s != NULL);
    const cJSON *chains = cJSON_GetObjectItem(s, "chains");
    QT_CHECK(cJSON_GetArraySize(chains) == 2);
    const cJSON *c0 = cJSON_GetArrayItem(chains, 0);
    QT_CHECK(cJSON_IsTrue(cJSON_GetObjectItem(c0, "rpc_ok")));
    QT_CHECK(cJSON_GetObjectItem(c0, "tip")->valuedouble > 0);
    QT_CHECK(cJSON_IsNumber(cJSON_GetObjectItem(s, "backlog")));
    cJSON_Delete(s);
    int delivered = 0; /* the other lane's last delivery may still be on its way to the store */
    for (int waited = 0; waited < 50 && (delivered = count_state(0, "delivered")) < 6; waited++)
        tnet_sleep(100);
    QT_CHECKF(delivered == 6, "delivered messages listed: %d", delivered);

    cJSON *l = tnet_api(&T, 0, "messages.list", cJSON_CreateObject());
    const cJSON *first = cJSON_GetArrayItem(l, 0);
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_Duplicate(cJSON_GetObjectItem(first, "id"), 1));
    cJSON *rec = tnet_api(&T, 0, "messages.get", p);
    QT_CHECK(rec && cJSON_IsString(cJSON_GetObjectItem(rec, "why")));
    QT_CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(rec, "attestations")) == 1);
    QT_CHECK(cJSON_IsObject(cJSON_GetObjectItem(rec, "certificate")));
    QT_CHECK(cJSON_IsObject(cJSON_GetObjectItem(rec, "delivery")));
    cJSON_Delete(rec);
    cJSON_Delete(l);

    cJSON *bad = cJSON_CreateObject();
    cJSON_AddStringToObject(bad, "state", "limbo");
    QT_CHECK(tnet_api(&T, 0, "messages.list", bad) == NULL); /* refused with a reason */
    cJSON *nf = cJSON_CreateArray();
    cJSON_AddItemToArray(nf, cJSON_CreateString("0x" "00000000000000000000000000000000"
                                                "00000000000000000000000000000000"));
    QT_CHECK(tnet_api(&T, 0, "messages.retry", nf) == NULL);
}

/* Send, let the notary observe, then revert the source chain under it before finality. */
static void test_reorg_before_finality(void)
{
    uint8_t id[32];
    char st[16];
    cJSON *snap = tnet_chain_call(&T, 0, "evm_snapshot", cJSON_CreateArray());
    QT_CHECK(cJSON_IsString(snap));
    QT_CHECK(tnet_send(&T, 0, 1, "{\"doc\":\"reorged\"}", id) == 0);
    int seen = 0;
    for (int i = 0; i < 100 && !seen; i++, tnet_sleep(100))
        seen = strcmp(tnet_msg_state(&T, 0, id, st), "observed") == 0;
    QT_CHECKF(seen, "message observed before the reorg (state \"%s\")", st);
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_Duplicate(snap, 1));
    cJSON_Delete(tnet_chain_call(&T, 0, "evm_revert", p));
    cJSON_Delete(snap);
    T.chains[0].next_seq[1]--; /* the Outbox's counter went back with the chain */
    for (int i = 0; i < 40 && strcmp(tnet_msg_state(&T, 0, id, st), "failed"); i++) {
        tnet_mine(&T);
        tnet_sleep(150);
    }
    QT_CHECKF(strcmp(st, "failed") == 0, "a reorged-out message fails (state \"%s\")", st);
    QT_CHECK(!tnet_consumed(&T, 1, id));
    cJSON *p2 = cJSON_CreateArray();
    char hex[67];
    qiao_hex_encode0x(hex, id, 32);
    cJSON_AddItemToArray(p2, cJSON_CreateString(hex));
    cJSON *rec = tnet_api(&T, 0, "messages.get", p2);
    const cJSON *err = cJSON_GetObjectItem(rec, "last_error");
    QT_CHECKF(cJSON_IsString(err) && strstr(err->valuestring, "left the canonical chain"),
              "last_error names the reorg: %s", cJSON_IsString(err) ? err->valuestring : "-");
    QT_CHECK(cJSON_GetObjectItem(rec, "certificate") == NULL);
    cJSON_Delete(rec);
}

static void test_kill9_mid_burst(void)
{
    enum { N = 8 };
    uint8_t ids[N][32];
    char payload[64];
    for (int i = 0; i < N; i++) {
        snprintf(payload, sizeof(payload), "{\"burst\":%d}", i);
        QT_CHECK(tnet_send(&T, 0, 1, payload, ids[i]) == 0);
        if (i == 3) {
            tnet_mine(&T), tnet_mine(&T), tnet_mine(&T);
            tnet_sleep(150);
            tnet_notary_kill9(&T, 0);
        }
    }
    QT_CHECK(tnet_notary_start(&T, 0) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])ids, N, 60000) == 0);
    size_t total = 0, distinct = 0;
    QT_CHECK(tnet_delivered_logs(&T, 1, &total, &distinct) == 0);
    QT_CHECKF(total == 3 + N && distinct == total, "after kill -9: %zu logs, %zu distinct", total,
              distinct);
}

int main(void)
{
    if (!qiao_proc_kit_bin("anvil")) {
        printf("skip: anvil is not installed (./run test installs the kit)\n");
        return qt_finish();
    }
    if (tnet_start(&T, 1, 1, 2, 2000)) {
        QT_CHECK(!"test network started");
        tnet_stop(&T);
        return qt_finish();
    }
    QT_CHECK(tnet_notary_start(&T, 0) == 0);
    test_both_lanes();
    test_api();
    test_reorg_before_finality();
    test_kill9_mid_burst();
    pid_t pid = T.notaries[0].pid;
    T.notaries[0].pid = 0;
    int st = qiao_proc_stop(pid);
    QT_CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM: clean exit (status %d)", st);
    tnet_stop(&T);
    return qt_finish();
}
