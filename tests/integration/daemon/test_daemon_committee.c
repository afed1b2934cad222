/*
 * test_daemon_committee.c: four notary processes (k = 3) on two real anvil chains, linked by the
 * real mesh: messages on both lanes delivered exactly once; one notary down still delivers; two
 * down stalls (fewer than k signers) and completes after one restarts; kill -9 of a notary in the
 * middle of a burst, then restart: nothing lost, nothing delivered twice.
 */
#include <stdio.h>
#include <string.h>

#include "tests/qt.h"
#include "tests/support/proc.h"
#include "tnet.h"

#ifndef QIAO_HAVE_MESH
int main(void)
{
    printf("skip: this tree has no mesh transport (qiao_mesh); the committee tests need it\n");
    return qt_finish();
}
#else
static struct tnet T;
static size_t sent[2]; /* per destination */

static void send_batch(unsigned src, unsigned dst, int n, const char *tag, uint8_t (*ids)[32])
{
    char payload[96];
    for (int i = 0; i < n; i++) {
        snprintf(payload, sizeof(payload), "{\"tag\":\"%s\",\"i\":%d}", tag, i);
        QT_CHECK(tnet_send(&T, src, dst, payload, ids[i]) == 0);
    }
    sent[dst] += (size_t)n;
}

static void check_exactly_once(const char *when)
{
    for (unsigned dst = 0; dst < 2; dst++) {
        size_t total = 0, distinct = 0;
        QT_CHECK(tnet_delivered_logs(&T, dst, &total, &distinct) == 0);
        QT_CHECKF(total == sent[dst] && distinct == total, "%s: chain %u has %zu deliveries "
                  "(%zu distinct), %zu sent", when, dst, total, distinct, sent[dst]);
    }
}

static void test_all_up(void)
{
    uint8_t a[4][32], b[4][32];
    send_batch(0, 1, 4, "all-a", a);
    send_batch(1, 0, 4, "all-b", b);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])a, 4, 60000) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 0, (const uint8_t(*)[32])b, 4, 60000) == 0);
    check_exactly_once("all four up");
}

static void test_one_down(void)
{
    uint8_t a[3][32], b[3][32];
    tnet_notary_stop(&T, 3);
    send_batch(0, 1, 3, "one-down-a", a);
    send_batch(1, 0, 3, "one-down-b", b);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])a, 3, 60000) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 0, (const uint8_t(*)[32])b, 3, 60000) == 0);
    check_exactly_once("one notary down");
}

static void test_two_down(void)
{
    uint8_t a[2][32];
    char st[16];
    tnet_notary_stop(&T, 2); /* 3 is still down: two of four */
    send_batch(0, 1, 2, "two-down", a);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])a, 2, 4000) != 0); /* stalls */
    QT_CHECK(!tnet_consumed(&T, 1, a[0]) && !tnet_consumed(&T, 1, a[1]));
    QT_CHECKF(strcmp(tnet_msg_state(&T, 0, a[0], st), "attested") == 0,
              "with 2 of 4 up the message waits in attested (state \"%s\")", st);
    QT_CHECK(tnet_notary_start(&T, 2) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])a, 2, 60000) == 0);
    QT_CHECK(tnet_notary_start(&T, 3) == 0);
    check_exactly_once("two down, then one restarted");
}

static void test_kill9(void)
{
    uint8_t a[6][32];
    send_batch(0, 1, 3, "kill9-a", a);
    tnet_mine(&T);
    tnet_sleep(100);
    tnet_notary_kill9(&T, 1);
    send_batch(0, 1, 3, "kill9-b", a + 3);
    tnet_mine(&T);
    tnet_sleep(300);
    tnet_notary_kill9(&T, 0);
    QT_CHECK(tnet_notary_start(&T, 1) == 0);
    QT_CHECK(tnet_notary_start(&T, 0) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])a, 6, 60000) == 0);
    check_exactly_once("kill -9 and restart");
}

int main(void)
{
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
    test_all_up();
    test_one_down();
    test_two_down();
    test_kill9();
    tnet_stop(&T);
    return qt_finish();
}
#endif
