/*
 * json.h: strict JSON input on top of cJSON.
 *
 * Every JSON Qiao reads (RPC replies, peer frames, config, bundles, light blocks) is hostile until
 * proven otherwise.  qiao_json_parse adds what cJSON alone does not check: a size cap, a nesting
 * cap, rejection of duplicate object keys (which two parsers could resolve differently),
 * rejection of trailing bytes, and rejection of a NUL inside a string or key (\u0000 or a raw
 * byte: cJSON's C strings would silently end there).  Lookups are case-sensitive.  Getters name the key in their errors.
 *
 * Ownership: qiao_json_parse returns a tree the caller frees with cJSON_Delete.  Strings returned by
 * getters borrow the tree.
 */
#ifndef QIAO_CORE_JSON_H
#define QIAO_CORE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

#define QIAO_JSON_MAX_DEPTH 32
#define QIAO_JSON_MAX_BYTES ((size_t)16 << 20)

/**
 * Parse text[0..len) (no terminator needed).  max_bytes and max_depth of 0 take the defaults above.
 * Reasons: "too-large", "too-deep", "bad-json", "nul-in-string", "duplicate-key",
 *          "trailing-bytes".
 * Out: *out, a tree to free with cJSON_Delete.
 */
qiao_err qiao_json_parse(cJSON **out, const char *text, size_t len, size_t max_bytes,
                         unsigned max_depth, struct qiao_diag *d);

/**
 * As qiao_json_parse, with flags.  QIAO_JSON_NUL_IN_VALUES accepts \u0000 inside string values
 * (cJSON then cuts the value at the NUL) while still refusing it in keys.  Only for documents
 * whose sender controls every value anyway, such as a node's RPC reply: a cut value gives that
 * sender nothing it could not write directly, and nodes do put raw revert bytes into error
 * messages.  Peer frames, configs, bundles and API requests never use it.
 */
#define QIAO_JSON_NUL_IN_VALUES 1u
qiao_err qiao_json_parse_ex(cJSON **out, const char *text, size_t len, size_t max_bytes,
                            unsigned max_depth, unsigned flags, struct qiao_diag *d);

/** Read and parse a whole file (same caps). */
qiao_err qiao_json_parse_file(cJSON **out, const char *path, size_t max_bytes, unsigned max_depth,
                              struct qiao_diag *d);

/** Case-sensitive member lookup; NULL when absent or obj is not an object. */
const cJSON *qiao_json_get(const cJSON *obj, const char *key);

/** Required string member ("missing-field", "wrong-type"). */
qiao_err qiao_json_str(const char **out, const cJSON *obj, const char *key, struct qiao_diag *d);
/** Required hex string member decoding to exactly n bytes. */
qiao_err qiao_json_hex_exact(uint8_t *out, size_t n, const cJSON *obj, const char *key,
                             struct qiao_diag *d);
/**
 * Required unsigned integer member: a JSON number that is an exact integer below 2^53, or a
 * decimal string (for values JSON numbers cannot carry exactly).  No signs, no leading zeros.
 */
qiao_err qiao_json_u64(uint64_t *out, const cJSON *obj, const char *key, struct qiao_diag *d);
/** Parse a canonical decimal string into uint64 ("bad-integer" on anything else or overflow). */
qiao_err qiao_parse_u64(uint64_t *out, const char *s, const char *what, struct qiao_diag *d);
/** Required boolean member. */
qiao_err qiao_json_bool(int *out, const cJSON *obj, const char *key, struct qiao_diag *d);
/** Required array member. */
qiao_err qiao_json_array(const cJSON **out, const cJSON *obj, const char *key, struct qiao_diag *d);
/** Required object member. */
qiao_err qiao_json_object(const cJSON **out, const cJSON *obj, const char *key, struct qiao_diag *d);

#endif
