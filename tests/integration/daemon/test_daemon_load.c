/*
 * test_daemon_load.c: 1,000 messages across two lanes through four real notary processes (k = 3)
 * on two real anvil chains, each delivered exactly once.
 *
 * The sends are batched (automine off, 500 Outbox.send transactions per chain in the pool, mined
 * into a few blocks), so each notary proves hundreds of MessageSent logs per block and gossips hundreds of
 * attestations at once: the mesh's per-peer rate limits, the signing batch and the submission
 * rotation all see a real burst.  Delivery is read back from the Inbox (consumed(id) for every
 * id) and from its MessageDelivered logs (one per id, none twice).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/qt.h"
#include "tests/support/proc.h"
#include "tnet.h"
#include "tnet_tools.h"

#define PER_LANE 500

#ifndef QIAO_HAVE_MESH
int main(void)
{
    printf("skip: this tree has no mesh transport (qiao_mesh); the load test needs it\n");
    return qt_finish();
}
#else
static struct tnet T;

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
    uint8_t(*a)[32] = calloc(PER_LANE, 32), (*b)[32] = calloc(PER_LANE, 32);
    QT_CHECK(a && b);
    /* Both pools filled before either chain mines, so no delivery waits in a pool that is not
     * being mined (a second submitter would then see the first one's pending transaction). */
    QT_CHECK(tnet_automine(&T, 0, 0) == 0 && tnet_automine(&T, 1, 0) == 0);
    QT_CHECK(tnet_send_many(&T, 0, 1, PER_LANE, "load-a", a) == 0);
    QT_CHECK(tnet_send_many(&T, 1, 0, PER_LANE, "load-b", b) == 0);
    QT_CHECK(tnet_mine_pending(&T, 0) == 0 && tnet_mine_pending(&T, 1) == 0);
    QT_CHECK(tnet_automine(&T, 0, 1) == 0 && tnet_automine(&T, 1, 1) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])a, PER_LANE, 150000) == 0);
    QT_CHECK(tnet_wait_consumed(&T, 0, (const uint8_t(*)[32])b, PER_LANE, 150000) == 0);
    for (unsigned dst = 0; dst < 2; dst++) {
        size_t total = 0, distinct = 0;
        QT_CHECK(tnet_delivered_logs(&T, dst, &total, &distinct) == 0);
        QT_CHECKF(total == PER_LANE && distinct == PER_LANE,
                  "chain %u: %zu MessageDelivered logs, %zu distinct, %d sent", dst, total,
                  distinct, PER_LANE);
    }
    /* Every notary learns of every delivery, and none refused to sign or failed a message. */
    for (unsigned i = 0; i < 4; i++) {
        double delivered = 0;
        for (int w = 0; w < 50 && (delivered = tnet_metric(&T, i, "qiao_messages_delivered_total"))
                                      < 2 * PER_LANE; w++)
            tnet_sleep(200);
        /* A failed submission (a race between rotating submitters) is retried, so every
         * message still ends delivered at every notary: failures are reported, not asserted. */
        QT_CHECKF(delivered == 2 * PER_LANE, "notary %u counts %.0f deliveries", i, delivered);
        double failed = tnet_metric(&T, i, "qiao_messages_failed_total");
        if (failed)
            printf("note: notary %u had %.0f failed transitions (retried)\n", i, failed);
        QT_CHECKF(tnet_metric(&T, i, "qiao_verification_failures_total{reason=\"rate-limited\"}")
                      == 0, "notary %u: a peer was cut off for flooding", i);
    }
    free(a), free(b);
    tnet_stop(&T);
    return qt_finish();
}
#endif
