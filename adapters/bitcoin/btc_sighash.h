/*
 * btc_sighash.h: the BIP 143 signature hash for segwit version 0 inputs (P2WPKH, P2WSH).
 *
 * Every hash type of BIP 143 is implemented (ALL, NONE, SINGLE, each optionally ANYONECANPAY) so
 * the BIP's own examples serve as known answers; Qiao's HTLC spends sign with SIGHASH_ALL only.
 * The caller passes the scriptCode without its length prefix: for P2WSH the witness script from
 * just after the last executed OP_CODESEPARATOR (the whole script when there is none, as in the
 * HTLC), for P2WPKH the implied P2PKH script.  Pure: no heap; it streams through the context's
 * SHA-256.
 */
#ifndef QIAO_BTC_SIGHASH_H
#define QIAO_BTC_SIGHASH_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_txcodec.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

#define QIAO_BTC_SIGHASH_ALL 0x01u
#define QIAO_BTC_SIGHASH_NONE 0x02u
#define QIAO_BTC_SIGHASH_SINGLE 0x03u
#define QIAO_BTC_SIGHASH_ANYONECANPAY 0x80u

/**
 * The digest input `index` of tx signs under hash_type.
 * Returns: QIAO_OK, QIAO_EINVAL "input-out-of-range".  (An out-of-range SINGLE hashes zero
 *          outputs, as BIP 143 specifies; there is no "one" bug in version 0.)
 * Out: digest.  In: script_code (no length prefix), amount (the spent output's value).
 */
qiao_err qiao_btc_sighash_v0(struct qiao_crypto *cx, uint8_t digest[32],
                             const struct qiao_btc_txn *tx, size_t index,
                             const uint8_t *script_code, size_t script_code_len, uint64_t amount,
                             uint32_t hash_type, struct qiao_diag *d);

#endif
