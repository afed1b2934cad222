/*
 * btc_vec.h: shared helpers of the Bitcoin vector tests (../shared/vectors/bitcoin, real mainnet
 * data from summa-tx/bitcoin-spv).  Each file is loaded with the strict JSON parser.
 */
#ifndef QIAO_TEST_BTC_VEC_H
#define QIAO_TEST_BTC_VEC_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"

/** Parse a vector file; NULL (after a skip message) when absent. */
cJSON *btc_vec_load(const char *name);
/** Decode a hex member into a malloc'd buffer (test aborts the case on failure: returns NULL). */
uint8_t *btc_vec_hex(const cJSON *obj, const char *key, size_t *len);
/** Decode hex text into a malloc'd buffer. */
uint8_t *btc_vec_hexs(const char *hex, size_t *len);
/** Entry that may be a JSON object or a string holding JSON (spv_proofs.json mixes both). */
cJSON *btc_vec_obj(const cJSON *item);

/** spv_proofs.json cases. */
void btc_vec_proofs(struct qiao_crypto *cx);

#endif
