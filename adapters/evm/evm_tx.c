/*
 * evm_tx.c: transaction codec, signing hash and signatures (see evm_tx.h).
 *
 * Each type is a row of field identifiers in wire order, so decode, encode and the signing payload
 * share one description per type.  The signature fields (v, r, s) always come last.
 */
#include <string.h>

#include "adapters/evm/evm_tx.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"
#include "relay/core/secp.h"

enum fid { CHAIN, NONCE, GASPRICE, PRIO, MAXFEE, GAS, TO, VALUE, DATA, ACCESS, BLOBFEE, BLOBS,
           AUTH, V, R, S, END };

static const char *const fid_names[] = {
    [CHAIN] = "chainId", [NONCE] = "nonce", [GASPRICE] = "gasPrice",
    [PRIO] = "maxPriorityFeePerGas", [MAXFEE] = "maxFeePerGas", [GAS] = "gas", [TO] = "to",
    [VALUE] = "value", [DATA] = "data", [ACCESS] = "accessList", [BLOBFEE] = "maxFeePerBlobGas",
    [BLOBS] = "blobVersionedHashes", [AUTH] = "authorizationList", [V] = "v", [R] = "r", [S] = "s",
};

static const enum fid layouts[5][15] = {
    [0] = {NONCE, GASPRICE, GAS, TO, VALUE, DATA, V, R, S, END},
    [1] = {CHAIN, NONCE, GASPRICE, GAS, TO, VALUE, DATA, ACCESS, V, R, S, END},
    [2] = {CHAIN, NONCE, PRIO, MAXFEE, GAS, TO, VALUE, DATA, ACCESS, V, R, S, END},
    [3] = {CHAIN, NONCE, PRIO, MAXFEE, GAS, TO, VALUE, DATA, ACCESS, BLOBFEE, BLOBS, V, R, S, END},
    [4] = {CHAIN, NONCE, PRIO, MAXFEE, GAS, TO, VALUE, DATA, ACCESS, AUTH, V, R, S, END},
};

static size_t layout_len(unsigned type)
{
    size_t n = 0;
    while (layouts[type][n] != END)
        n++;
    return n;
}

/* ---- nested list shapes ------------------------------------------------------------------ */

static qiao_err check_access_list(const struct qiao_rlp_item *al, struct qiao_diag *d)
{
    struct qiao_rlp_iter it, kit;
    struct qiao_rlp_item entry, parts[2], key;
    size_t n;
    int have, khave;
    if (qiao_rlp_iter_init(&it, al, d))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-access-list", "accessList is not a list");
    for (;;) {
        QIAO_TRY(qiao_rlp_next(&it, &entry, &have, d));
        if (!have)
            return QIAO_OK;
        if (!entry.list || qiao_rlp_list(parts, 2, &n, &entry, d) || n != 2 || parts[0].list ||
            parts[0].len != 20 || qiao_rlp_iter_init(&kit, &parts[1], d))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-access-list",
                             "accessList entry %zu is not [address, [keys]]", it.index - 1);
        for (;;) {
            QIAO_TRY(qiao_rlp_next(&kit, &key, &khave, d));
            if (!khave)
                break;
            if (key.list || key.len != 32)
                return QIAO_FAIL(d, QIAO_EINVAL, "bad-access-list",
                                 "accessList entry %zu holds a storage key that is not 32 bytes",
                                 it.index - 1);
        }
    }
}

static qiao_err check_blob_hashes(const struct qiao_rlp_item *bl, struct qiao_diag *d)
{
    struct qiao_rlp_iter it;
    struct qiao_rlp_item h;
    int have;
    if (qiao_rlp_iter_init(&it, bl, d))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-blob-hashes", "blobVersionedHashes is not a list");
    for (;;) {
        QIAO_TRY(qiao_rlp_next(&it, &h, &have, d));
        if (!have)
            return QIAO_OK;
        if (h.list || h.len != 32)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-blob-hashes",
                             "blob hash %zu is not 32 bytes", it.index - 1);
    }
}

static qiao_err check_auth_list(const struct qiao_rlp_item *al, struct qiao_diag *d)
{
    struct qiao_rlp_iter it;
    struct qiao_rlp_item entry, f[6];
    uint8_t tmp[32];
    size_t n;
    int have;
    if (qiao_rlp_iter_init(&it, al, d))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-auth-list", "authorizationList is not a list");
    for (;;) {
        QIAO_TRY(qiao_rlp_next(&it, &entry, &have, d));
        if (!have)
            return QIAO_OK;
        int ok = entry.list && !qiao_rlp_list(f, 6, &n, &entry, NULL) && n == 6 &&
                 !qiao_rlp_uint_be(tmp, 32, &f[0], NULL) && !f[1].list && f[1].len == 20 &&
                 !qiao_rlp_uint_be(tmp, 8, &f[2], NULL) && !qiao_rlp_uint_be(tmp, 1, &f[3], NULL) &&
                 !qiao_rlp_uint_be(tmp, 32, &f[4], NULL) && !qiao_rlp_uint_be(tmp, 32, &f[5], NULL);
        if (!ok)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-auth-list", "authorization %zu is not "
                             "[chainId, address, nonce, yParity, r, s]", it.index - 1);
    }
}

/* ---- decode ------------------------------------------------------------------------------ */

static qiao_err read_to(struct qiao_evm_tx *tx, const struct qiao_rlp_item *it, struct qiao_diag *d)
{
    if (!it->list && it->len == 0) {
        if (tx->type == QIAO_EVM_TX_BLOB || tx->type == QIAO_EVM_TX_SET_CODE)
            return QIAO_FAIL(d, QIAO_EINVAL, "create-not-allowed",
                             "type %u transactions must name a recipient", tx->type);
        tx->has_to = 0;
        return QIAO_OK;
    }
    tx->has_to = 1;
    return qiao_rlp_fixed(tx->to, 20, it, d);
}

static qiao_err read_raw_list(const uint8_t **p, size_t *n, const struct qiao_rlp_item *it,
                              qiao_err (*check)(const struct qiao_rlp_item *, struct qiao_diag *),
                              struct qiao_diag *d)
{
    QIAO_TRY(check(it, d));
    *p = it->raw, *n = it->raw_len;
    return QIAO_OK;
}

static qiao_err read_field(struct qiao_evm_tx *tx, enum fid f, const struct qiao_rlp_item *it,
                           struct qiao_diag *d)
{
    switch (f) {
    case CHAIN: return qiao_rlp_u64(&tx->chain_id, it, d);
    case NONCE: return qiao_rlp_u64(&tx->nonce, it, d);
    case GASPRICE: return qiao_rlp_uint_be(tx->gas_price, 32, it, d);
    case PRIO: return qiao_rlp_uint_be(tx->max_priority_fee, 32, it, d);
    case MAXFEE: return qiao_rlp_uint_be(tx->max_fee, 32, it, d);
    case GAS: return qiao_rlp_u64(&tx->gas, it, d);
    case TO: return read_to(tx, it, d);
    case VALUE: return qiao_rlp_uint_be(tx->value, 32, it, d);
    case DATA:
        if (it->list)
            return QIAO_FAIL(d, QIAO_EINVAL, "not-a-string", "data is a list");
        tx->data = it->p, tx->data_len = it->len;
        return QIAO_OK;
    case ACCESS:
        return read_raw_list(&tx->access_list, &tx->access_list_len, it, check_access_list, d);
    case BLOBFEE: return qiao_rlp_uint_be(tx->max_fee_per_blob_gas, 32, it, d);
    case BLOBS:
        return read_raw_list(&tx->blob_hashes, &tx->blob_hashes_len, it, check_blob_hashes, d);
    case AUTH:
        return read_raw_list(&tx->auth_list, &tx->auth_list_len, it, check_auth_list, d);
    case V: return qiao_rlp_uint_be(tx->v, 32, it, d);
    case R: return qiao_rlp_uint_be(tx->r, 32, it, d);
    case S: return qiao_rlp_uint_be(tx->s, 32, it, d);
    case END: break;
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-tx-field", "unknown field");
}

static int be_is_small(const uint8_t be[32], uint64_t *v)
{
    for (int i = 0; i < 24; i++)
        if (be[i])
            return 0;
    *v = (uint64_t)qiao_load32be(be + 24) << 32 | qiao_load32be(be + 28);
    return 1;
}

/* Legacy v: 27/28 (no chain id) or 35 + 2 chainId + parity (EIP-155). */
static qiao_err legacy_chain_id(struct qiao_evm_tx *tx, struct qiao_diag *d)
{
    uint64_t v;
    if (!be_is_small(tx->v, &v) || v > UINT64_MAX - 1 || (v != 27 && v != 28 && v < 35))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-v", "legacy transaction v is neither 27/28 nor "
                         "an EIP-155 value");
    tx->chain_id = v >= 35 ? (v - 35) / 2 : 0;
    return QIAO_OK;
}

/* Shape reasons name the check better than a generic field failure. */
static int passthrough(const char *reason)
{
    return strncmp(reason, "bad-", 4) == 0 || strcmp(reason, "create-not-allowed") == 0;
}

static qiao_err decode_fields(struct qiao_evm_tx *tx, const struct qiao_rlp_item *list,
                              struct qiao_diag *d)
{
    struct qiao_rlp_item items[16];
    size_t count, want = layout_len(tx->type);
    qiao_err err = qiao_rlp_list(items, 16, &count, list, d);
    if (err)
        return qiao_diag_wrap(d, "type %u transaction", tx->type);
    if (count != want)
        return QIAO_FAIL(d, QIAO_EINVAL, "tx-field-count",
                         "type %u transaction has %zu fields, expected %zu", tx->type, count, want);
    for (size_t i = 0; i < count; i++) {
        /* Not zero-initialised: clearing ~400 bytes per field showed up in the bench. */
        struct qiao_diag inner;
        inner.reason[0] = inner.msg[0] = 0;
        enum fid f = layouts[tx->type][i];
        if (read_field(tx, f, &items[i], &inner))
            return QIAO_FAIL(d, inner.code, passthrough(inner.reason) ? inner.reason : "bad-tx-field",
                             "type %u transaction field %s: %s (%s)", tx->type, fid_names[f],
                             inner.msg, inner.reason);
    }
    tx->signed_ = 1;
    if (tx->type == QIAO_EVM_TX_LEGACY)
        return legacy_chain_id(tx, d);
    uint64_t yp;
    if (!be_is_small(tx->v, &yp) || yp > 1)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-y-parity", "type %u transaction yParity is not 0 or 1",
                         tx->type);
    return QIAO_OK;
}

qiao_err qiao_evm_tx_decode(struct qiao_evm_tx *tx, const uint8_t *raw, size_t len,
                            struct qiao_diag *d)
{
    memset(tx, 0, sizeof(*tx));
    if (len > QIAO_EVM_TX_MAX_BYTES)
        return QIAO_FAIL(d, QIAO_ERANGE, "tx-too-large", "transaction of %zu bytes exceeds %zu",
                         len, QIAO_EVM_TX_MAX_BYTES);
    if (len == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "empty", "empty transaction");
    struct qiao_rlp_item list;
    if (raw[0] >= 0xc0) {
        tx->type = QIAO_EVM_TX_LEGACY;
    } else if (raw[0] >= 1 && raw[0] <= 4) {
        tx->type = raw[0];
        raw++, len--;
    } else {
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unknown-tx-type",
                         "transaction type byte 0x%02x is not 0x01..0x04 or a legacy list", raw[0]);
    }
    qiao_err err = qiao_rlp_decode_whole(&list, raw, len, d);
    if (!err && !list.list)
        err = QIAO_FAIL(d, QIAO_EINVAL, "not-a-list", "transaction payload is not an RLP list");
    if (err)
        return qiao_diag_wrap(d, "type %u transaction", tx->type);
    return decode_fields(tx, &list, d);
}

/* ---- encode ------------------------------------------------------------------------------ */

static qiao_err put_raw_list(struct qiao_buf *b, const uint8_t *p, size_t n, struct qiao_diag *d)
{
    if (!p || n == 0)
        return qiao_rlp_put_raw(b, "\xc0", 1, d);
    return qiao_rlp_put_raw(b, p, n, d);
}

static qiao_err put_field(struct qiao_buf *b, const struct qiao_evm_tx *tx, enum fid f,
                          struct qiao_diag *d)
{
    switch (f) {
    case CHAIN: return qiao_rlp_put_u64(b, tx->chain_id, d);
    case NONCE: return qiao_rlp_put_u64(b, tx->nonce, d);
    case GASPRICE: return qiao_rlp_put_uint_be(b, tx->gas_price, 32, d);
    case PRIO: return qiao_rlp_put_uint_be(b, tx->max_priority_fee, 32, d);
    case MAXFEE: return qiao_rlp_put_uint_be(b, tx->max_fee, 32, d);
    case GAS: return qiao_rlp_put_u64(b, tx->gas, d);
    case TO: return qiao_rlp_put_bytes(b, tx->to, tx->has_to ? 20 : 0, d);
    case VALUE: return qiao_rlp_put_uint_be(b, tx->value, 32, d);
    case DATA: return qiao_rlp_put_bytes(b, tx->data, tx->data_len, d);
    case ACCESS: return put_raw_list(b, tx->access_list, tx->access_list_len, d);
    case BLOBFEE: return qiao_rlp_put_uint_be(b, tx->max_fee_per_blob_gas, 32, d);
    case BLOBS: return put_raw_list(b, tx->blob_hashes, tx->blob_hashes_len, d);
    case AUTH: return put_raw_list(b, tx->auth_list, tx->auth_list_len, d);
    case V: return qiao_rlp_put_uint_be(b, tx->v, 32, d);
    case R: return qiao_rlp_put_uint_be(b, tx->r, 32, d);
    case S: return qiao_rlp_put_uint_be(b, tx->s, 32, d);
    case END: break;
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-tx-field", "unknown field");
}

/* Append type ‖ rlp(fields), with the signature fields only when with_sig. */
static qiao_err encode(struct qiao_buf *b, const struct qiao_evm_tx *tx, int with_sig,
                       struct qiao_diag *d)
{
    if (tx->type > QIAO_EVM_TX_SET_CODE)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unknown-tx-type", "cannot encode type %u",
                         tx->type);
    if (!tx->has_to && (tx->type == QIAO_EVM_TX_BLOB || tx->type == QIAO_EVM_TX_SET_CODE))
        return QIAO_FAIL(d, QIAO_EINVAL, "create-not-allowed", "type %u needs a recipient",
                         tx->type);
    if (tx->type != QIAO_EVM_TX_LEGACY)
        QIAO_TRY(qiao_buf_push(b, tx->type, d));
    size_t start = qiao_rlp_list_begin(b);
    for (const enum fid *f = layouts[tx->type]; *f != END; f++) {
        if (!with_sig && (*f == V || *f == R || *f == S))
            continue;
        QIAO_TRY(put_field(b, tx, *f, d));
    }
    if (!with_sig && tx->type == QIAO_EVM_TX_LEGACY && tx->chain_id) {
        QIAO_TRY(qiao_rlp_put_u64(b, tx->chain_id, d)); /* EIP-155: chainId, 0, 0 */
        QIAO_TRY(qiao_rlp_put_u64(b, 0, d));
        QIAO_TRY(qiao_rlp_put_u64(b, 0, d));
    }
    return qiao_rlp_list_end(b, start, d);
}

qiao_err qiao_evm_tx_encode(struct qiao_buf *out, const struct qiao_evm_tx *tx,
                            struct qiao_diag *d)
{
    if (!tx->signed_)
        return QIAO_FAIL(d, QIAO_ESTATE, "unsigned-tx", "transaction is not signed");
    return encode(out, tx, 1, d);
}

static qiao_err hash_encoding(uint8_t out[32], const struct qiao_evm_tx *tx, int with_sig,
                              struct qiao_diag *d)
{
    struct qiao_buf b;
    qiao_buf_init(&b, QIAO_EVM_TX_MAX_BYTES + 64);
    qiao_err err = encode(&b, tx, with_sig, d);
    if (!err)
        qiao_keccak256(out, b.p, b.len);
    qiao_buf_clear(&b);
    return err;
}

qiao_err qiao_evm_tx_signing_hash(uint8_t out[32], const struct qiao_evm_tx *tx,
                                  struct qiao_diag *d)
{
    return hash_encoding(out, tx, 0, d);
}

qiao_err qiao_evm_tx_hash(uint8_t out[32], const struct qiao_evm_tx *tx, struct qiao_diag *d)
{
    if (!tx->signed_)
        return QIAO_FAIL(d, QIAO_ESTATE, "unsigned-tx", "transaction is not signed");
    return hash_encoding(out, tx, 1, d);
}

/* ---- signatures ------------------------------------------------------------------------- */

qiao_err qiao_evm_tx_sign(struct qiao_crypto *cx, struct qiao_evm_tx *tx,
                          const uint8_t seckey[32], struct qiao_diag *d)
{
    uint8_t digest[32], sig[65];
    QIAO_TRY(qiao_evm_tx_signing_hash(digest, tx, d));
    QIAO_TRY(qiao_secp_sign(cx, sig, seckey, digest, d));
    memcpy(tx->r, sig, 32);
    memcpy(tx->s, sig + 32, 32);
    uint64_t v = sig[64];
    if (tx->type == QIAO_EVM_TX_LEGACY)
        v += tx->chain_id ? 35 + 2 * tx->chain_id : 27;
    memset(tx->v, 0, 32);
    qiao_store64be(tx->v + 24, v);
    tx->signed_ = 1;
    qiao_wipe(sig, sizeof(sig));
    return QIAO_OK;
}

qiao_err qiao_evm_tx_sender(struct qiao_crypto *cx, uint8_t addr20[20],
                            const struct qiao_evm_tx *tx, struct qiao_diag *d)
{
    uint8_t digest[32], sig[65];
    uint64_t v;
    if (!tx->signed_ || !be_is_small(tx->v, &v))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-v", "transaction has no usable v");
    if (tx->type == QIAO_EVM_TX_LEGACY)
        v = tx->chain_id ? v - 35 - 2 * tx->chain_id : v - 27;
    if (v > 1)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-v", "recovery id %llu is not 0 or 1",
                         (unsigned long long)v);
    QIAO_TRY(qiao_evm_tx_signing_hash(digest, tx, d));
    memcpy(sig, tx->r, 32);
    memcpy(sig + 32, tx->s, 32);
    sig[64] = (uint8_t)v;
    return qiao_secp_recover(cx, addr20, NULL, sig, digest, d);
}
