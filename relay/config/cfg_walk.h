/*
 * cfg_walk.h: the config parser's field-path tracking and typed getters (internal to
 * relay/config).  Every getter names the full path ("chains[1].finality.confirmations") in its
 * error, so each section parser only says which key it wants.
 */
#ifndef QIAO_CONFIG_CFG_WALK_H
#define QIAO_CONFIG_CFG_WALK_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

/** The current position in the document. */
struct cfg_walk {
    char path[192];
    size_t len;
    struct qiao_diag *d;
};

/** Append ".key" (or "key" at the root) / "[i]"; returns the length to restore with cfg_pop. */
size_t cfg_push_key(struct cfg_walk *w, const char *key);
size_t cfg_push_index(struct cfg_walk *w, size_t i);
void cfg_pop(struct cfg_walk *w, size_t len);

/** Fail at the current path: "<path>: <message>". */
qiao_err cfg_fail(struct cfg_walk *w, qiao_err code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/** Fail at the current path extended by key. */
qiao_err cfg_fail_at(struct cfg_walk *w, const char *key, qiao_err code, const char *reason,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/** obj must be an object whose keys are all in allowed (NULL-terminated) or "_comment". */
qiao_err cfg_keys(struct cfg_walk *w, const cJSON *obj, const char *const *allowed);

/** Member lookup; a missing required member fails with "missing-field". *out NULL if optional
 *  and absent. */
qiao_err cfg_member(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                    const cJSON **out);

/** Typed getters.  Optional members that are absent leave *out untouched and set *present = 0
 *  (present may be NULL when required). */
qiao_err cfg_object(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                    const cJSON **out);
qiao_err cfg_array(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                   size_t max, const cJSON **out);
qiao_err cfg_u64(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                 uint64_t min, uint64_t max, uint64_t *out, int *present);
qiao_err cfg_bool(struct cfg_walk *w, const cJSON *obj, const char *key, int required, int *out);
qiao_err cfg_str(struct cfg_walk *w, const cJSON *obj, const char *key, int required, char *out,
                 size_t cap, int *present);
/** A hex string of exactly n bytes. */
qiao_err cfg_hex(struct cfg_walk *w, const cJSON *obj, const char *key, int required, uint8_t *out,
                 size_t n, int *present);
/** A JSON value (array element) that must be a string of 20 hex bytes, not zero. */
qiao_err cfg_addr_value(struct cfg_walk *w, const cJSON *v, uint8_t out[20]);

#endif
