/*
 * fuzz_evidence.c: the bundle parser and trust parser on arbitrary bytes.  A bundle that parses
 * must rebuild to exactly its input (the parser's own canonical check), and its report builders
 * must not crash on an unusable report.  Corpus: the bundles the live test writes (evm, bitcoin,
 * cometbft, with and without an RFC 3161 token) and a trust file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/evidence/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qiao_ev_bundle b;
    struct qiao_ev_trust t;
    struct qiao_diag d = {0};
    if (qiao_ev_parse(&b, (const char *)data, size, &d) == QIAO_OK) {
        struct qiao_buf out = {0};
        if (qiao_ev_build(&out, &b, 1, NULL) != QIAO_OK || out.len != size ||
            memcmp(out.p, data, size) != 0)
            abort(); /* parse accepted a text that is not its own canonical form */
        qiao_buf_clear(&out);
    } else {
        struct qiao_ev_report r;
        struct qiao_buf rep = {0};
        qiao_ev_report_unusable(&r, "bundle", &d);
        qiao_ev_report_json(&rep, &r, NULL);
        qiao_buf_clear(&rep);
    }
    qiao_ev_bundle_clear(&b);
    qiao_ev_trust_parse(&t, (const char *)data, size, NULL);
    qiao_ev_trust_clear(&t);
    return 0;
}
