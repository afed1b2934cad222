/*
 * nonces.h: transaction nonces per (chain, sender address), persisted so that a restarted notary
 * never reuses a nonce it already spent on a submission the node has not mined yet.
 */
#ifndef QIAO_STORE_NONCES_H
#define QIAO_STORE_NONCES_H

#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/store/store.h"

/**
 * Reserve the next nonce: max(stored next nonce, chain_pending) where chain_pending is what the
 * node reports (eth_getTransactionCount "pending"); the stored value becomes the result + 1.
 * Out: *nonce.
 */
qiao_err qiao_store_nonce_reserve(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                                  uint64_t chain_pending, uint64_t *nonce, struct qiao_diag *d);

/** Reset the stored next nonce (after the node proved a reservation was never broadcast). */
qiao_err qiao_store_nonce_set(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                              uint64_t next, struct qiao_diag *d);

/** Out: *next, the stored next nonce, or 0 when none is stored. */
qiao_err qiao_store_nonce_peek(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                               uint64_t *next, struct qiao_diag *d);

#endif
