/*
 * cfg_int.h: functions shared by the config parser's files (internal to relay/config).
 */
#ifndef QIAO_CONFIG_CFG_INT_H
#define QIAO_CONFIG_CFG_INT_H

#include "relay/config/cfg_walk.h"
#include "relay/config/config.h"

/** Check url starts with scheme_a or scheme_b followed by a non-empty host, no spaces. */
qiao_err qiao_cfg_url_check(struct cfg_walk *w, const char *key, const char *url,
                            const char *scheme_a, const char *scheme_b);
/** Parse an array of URLs (already checked to be an array within its cap) into out. */
qiao_err qiao_cfg_urls(struct cfg_walk *w, const cJSON *arr, const char *key,
                       char out[][QIAO_CFG_URL_MAX], unsigned *n, const char *scheme_a,
                       const char *scheme_b);
/** "host:port" or "[v6]:port" into out ("bad-listen"). */
qiao_err qiao_cfg_listen(struct cfg_walk *w, const char *key, const char *text,
                         struct qiao_cfg_listen *out);
/** 1 when host is a loopback address or localhost. */
int qiao_cfg_is_loopback(const char *host);

/** Sections with defaults; o may be NULL when the section is optional and absent. */
qiao_err qiao_cfg_parse_store(struct cfg_walk *w, const cJSON *o, struct qiao_config *c);
qiao_err qiao_cfg_parse_api(struct cfg_walk *w, const cJSON *o, struct qiao_config *c);
qiao_err qiao_cfg_parse_mesh(struct cfg_walk *w, const cJSON *o, struct qiao_config *c);
qiao_err qiao_cfg_parse_limits(struct cfg_walk *w, const cJSON *o, struct qiao_config *c);
qiao_err qiao_cfg_parse_timeouts(struct cfg_walk *w, const cJSON *o, struct qiao_config *c);

/** Rules across fields (config_check.c). */
qiao_err qiao_cfg_check(struct cfg_walk *w, const struct qiao_config *c);

#endif
