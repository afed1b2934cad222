/*
 * fuzz_config.c: libFuzzer target for the notary config parser.  Properties: no crash or
 * sanitizer report on any input; an accepted config satisfies the committee and lane invariants
 * the validator promises (1 <= k <= n, k >= ceil(2n/3) unless overridden, distinct non-zero
 * members, self a member, lanes between distinct known chains); a refusal always carries a reason
 * and a message.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct qiao_config *c)
{
    static const uint8_t zero[20];
    const struct qiao_cfg_committee *cm = &c->committee;
    if (cm->k == 0 || cm->k > cm->n || (!cm->allow_low_threshold && 3 * cm->k < 2 * cm->n))
        abort();
    for (unsigned i = 0; i < cm->n; i++) {
        if (memcmp(cm->members[i], zero, 20) == 0)
            abort();
        for (unsigned j = 0; j < i; j++)
            if (memcmp(cm->members[i], cm->members[j], 20) == 0)
                abort();
    }
    if (qiao_config_member_index(c, c->notary.address) < 0)
        abort();
    for (unsigned i = 0; i < c->n_lanes; i++)
        if (!qiao_config_chain(c, c->lanes[i].src) || !qiao_config_chain(c, c->lanes[i].dst) ||
            c->lanes[i].src == c->lanes[i].dst)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct qiao_config cfg;
    struct qiao_diag d = {0};
    if (qiao_config_parse(&cfg, (const char *)data, size, &d) == QIAO_OK)
        check_accepted(&cfg);
    else if (!d.reason[0] || !d.msg[0])
        abort();
    return 0;
}
