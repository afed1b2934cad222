/*
 * fuzz_swap_record.c: libFuzzer target for the swap record codec (htlc/swap_record.h), which reads
 * both the terms file `qiao swap propose` takes and the blob the store keeps.  Properties on any
 * input, parsed both as terms and as a full record:
 * - no crash, no sanitizer report; a refusal always carries a reason and a message;
 * - an accepted record re-encodes (qiao_htlc_record_to_json) to JSON that parses back to a record
 *   that encodes to the same text (the store's round trip is a fixed point);
 * - accepted terms give the id qiao_htlc_record_id computes, and qiao_htlc_check_terms and
 *   qiao_htlc_due never crash on them (the engine sees whatever the parser lets through).
 */
#include <stdlib.h>
#include <string.h>

#include "htlc/swap_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *encode(const struct qiao_htlc_record *r)
{
    cJSON *j = qiao_htlc_record_to_json(r);
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return text;
}

/* parse(to_json(r)) must succeed and encode to the same text. */
static void check_round_trip(const struct qiao_htlc_record *r)
{
    static struct qiao_htlc_record back;
    struct qiao_diag d = {0};
    char *a = encode(r), *b;
    if (!a)
        return; /* out of memory: nothing to compare */
    if (qiao_htlc_record_parse_text(&back, a, strlen(a), 0, &d) != QIAO_OK)
        abort();
    b = encode(&back);
    if (b && strcmp(a, b) != 0)
        abort();
    free(a), free(b);
}

static void check_engine(struct qiao_htlc_record *r)
{
    struct qiao_diag d = {0};
    struct qiao_htlc_action act[2];
    uint8_t id[32];
    qiao_htlc_record_id(id, r);
    if (memcmp(id, r->id, 32) != 0)
        abort();
    if (qiao_htlc_check_terms(&r->swap.terms, 1000, &d) != QIAO_OK && (!d.reason[0] || !d.msg[0]))
        abort();
    if (qiao_htlc_due(act, &r->swap, r->swap.terms.leg[0].timelock) > 2)
        abort();
    (void)qiao_htlc_phase(&r->swap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct qiao_htlc_record r;
    for (int terms_only = 0; terms_only < 2; terms_only++) {
        struct qiao_diag d = {0};
        if (qiao_htlc_record_parse_text(&r, (const char *)data, size, terms_only, &d) != QIAO_OK) {
            if (!d.reason[0] || !d.msg[0])
                abort();
            continue;
        }
        if (terms_only)
            check_engine(&r);
        else
            check_round_trip(&r);
    }
    return 0;
}
