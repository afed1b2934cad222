/*
 * test_daemon_crash.c: crash safety of four real notary processes (k = 3) on two real anvils.
 *
 * Each notary in turn is restarted with QIAO_TEST_CRASH_AT naming one window of the pipeline
 * (relay/daemon/dmn_crash.h) and dies there by SIGKILL, exactly as kill -9 would:
 *   guard-committed     the signing guard is durable, nothing is signed yet;
 *   signed              signatures exist in memory only;
 *   attested-committed  our attestations are durable, nothing was gossiped;
 *   deliver-sent        a deliver transaction left, its receipt was never seen.
 * Then a burst is sent and one notary is killed from outside after a random delay (the seed is
 * printed).  Every crashed notary is restarted.  The outcome is checked on the chains and in
 * every store: every message delivered, none twice (MessageDelivered logs); every signing guard
 * names its own message's digest; no signer's attestation exists for two messages of one
 * (lane, seq), in any notary's store (so also among everything that was gossiped).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "relay/daemon/dmn_rotation.h"
#include "tests/qt.h"
#include "tests/support/proc.h"
#include "tnet.h"
#include "tnet_tools.h"

#ifndef QIAO_HAVE_MESH
int main(void)
{
    printf("skip: this tree has no mesh transport (qiao_mesh); the crash test needs it\n");
    return qt_finish();
}
#else
#define MAX_IDS 128
static struct tnet T;
static uint8_t ids[2][MAX_IDS][32]; /* per destination */
static size_t nids[2];

static void send_one(unsigned src, unsigned dst, const char *tag)
{
    char payload[96];
    snprintf(payload, sizeof(payload), "{\"crash\":\"%s\",\"n\":%zu}", tag, nids[dst]);
    if (nids[dst] < MAX_IDS)
        QT_CHECK(tnet_send(&T, src, dst, payload, ids[dst][nids[dst]++]) == 0);
}

/* Wait (mining, so messages keep moving) until notary j has exited; reap it.  1 when it died of
 * SIGKILL. */
static int wait_killed(unsigned j, unsigned timeout_ms)
{
    pid_t pid = T.notaries[j].pid;
    for (unsigned waited = 0; pid > 0 && waited < timeout_ms; waited += 200) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
            int st = qiao_proc_kill9(pid); /* reaps the zombie and forgets it */
            T.notaries[j].pid = 0;
            return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        }
        tnet_mine(&T);
        tnet_sleep(200);
    }
    return 0;
}

static unsigned sorted_index(unsigned j)
{
    unsigned below = 0;
    for (unsigned i = 0; i < T.n; i++)
        below += memcmp(T.notaries[i].addr, T.notaries[j].addr, 20) < 0;
    return below;
}

static void crash_at(unsigned j, const char *point)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "test-crash point=%s", point);
    tnet_notary_stop(&T, j);
    if (tnet_notary_start_env(&T, j, point) != 0) {
        /* With earlier work in hand (a certified message it must submit, say) the notary can
         * reach the point and die before its API is up: that is the crash this case wants. */
        QT_CHECKF(tnet_log_has(&T, j, needle), "notary %u failed to start without reaching %s",
                  j, point);
        QT_CHECK(tnet_notary_start(&T, j) == 0);
        return;
    }
    tnet_sleep(300); /* let the mesh links come up */
    if (strcmp(point, "deliver-sent") == 0) {
        /* Send until a message has j as its first submitter (the rotation is public). */
        for (int tries = 0; tries < 40; tries++) {
            send_one(0, 1, point);
            if (qiao_dmn_rotation_leader(ids[1][nids[1] - 1], T.n) == sorted_index(j))
                break;
        }
    } else {
        send_one(0, 1, point);
        send_one(0, 1, point);
        send_one(1, 0, point);
    }
    QT_CHECKF(wait_killed(j, 30000), "notary %u died at %s", j, point);
    QT_CHECKF(tnet_log_has(&T, j, needle), "notary %u's log names the crash point %s", j, point);
    QT_CHECK(tnet_notary_start(&T, j) == 0);
}

static void random_kill(void)
{
    unsigned seed = (unsigned)time(NULL);
    srand(seed);
    unsigned j = (unsigned)rand() % T.n, delay = (unsigned)rand() % 1500;
    printf("random kill: seed %u, notary %u after %u ms\n", seed, j, delay);
    for (int i = 0; i < 6; i++)
        send_one(i % 2, 1 - i % 2, "random");
    tnet_mine(&T);
    tnet_sleep(delay);
    tnet_notary_kill9(&T, j);
    tnet_sleep(200);
    QT_CHECK(tnet_notary_start(&T, j) == 0);
}

static void check_outcome(void)
{
    for (unsigned dst = 0; dst < 2; dst++) {
        size_t total = 0, distinct = 0;
        QT_CHECK(tnet_wait_consumed(&T, dst, (const uint8_t(*)[32])ids[dst], nids[dst], 90000) ==
                 0);
        QT_CHECK(tnet_delivered_logs(&T, dst, &total, &distinct) == 0);
        QT_CHECKF(total == nids[dst] && distinct == total,
                  "chain %u: %zu deliveries (%zu distinct), %zu sent", dst, total, distinct,
                  nids[dst]);
    }
    for (unsigned i = 0; i < T.n; i++) {
        size_t guards = 0, atts = 0;
        QT_CHECKF(tnet_store_check(&T, i, &guards, &atts) == 0, "notary %u's store", i);
        QT_CHECKF(guards > 0 && atts > 0, "notary %u: %zu guards, %zu attestations", i, guards,
                  atts);
        printf("notary %u: %zu signing guards, %zu attestations held, %zu messages\n", i, guards,
               atts, nids[0] + nids[1]);
    }
}

int main(void)
{
    static const char *points[] = {"guard-committed", "signed", "attested-committed",
                                   "deliver-sent"};
    if (!qiao_proc_kit_bin("anvil")) {
        printf("skip: anvil is not installed (./run test installs the kit)\n");
        return qt_finish();
    }
    if (tnet_start(&T, 4, 3, 1, 1500)) {
        QT_CHECK(!"test network started");
        tnet_stop(&T);
        return qt_finish();
    }
    for (unsigned i = 0; i < 4; i++)
        QT_CHECK(tnet_notary_start(&T, i) == 0);
    for (unsigned p = 0; p < 4; p++)
        crash_at(p, points[p]);
    random_kill();
    check_outcome();
    tnet_stop(&T);
    return qt_finish();
}
#endif
