/* attest.c: message ids, attestation and committee digests, certificates (see attest.h). */
#include "relay/notary/attest.h"

#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "relay/notary/abi.h"

static const char attest_domain[] = "Qiao attestation v1"; /* 19 bytes, no terminator hashed */
static const char committee_domain[] = "Qiao committee v1";  /* 17 bytes */
static const uint8_t zero20[20];

/* Name the failing signature's index in d's message; returns e unchanged. */
static qiao_err wrap_index(struct qiao_diag *d, qiao_err e, const char *what, size_t i)
{
    if (d)
        qiao_diag_wrap(d, "%s %zu", what, i);
    return e;
}

void qiao_msg_id(uint8_t id[32], const struct qiao_message *m)
{
    uint8_t w[8][32];
    qiao_abi_put_u64(w[0], m->version);
    qiao_abi_put_u64(w[1], m->src_chain_id);
    qiao_abi_put_address(w[2], m->src_emitter);
    qiao_abi_put_u64(w[3], m->seq);
    qiao_abi_put_u64(w[4], m->dst_chain_id);
    qiao_abi_put_address(w[5], m->sender);
    qiao_abi_put_address(w[6], m->receiver);
    memcpy(w[7], m->payload_hash, 32);
    qiao_keccak256(id, w, sizeof(w));
}

qiao_err qiao_msg_check(const struct qiao_message *m, struct qiao_diag *d)
{
    if (m->version != QIAO_MSG_VERSION)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-version", "message version %u is not %u",
                         m->version, QIAO_MSG_VERSION);
    if (m->payload_len > QIAO_MSG_PAYLOAD_MAX)
        return QIAO_FAIL(d, QIAO_EVERIFY, "payload-too-large", "payload of %zu bytes exceeds %d",
                         m->payload_len, QIAO_MSG_PAYLOAD_MAX);
    if (m->payload_len > 0 && m->payload == NULL)
        return QIAO_FAIL(d, QIAO_EINVAL, "payload-missing", "payload of %zu bytes not supplied",
                         m->payload_len);
    uint8_t h[32];
    qiao_keccak256(h, m->payload, m->payload_len);
    if (memcmp(h, m->payload_hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-payload-hash",
                         "keccak256 of the %zu-byte payload differs from payloadHash",
                         m->payload_len);
    return QIAO_OK;
}

qiao_err qiao_msg_check_route(const struct qiao_message *m, uint64_t dst_chain_id,
                              const uint8_t trusted_emitter[20], struct qiao_diag *d)
{
    if (m->dst_chain_id != dst_chain_id)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-destination",
                         "message is for chain %llu, not %llu",
                         (unsigned long long)m->dst_chain_id, (unsigned long long)dst_chain_id);
    if (trusted_emitter == NULL || memcmp(trusted_emitter, zero20, 20) == 0 ||
        memcmp(trusted_emitter, m->src_emitter, 20) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "unknown-source",
                         "emitter is not the Outbox trusted for source chain %llu",
                         (unsigned long long)m->src_chain_id);
    return QIAO_OK;
}

void qiao_attest_digest(uint8_t digest[32], const uint8_t committee_id[32], uint64_t epoch,
                        const uint8_t msg_id[32])
{
    uint8_t pre[1 + sizeof(attest_domain) - 1 + 32 + 8 + 32];
    size_t o = 0;
    pre[o++] = 0x19;
    memcpy(pre + o, attest_domain, sizeof(attest_domain) - 1), o += sizeof(attest_domain) - 1;
    memcpy(pre + o, committee_id, 32), o += 32;
    qiao_store64be(pre + o, epoch), o += 8;
    memcpy(pre + o, msg_id, 32), o += 32;
    qiao_keccak256(digest, pre, o);
}

qiao_err qiao_committee_check(const struct qiao_committee *c, struct qiao_diag *d)
{
    if (c->n == 0 || c->members == NULL)
        return QIAO_FAIL(d, QIAO_EINVAL, "committee-empty", "committee has no members");
    if (c->n > QIAO_COMMITTEE_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "committee-too-large", "committee of %zu exceeds %d",
                         c->n, QIAO_COMMITTEE_MAX);
    for (size_t i = 0; i < c->n; i++) {
        if (memcmp(c->members[i], zero20, 20) == 0)
            return QIAO_FAIL(d, QIAO_EINVAL, "member-zero", "members[%zu] is the zero address", i);
        if (i > 0 && memcmp(c->members[i], c->members[i - 1], 20) <= 0)
            return QIAO_FAIL(d, QIAO_EINVAL, "members-not-ascending",
                             "members[%zu] is not above members[%zu]", i, i - 1);
    }
    if (c->k == 0 || c->k > c->n)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-threshold", "threshold %u is not in 1..%zu", c->k,
                         c->n);
    return QIAO_OK;
}

int qiao_committee_is_member(const struct qiao_committee *c, const uint8_t addr[20])
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = memcmp(c->members[mid], addr, 20);
        if (cmp == 0)
            return 1;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

qiao_err qiao_committee_digest(uint8_t digest[32], const struct qiao_committee *next,
                               struct qiao_diag *d)
{
    QIAO_TRY(qiao_committee_check(next, d));
    uint8_t head[1 + sizeof(committee_domain) - 1 + 32 + 8 + 2];
    size_t o = 0;
    head[o++] = 0x19;
    memcpy(head + o, committee_domain, sizeof(committee_domain) - 1);
    o += sizeof(committee_domain) - 1;
    memcpy(head + o, next->id, 32), o += 32;
    qiao_store64be(head + o, next->epoch), o += 8;
    head[o++] = (uint8_t)(next->k >> 8);
    head[o++] = (uint8_t)next->k; /* k <= n <= 64 so it fits uint16 */
    struct qiao_keccak k;
    qiao_keccak_init(&k);
    qiao_keccak_update(&k, head, o);
    qiao_keccak_update(&k, next->members, next->n * 20);
    qiao_keccak_final(&k, digest);
    return QIAO_OK;
}

qiao_err qiao_attest_sign(struct qiao_crypto *cx, uint8_t sig65[65], const uint8_t seckey[32],
                          const uint8_t digest[32], struct qiao_diag *d)
{
    QIAO_TRY(qiao_secp_sign(cx, sig65, seckey, digest, d));
    sig65[64] = (uint8_t)(sig65[64] + 27);
    return QIAO_OK;
}

qiao_err qiao_attest_recover(struct qiao_crypto *cx, uint8_t signer[20], const uint8_t sig65[65],
                             const uint8_t digest[32], struct qiao_diag *d)
{
    QIAO_TRY(qiao_secp_sig_check(sig65, d));
    if (sig65[64] != 27 && sig65[64] != 28)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-v", "v is %u, not 27 or 28", sig65[64]);
    uint8_t core[65];
    memcpy(core, sig65, 64);
    core[64] = (uint8_t)(sig65[64] - 27);
    struct qiao_diag inner = {0};
    if (qiao_secp_recover(cx, signer, NULL, core, digest, &inner) != QIAO_OK)
        return QIAO_FAIL(d, QIAO_EVERIFY, "zero-signer",
                         "no public key recovers from the signature (ecrecover gives 0): %s",
                         inner.reason);
    return QIAO_OK;
}

qiao_err qiao_attest_verify(struct qiao_crypto *cx, const struct qiao_committee *c,
                            const uint8_t msg_id[32], const uint8_t sig65[65], uint8_t signer[20],
                            struct qiao_diag *d)
{
    uint8_t digest[32], who[20];
    char hex[43];
    QIAO_TRY(qiao_committee_check(c, d));
    qiao_attest_digest(digest, c->id, c->epoch, msg_id);
    QIAO_TRY(qiao_attest_recover(cx, who, sig65, digest, d));
    if (!qiao_committee_is_member(c, who)) {
        qiao_hex_encode0x(hex, who, 20);
        return QIAO_FAIL(d, QIAO_EVERIFY, "not-member", "signer %s is not a member of epoch %llu",
                         hex, (unsigned long long)c->epoch);
    }
    if (signer)
        memcpy(signer, who, 20);
    return QIAO_OK;
}

qiao_err qiao_cert_verify_digest(struct qiao_crypto *cx, const struct qiao_committee *c,
                                 const uint8_t digest[32], const uint8_t *sigs, size_t sigs_len,
                                 uint8_t (*signers)[20], size_t *count, struct qiao_diag *d)
{
    uint8_t prev[20] = {0}, who[20];
    char hex[43];
    QIAO_TRY(qiao_committee_check(c, d));
    if (sigs_len % QIAO_SIG_LEN != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "sigs-length",
                         "certificate of %zu bytes is not a multiple of 65", sigs_len);
    size_t got = sigs_len / QIAO_SIG_LEN;
    if (got > c->n)
        return QIAO_FAIL(d, QIAO_EVERIFY, "too-many-signatures",
                         "%zu signatures for a committee of %zu", got, c->n);
    for (size_t i = 0; i < got; i++) {
        qiao_err e = qiao_attest_recover(cx, who, sigs + i * QIAO_SIG_LEN, digest, d);
        if (e != QIAO_OK)
            return wrap_index(d, e, "signature", i);
        /* The zero address is below every signer, so "strictly above prev" also rejects it. */
        if (memcmp(who, prev, 20) <= 0)
            return QIAO_FAIL(d, QIAO_EVERIFY, "signers-not-ascending",
                             "signature %zu: signer is not above the previous signer", i);
        if (!qiao_committee_is_member(c, who)) {
            qiao_hex_encode0x(hex, who, 20);
            return QIAO_FAIL(d, QIAO_EVERIFY, "not-member",
                             "signature %zu: signer %s is not a member of epoch %llu", i, hex,
                             (unsigned long long)c->epoch);
        }
        memcpy(prev, who, 20);
        if (signers)
            memcpy(signers[i], who, 20);
    }
    if (got < c->k)
        return QIAO_FAIL(d, QIAO_EVERIFY, "below-threshold", "%zu signatures, threshold is %u",
                         got, c->k);
    if (count)
        *count = got;
    return QIAO_OK;
}

qiao_err qiao_cert_verify(struct qiao_crypto *cx, const struct qiao_committee *c,
                          const uint8_t msg_id[32], const uint8_t *sigs, size_t sigs_len,
                          uint8_t (*signers)[20], size_t *count, struct qiao_diag *d)
{
    uint8_t digest[32];
    qiao_attest_digest(digest, c->id, c->epoch, msg_id);
    return qiao_cert_verify_digest(cx, c, digest, sigs, sigs_len, signers, count, d);
}

/* One recovered attestation while a certificate is assembled. */
struct cert_entry {
    uint8_t signer[20];
    uint8_t sig[65];
};

/* Insert e into the sorted run a[0..*n), dropping it when its signer is already there. */
static void cert_insert(struct cert_entry *a, size_t *n, const struct cert_entry *e)
{
    size_t i = *n;
    while (i > 0 && memcmp(a[i - 1].signer, e->signer, 20) > 0)
        i--;
    if (i > 0 && memcmp(a[i - 1].signer, e->signer, 20) == 0)
        return;
    memmove(&a[i + 1], &a[i], (*n - i) * sizeof(*a));
    a[i] = *e;
    (*n)++;
}

qiao_err qiao_cert_build(struct qiao_crypto *cx, const struct qiao_committee *c,
                         const uint8_t digest[32], const uint8_t (*attestations)[65], size_t nsigs,
                         size_t want, uint8_t *out, size_t cap, size_t *out_len,
                         struct qiao_diag *d)
{
    struct cert_entry sorted[QIAO_COMMITTEE_MAX], e;
    size_t n = 0;
    char hex[43];
    QIAO_TRY(qiao_committee_check(c, d));
    if (nsigs > QIAO_COMMITTEE_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-signatures", "%zu attestations exceed %d",
                         nsigs, QIAO_COMMITTEE_MAX);
    for (size_t i = 0; i < nsigs; i++) {
        qiao_err err = qiao_attest_recover(cx, e.signer, attestations[i], digest, d);
        if (err != QIAO_OK)
            return wrap_index(d, err, "attestation", i);
        if (!qiao_committee_is_member(c, e.signer)) {
            qiao_hex_encode0x(hex, e.signer, 20);
            return QIAO_FAIL(d, QIAO_EVERIFY, "not-member",
                             "attestation %zu: signer %s is not a member", i, hex);
        }
        memcpy(e.sig, attestations[i], 65);
        cert_insert(sorted, &n, &e);
    }
    if (n < c->k)
        return QIAO_FAIL(d, QIAO_EVERIFY, "below-threshold",
                         "%zu distinct member signatures, threshold is %u", n, c->k);
    if (want != 0 && want < n)
        n = want < c->k ? c->k : want;
    if (cap < n * QIAO_SIG_LEN)
        return QIAO_FAIL(d, QIAO_ERANGE, "cert-buffer-small", "certificate needs %zu bytes, have %zu",
                         n * (size_t)QIAO_SIG_LEN, cap);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * QIAO_SIG_LEN, sorted[i].sig, QIAO_SIG_LEN);
    *out_len = n * QIAO_SIG_LEN;
    return QIAO_OK;
}
