/*
 * ev_tsa.c: the optional RFC 3161 timestamp token, checked with OpenSSL's TS API.
 *
 * The token (a DER TimeStampToken, i.e. CMS SignedData over TSTInfo) must stamp the SHA-256 of
 * the bundle's canonical core (the bundle without "timestamp").  Checks, each with its reason:
 *   "tsa-token-malformed"   not a TimeStampToken
 *   "tsa-imprint-mismatch"  the imprint is not SHA-256 or not the core's digest
 *   "tsa-no-trust"          trust.json names no TSA certificate
 *   "tsa-cert-expired" / "tsa-cert-not-yet-valid" / "tsa-untrusted"
 *                           the signer's certificate chain, judged at the token's genTime (so a
 *                           TSA certificate that expires later does not void older tokens, and
 *                           one already expired when it signed is reported as expired)
 *   "tsa-stray-certificate" the token carries a certificate outside the verified chain (so no
 *                           byte of the token is left unchecked)
 *   "tsa-signature-invalid" the CMS signature or the ESS signing-certificate binding fails
 * Pure in the verifier's sense: parses bytes and PEM strings, no files, no network.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "relay/evidence/ev_int.h"

struct tsa {
    PKCS7 *token;
    TS_TST_INFO *info;
    X509_STORE *store;
    STACK_OF(X509) *extra; /* trust.json's certificates, offered as intermediates too */
    time_t gen;
};

static void tsa_free(struct tsa *t)
{
    TS_TST_INFO_free(t->info);
    PKCS7_free(t->token);
    X509_STORE_free(t->store);
    sk_X509_pop_free(t->extra, X509_free);
    ERR_clear_error();
}

static qiao_err parse(struct qiao_ev_run *v, struct tsa *t)
{
    const unsigned char *p = v->b->timestamp.p;
    struct tm tm;
    t->token = d2i_PKCS7(NULL, &p, (long)v->b->timestamp.len);
    if (!t->token || p != v->b->timestamp.p + v->b->timestamp.len ||
        !(t->info = PKCS7_to_TS_TST_INFO(t->token)) ||
        !ASN1_TIME_to_tm(TS_TST_INFO_get_time(t->info), &tm))
        return QIAO_EV_REJECT(v, "timestamp", "token", "tsa-token-malformed",
                              "timestamp.token is not a DER RFC 3161 TimeStampToken");
    t->gen = timegm(&tm);
    v->r->tsa_time = t->gen < 0 ? 0 : (uint64_t)t->gen;
    return QIAO_OK;
}

static qiao_err imprint(struct qiao_ev_run *v, struct tsa *t)
{
    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(t->info);
    const ASN1_OCTET_STRING *h = TS_MSG_IMPRINT_get_msg(mi);
    const X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(mi);
    const ASN1_OBJECT *oid;
    X509_ALGOR_get0(&oid, NULL, NULL, alg);
    if (OBJ_obj2nid(oid) != NID_sha256 || ASN1_STRING_length(h) != 32 ||
        memcmp(ASN1_STRING_get0_data(h), v->r->core_sha256, 32) != 0)
        return QIAO_EV_REJECT(v, "timestamp", "imprint", "tsa-imprint-mismatch",
                              "the token's message imprint is not the SHA-256 of this bundle's "
                              "canonical core");
    qiao_ev_pass(v, "timestamp", "imprint", "the token stamps the SHA-256 of the canonical core");
    return QIAO_OK;
}

static qiao_err load_trust(struct qiao_ev_run *v, struct tsa *t)
{
    if (!v->t->ntsa)
        return QIAO_EV_REJECT(v, "timestamp", "tsa-chain", "tsa-no-trust",
                              "the bundle has a timestamp token but trust.json names no TSA");
    t->store = X509_STORE_new();
    t->extra = sk_X509_new_null();
    if (!t->store || !t->extra)
        return qiao_ev_failed(v, "timestamp", "tsa-chain",
                              QIAO_FAIL(v->d, QIAO_ENOMEM, "out-of-memory", "OpenSSL store"));
    for (size_t i = 0; i < v->t->ntsa; i++) {
        BIO *bio = BIO_new_mem_buf(v->t->tsa_pem[i], -1);
        X509 *c = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        if (!c || !X509_STORE_add_cert(t->store, c) || !sk_X509_push(t->extra, c)) {
            X509_free(c);
            return QIAO_EV_REJECT(v, "timestamp", "tsa-chain", "tsa-bad-trust-cert",
                                  "trust.json tsa[%zu] is not a PEM certificate", i);
        }
    }
    X509_VERIFY_PARAM *param = X509_STORE_get0_param(t->store);
    X509_VERIFY_PARAM_set_time(param, t->gen);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_TIMESTAMP_SIGN);
    return QIAO_OK;
}

static const char *chain_reason(int e)
{
    return e == X509_V_ERR_CERT_HAS_EXPIRED       ? "tsa-cert-expired"
           : e == X509_V_ERR_CERT_NOT_YET_VALID   ? "tsa-cert-not-yet-valid"
                                                  : "tsa-untrusted";
}

/* Every certificate the token carries must be one the verified chain used: bytes of a token
 * that nothing checks could otherwise be changed without changing the verdict. */
static int only_chain_certs(X509_STORE_CTX *sc, const STACK_OF(X509) *carried)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(sc);
    for (int i = 0; i < sk_X509_num(carried); i++) {
        int found = 0;
        for (int j = 0; !found && j < sk_X509_num(chain); j++)
            found = X509_cmp(sk_X509_value(carried, i), sk_X509_value(chain, j)) == 0;
        if (!found)
            return 0;
    }
    return 1;
}

static qiao_err signer_chain(struct qiao_ev_run *v, struct tsa *t)
{
    STACK_OF(X509) *signers = PKCS7_get0_signers(t->token, t->extra, 0);
    X509 *signer = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
    X509_STORE_CTX *sc = X509_STORE_CTX_new();
    int ok = 0, e = X509_V_ERR_UNSPECIFIED, extra = 0;
    if (signer && sc && X509_STORE_CTX_init(sc, t->store, signer, t->token->d.sign->cert)) {
        X509_STORE_CTX_set0_untrusted(sc, t->token->d.sign->cert);
        ok = X509_verify_cert(sc) == 1;
        e = X509_STORE_CTX_get_error(sc);
        extra = ok && !only_chain_certs(sc, t->token->d.sign->cert);
        X509_NAME_oneline(X509_get_subject_name(signer), v->r->tsa_name,
                          sizeof(v->r->tsa_name));
    }
    X509_STORE_CTX_free(sc);
    sk_X509_free(signers);
    if (!signer)
        return QIAO_EV_REJECT(v, "timestamp", "tsa-chain", "tsa-untrusted",
                              "the token's signer certificate is neither in the token nor in "
                              "trust.json");
    if (!ok)
        return QIAO_EV_REJECT(v, "timestamp", "tsa-chain", chain_reason(e),
                              "TSA certificate %s at the token's time: %s", v->r->tsa_name,
                              X509_verify_cert_error_string(e));
    if (extra)
        return QIAO_EV_REJECT(v, "timestamp", "tsa-chain", "tsa-stray-certificate",
                              "the token carries a certificate that is not in the verified chain");
    qiao_ev_pass(v, "timestamp", "tsa-chain", "signer %s chains to a trusted TSA certificate",
                 v->r->tsa_name);
    return QIAO_OK;
}

static qiao_err signature(struct qiao_ev_run *v, struct tsa *t)
{
    TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
    int ok = 0;
    if (ctx && X509_STORE_up_ref(t->store)) {
        TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE);
        TS_VERIFY_CTX_set_store(ctx, t->store); /* the context now holds one reference */
        ok = TS_RESP_verify_token(ctx, t->token) == 1;
    }
    TS_VERIFY_CTX_free(ctx);
    if (!ok)
        return QIAO_EV_REJECT(v, "timestamp", "signature", "tsa-signature-invalid",
                              "the token's CMS signature or signing-certificate binding fails");
    qiao_ev_pass(v, "timestamp", "signature", "RFC 3161 token signed by %s", v->r->tsa_name);
    return QIAO_OK;
}

qiao_err qiao_ev_tsa_check(struct qiao_ev_run *v)
{
    struct tsa t = {0};
    qiao_err err = parse(v, &t);
    if (!err)
        err = imprint(v, &t);
    if (!err)
        err = load_trust(v, &t);
    if (!err)
        err = signer_chain(v, &t);
    if (!err)
        err = signature(v, &t);
    tsa_free(&t);
    return err;
}
