/*
 * ev_canon.h: canonical JSON output for evidence bundles (internal to relay/evidence).
 *
 * One writer serves the builder, the parser's canonical-form check and the embedded CometBFT
 * light blocks, so "canonical" has exactly one definition: object keys sorted by their UTF-8
 * bytes, no whitespace, strings escaped minimally (", \ and control characters as \u00xx), numbers
 * only as integers with |n| < 2^53, true/false/null as themselves.  Pure; appends to a qiao_buf.
 */
#ifndef QIAO_EV_CANON_H
#define QIAO_EV_CANON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

/** Most members of one object the writer sorts. */
#define QIAO_EV_CANON_MAX_MEMBERS 512

/**
 * Append the canonical form of v.  Reasons: "non-integer-number", "too-many-members",
 * "too-deep" (beyond QIAO_JSON_MAX_DEPTH), QIAO_ENOMEM from the buffer.
 */
qiao_err qiao_ev_canon(struct qiao_buf *out, const cJSON *v, struct qiao_diag *d);

/* Tree-building helpers for the builder: each returns NULL only when out of memory. */
/** A string holding "0x" and the lowercase hex of p[0..n). */
cJSON *qiao_ev_json_hex(const uint8_t *p, size_t n);
/** A string holding v in decimal. */
cJSON *qiao_ev_json_u64(uint64_t v);

#endif
