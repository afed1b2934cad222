/*
 * test_rotation.c: the submitter rotation is the id modulo n over the sorted members, every
 * member gets a distinct distance, and the takeover schedule is distance × timeout.
 */
#include <string.h>

#include "relay/daemon/dmn_rotation.h"
#include "tests/qt.h"

int main(void)
{
    uint8_t id[32] = {0};
    id[31] = 7;
    QT_CHECK(qiao_dmn_rotation_leader(id, 4) == 3);
    QT_CHECK(qiao_dmn_rotation_leader(id, 1) == 0);
    QT_CHECK(qiao_dmn_rotation_distance(id, 4, 3) == 0);
    QT_CHECK(qiao_dmn_rotation_distance(id, 4, 0) == 1);
    QT_CHECK(qiao_dmn_rotation_distance(id, 4, 2) == 3);
    QT_CHECK(qiao_dmn_rotation_due(id, 4, 1, 1000, 30000) == 1000 + 2 * 30000);
    /* 2^248 mod 5: 2^4 = 1 mod 5, so 2^248 = 1 */
    memset(id, 0, 32);
    id[0] = 1;
    QT_CHECK(qiao_dmn_rotation_leader(id, 5) == 1);
    /* all-ones id modulo 64 = 63 */
    memset(id, 0xff, 32);
    QT_CHECK(qiao_dmn_rotation_leader(id, 64) == 63);
    /* every member has its own distance: exactly one submits first */
    for (unsigned n = 1; n <= 7; n++) {
        unsigned seen = 0;
        for (unsigned self = 0; self < n; self++)
            seen |= 1u << qiao_dmn_rotation_distance(id, n, self);
        QT_CHECKF(seen == (1u << n) - 1, "n=%u distances cover 0..n-1", n);
    }
    return qt_finish();
}
