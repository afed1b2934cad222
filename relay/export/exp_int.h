/*
 * exp_int.h: what the exporter's files share (internal to relay/export).
 */
#ifndef QIAO_EXP_INT_H
#define QIAO_EXP_INT_H

#include "adapters/evm/evm_source.h"
#include "relay/export/export.h"

/** Connect an EVM source to chain c's first endpoint (HTTP preferred); not anchored. */
qiao_err qiao_exp_source_open(struct qiao_evm_source **out, struct lws_context *lws,
                              const struct qiao_config *cfg, const struct qiao_cfg_chain *c,
                              struct qiao_diag *d);

/**
 * The trusted checkpoint of c: the config's height (else 0) and hash (else, or when zero, the
 * node's block at that height).  Out: *height, hash.
 */
qiao_err qiao_exp_checkpoint(uint64_t *height, uint8_t hash[32], struct qiao_evm_source *s,
                             const struct qiao_cfg_chain *c, struct qiao_diag *d);

#endif
