/*
 * devnet_int.h: internals shared by devnet.c (processes) and devnet_load.c (the JSON that
 * scripts/devnet.js writes).  Not for tests: use devnet.h.
 */
#ifndef QIAO_TEST_DEVNET_INT_H
#define QIAO_TEST_DEVNET_INT_H

#include "tests/support/devnet.h"

/** The JSON reports of devnet.js send, wait-delivered and submit (--out FILE). */
enum qiao_devnet_report {
    QIAO_DEVNET_REPORT_SENT,     /* out: struct qiao_devnet_sent (src and dst left 0) */
    QIAO_DEVNET_REPORT_DELIVERY, /* out: struct qiao_devnet_delivery */
    QIAO_DEVNET_REPORT_SUBMIT,   /* out: struct qiao_devnet_submit */
};

/**
 * Parse a report of the given kind from text[0..len) (strict JSON, capped at 64 KiB).
 * Returns: QIAO_OK, or the JSON and field reasons.  Out: *out (the struct of that kind, zeroed
 * first).
 */
qiao_err qiao_devnet_parse_report(enum qiao_devnet_report kind, void *out, const char *text,
                                  size_t len, struct qiao_diag *d);

/** As qiao_devnet_parse_report, from the file at path (errors name it). */
qiao_err qiao_devnet_read_report(enum qiao_devnet_report kind, void *out, const char *path,
                                 struct qiao_diag *d);

#endif
