/*
 * exp_tsa.c: an RFC 3161 token for an exported bundle (export.h, qiao_export_timestamp).
 *
 * Why a command and not an HTTP client: the tree's HTTP client (relay/rpc) speaks JSON-RPC only,
 * and a TSA takes a binary application/timestamp-query POST.  A command covers both real uses
 * without new transport code: a local `openssl ts -reply` (what the tests run), and a remote TSA
 * through `curl -H 'Content-Type: application/timestamp-query' --data-binary @"$QIAO_TSQ" URL -o
 * "$QIAO_TSR"`.  Everything the command returns is checked here, so it is not trusted.
 *
 * The token check reuses the verifier's own RFC 3161 code (relay/evidence, ev_int.h) so that a
 * token this accepts is one `qiao verify` accepts with the same TSA certificate.
 */
#include <errno.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay/evidence/ev_int.h"
#include "relay/export/export.h"

#define TSA_REPLY_MAX ((size_t)1 << 20)

struct tsa_files {
    char dir[64], tsq[96], tsr[96];
};

static qiao_err make_request(struct qiao_buf *der, ASN1_INTEGER **nonce, const uint8_t digest[32],
                             struct qiao_diag *d)
{
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    uint8_t rnd[8];
    BIGNUM *bn = RAND_bytes(rnd, sizeof(rnd)) == 1 ? BN_bin2bn(rnd, sizeof(rnd), NULL) : NULL;
    *nonce = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    BN_free(bn);
    int ok = req && mi && alg && *nonce && TS_REQ_set_version(req, 1) &&
             X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) &&
             TS_MSG_IMPRINT_set_algo(mi, alg) && TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, 32) &&
             TS_REQ_set_msg_imprint(req, mi) && TS_REQ_set_nonce(req, *nonce) &&
             TS_REQ_set_cert_req(req, 1);
    unsigned char *p = NULL;
    int n = ok ? i2d_TS_REQ(req, &p) : -1;
    qiao_err err = n > 0 ? qiao_buf_append(der, p, (size_t)n, d)
                         : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "timestamp request");
    OPENSSL_free(p);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    TS_REQ_free(req);
    return err;
}

static qiao_err write_file(const char *path, const struct qiao_buf *b, struct qiao_diag *d)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b->p, 1, b->len, f) == b->len;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? QIAO_OK : QIAO_FAIL(d, QIAO_EIO, "write-failed", "%s: %s", path, strerror(errno));
}

static qiao_err read_file(struct qiao_buf *b, const char *path, struct qiao_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return QIAO_FAIL(d, QIAO_EIO, "tsa-command-failed", "the TSA command left no reply at "
                         "$QIAO_TSR");
    uint8_t chunk[4096];
    size_t n;
    qiao_err err = QIAO_OK;
    while (!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        err = b->len + n > TSA_REPLY_MAX
                  ? QIAO_FAIL(d, QIAO_ERANGE, "tsa-reply-malformed", "TSA reply above 1 MiB")
                  : qiao_buf_append(b, chunk, n, d);
    fclose(f);
    return err;
}

static qiao_err run_command(const char *cmd, const struct tsa_files *f, struct qiao_diag *d)
{
    pid_t pid = fork();
    if (pid < 0)
        return QIAO_FAIL(d, QIAO_EIO, "tsa-command-failed", "fork: %s", strerror(errno));
    if (pid == 0) {
        setenv("QIAO_TSQ", f->tsq, 1);
        setenv("QIAO_TSR", f->tsr, 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return QIAO_FAIL(d, QIAO_EIO, "tsa-command-failed", "the TSA command exited with status "
                         "%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return QIAO_OK;
}

/* Query the TSA through cmd.  Out: reply (TimeStampResp DER). */
static qiao_err ask(struct qiao_buf *reply, const struct qiao_buf *query, const char *cmd,
                    struct qiao_diag *d)
{
    struct tsa_files f;
    snprintf(f.dir, sizeof(f.dir), "/tmp/qiao-tsa-XXXXXX");
    if (!mkdtemp(f.dir)) /* mode 0700: nobody else can swap the files */
        return QIAO_FAIL(d, QIAO_EIO, "tsa-command-failed", "mkdtemp: %s", strerror(errno));
    snprintf(f.tsq, sizeof(f.tsq), "%s/query.tsq", f.dir);
    snprintf(f.tsr, sizeof(f.tsr), "%s/reply.tsr", f.dir);
    qiao_err err = write_file(f.tsq, query, d);
    if (!err)
        err = run_command(cmd, &f, d);
    if (!err)
        err = read_file(reply, f.tsr, d);
    unlink(f.tsq), unlink(f.tsr), rmdir(f.dir);
    return err;
}

/* The reply must grant a token for our imprint and nonce.  Out: token (DER). */
static qiao_err take_token(struct qiao_buf *token, const struct qiao_buf *reply,
                           const ASN1_INTEGER *nonce, const uint8_t digest[32], struct qiao_diag *d)
{
    const unsigned char *p = reply->p;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)reply->len);
    qiao_err err = resp && p == reply->p + reply->len
                       ? QIAO_OK
                       : QIAO_FAIL(d, QIAO_EINVAL, "tsa-reply-malformed", "the TSA reply is not "
                                   "one DER TimeStampResp");
    long status = err ? -1 : ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp)));
    TS_TST_INFO *tst = err ? NULL : TS_RESP_get_tst_info(resp);
    if (!err && ((status != 0 && status != 1) || !tst || !TS_RESP_get_token(resp)))
        err = QIAO_FAIL(d, QIAO_EVERIFY, "tsa-not-granted", "the TSA refused (status %ld)", status);
    if (!err) {
        const ASN1_INTEGER *got = TS_TST_INFO_get_nonce(tst);
        ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(tst));
        if (!got || ASN1_INTEGER_cmp(got, nonce) != 0)
            err = QIAO_FAIL(d, QIAO_EVERIFY, "tsa-nonce-mismatch", "the token's nonce is not ours");
        else if (ASN1_STRING_length(msg) != 32 || memcmp(ASN1_STRING_get0_data(msg), digest, 32))
            err = QIAO_FAIL(d, QIAO_EVERIFY, "tsa-imprint-mismatch", "the token stamps another "
                            "digest");
    }
    unsigned char *der = NULL;
    int n = err ? 0 : i2d_PKCS7(TS_RESP_get_token(resp), &der);
    if (!err)
        err = n > 0 ? qiao_buf_append(token, der, (size_t)n, d)
                    : QIAO_FAIL(d, QIAO_EINVAL, "tsa-reply-malformed", "token encoding");
    OPENSSL_free(der);
    TS_RESP_free(resp);
    return err;
}

/* The verifier's own RFC 3161 check against tsa_pem, on the bundle with its token. */
static qiao_err check_token(struct qiao_crypto *cx, const struct qiao_ev_bundle *b,
                            const uint8_t core[32], const char *tsa_pem, struct qiao_diag *d)
{
    struct qiao_ev_trust *t = calloc(1, sizeof(*t));
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    qiao_err err = QIAO_OK;
    if (!t || !r)
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "timestamp check");
    if (!err) {
        t->tsa_pem[0] = (char *)tsa_pem; /* borrowed: not cleared below */
        t->ntsa = 1;
        memcpy(r->core_sha256, core, 32); /* the verifier fills this before its token check */
        struct qiao_ev_run v = {.cx = cx, .r = r, .b = b, .t = t, .d = d};
        err = qiao_ev_tsa_check(&v);
    }
    free(t), free(r);
    return err;
}

static qiao_err stamp(struct qiao_buf *out, struct qiao_ev_bundle *b, struct qiao_crypto *cx,
                      const char *cmd, const char *tsa_pem, struct qiao_diag *d)
{
    uint8_t digest[32];
    ASN1_INTEGER *nonce = NULL;
    struct qiao_buf query = {0}, reply = {0}, token = {0};
    qiao_err err = qiao_ev_core_digest(cx, digest, b, d);
    if (!err)
        err = make_request(&query, &nonce, digest, d);
    if (!err)
        err = ask(&reply, &query, cmd, d);
    if (!err)
        err = take_token(&token, &reply, nonce, digest, d);
    if (!err)
        err = qiao_ev_bytes_set(&b->timestamp, token.p, token.len, d);
    if (!err && tsa_pem)
        err = check_token(cx, b, digest, tsa_pem, d);
    if (!err)
        err = qiao_ev_build(out, b, 1, d);
    ASN1_INTEGER_free(nonce);
    qiao_buf_clear(&query), qiao_buf_clear(&reply), qiao_buf_clear(&token);
    return err;
}

qiao_err qiao_export_timestamp(struct qiao_buf *out, const char *bundle, size_t len,
                               const char *cmd, const char *tsa_pem, struct qiao_diag *d)
{
    struct qiao_ev_bundle b = {0};
    struct qiao_crypto *cx = qiao_crypto_create();
    qiao_err err = cx ? qiao_ev_parse(&b, bundle, len, d)
                      : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "crypto context");
    if (!err)
        err = stamp(out, &b, cx, cmd, tsa_pem, d);
    qiao_ev_bundle_clear(&b);
    qiao_crypto_destroy(cx);
    return err;
}
