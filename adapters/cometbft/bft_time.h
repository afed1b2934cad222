/*
 * bft_time.h: CometBFT time values: exact RFC 3339 parsing, comparison, and duration arithmetic.
 *
 * CometBFT writes times as RFC 3339 with up to nine fractional digits (Go's RFC3339Nano) and
 * signs them as google.protobuf.Timestamp {seconds, nanos}.  We keep the same split (seconds since
 * the epoch and nanoseconds) so no value is rounded and years 0001..9999 all fit; an int64 of
 * nanoseconds would stop at 2262.  Pure functions, no allocation, no locale, no libc time zone.
 */
#ifndef QIAO_BFT_TIME_H
#define QIAO_BFT_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/cometbft/bft_types.h"
#include "relay/core/diag.h"

/* A duration cap of 200 years keeps every duration inside int64 nanoseconds. */
#define QIAO_BFT_MAX_DURATION_NS ((int64_t)200 * 366 * 86400 * 1000000000)

/**
 * Parse "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)" exactly: upper-case T and Z, a real
 * calendar date (leap years), no leap second, no more than nine fractional digits, no
 * surrounding space.  The offset is folded into UTC.
 * Returns: QIAO_OK or QIAO_EINVAL ("bad-time").  In: what names the field for the message.
 */
qiao_err qiao_bft_time_parse(struct qiao_bft_time *out, const char *s, const char *what,
                             struct qiao_diag *d);

/** Format t as RFC 3339 in UTC with trailing fractional zeros trimmed (Go's RFC3339Nano).
 *  Out: buf, at least 40 bytes.  Years outside 0001..9999 print as they are. */
void qiao_bft_time_format(char *buf, size_t cap, struct qiao_bft_time t);

/** -1, 0 or 1 as a is before, equal to or after b. */
int qiao_bft_time_cmp(struct qiao_bft_time a, struct qiao_bft_time b);

/** t + ns (ns may be negative; |ns| <= QIAO_BFT_MAX_DURATION_NS). */
struct qiao_bft_time qiao_bft_time_add(struct qiao_bft_time t, int64_t ns);

/**
 * Parse a duration of seconds: a decimal integer with an optional fraction of up to nine digits
 * ("1209600", "0.5").  Returns: QIAO_OK or QIAO_EINVAL ("bad-duration"), QIAO_ERANGE above the cap.
 * Out: *ns.
 */
qiao_err qiao_bft_duration_parse(int64_t *ns, const char *s, const char *what,
                                 struct qiao_diag *d);

#endif
