/*
 * devnet_int.h: internals shared by devnet.c (processes) and devnet_load.c (the JSON that
 * scripts/devnet.js writes).  Not for tests: use devnet.h.
 */
#ifndef QIAO_TEST_DEVNET_INT_H
#define QIAO_TEST_DEVNET_INT_H

#include "tests/support/devnet.h"

/** Parse the report `devnet.js send --out FILE` wrote.  Out: *s (src and dst left 0). */
qiao_err qiao_devnet_parse_sent(struct qiao_devnet_sent *s, const char *path, struct qiao_diag *d);

/** Parse the report `devnet.js wait-delivered --out FILE` wrote.  Out: *o. */
qiao_err qiao_devnet_parse_delivery(struct qiao_devnet_delivery *o, const char *path,
                                    struct qiao_diag *d);

/** Parse the report `devnet.js submit --out FILE` wrote.  Out: *o. */
qiao_err qiao_devnet_parse_submit(struct qiao_devnet_submit *o, const char *path,
                                  struct qiao_diag *d);

#endif
