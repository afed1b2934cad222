/*
 * tsa.c: RFC 3161 timestamp tokens made by OpenSSL's own `openssl ts` acting as the TSA.
 *
 * In a scratch directory the openssl CLI makes a CA, a TSA certificate (extendedKeyUsage
 * critical timeStamping) and a second TSA certificate that expired in 2021 (`openssl ca
 * -startdate/-enddate`).  Tokens are requested for the SHA-256 of the bundle's canonical core:
 * a valid token verifies; a token over another digest is "tsa-imprint-mismatch"; a token signed
 * with the expired certificate is "tsa-cert-expired"; a token with no TSA in trust.json is
 * "tsa-no-trust"; and a flipped token byte is rejected naming the timestamp component.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "live.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/qt.h"

static const char CA_CNF[] =
    "[ca]\ndefault_ca=ca_default\n[ca_default]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\n"
    "serial=serial\ndefault_md=sha256\npolicy=pol\nunique_subject=no\n[pol]\n"
    "commonName=supplied\n[tsa_ext]\nbasicConstraints=critical,CA:FALSE\n"
    "keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n";
static const char TSA_CNF[] =
    "[tsa]\ndefault_tsa=tsa1\n[tsa1]\nserial=tsaserial\nsigner_cert=tsa.pem\ncerts=ca.pem\n"
    "signer_key=tsa.key\nsigner_digest=sha256\ndefault_policy=1.2.3.4.1\ndigests=sha256\n"
    "accuracy=secs:1\ness_cert_id_alg=sha256\n";

static int sh(const char *dir, const char *cmd)
{
    char line[2048];
    snprintf(line, sizeof(line), "cd %s && ( %s ) >> openssl.log 2>&1", dir, cmd);
    return system(line);
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int make_pki(const char *dir)
{
    static const char *steps[] = {
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
        "-out ca.pem -subj '/CN=Qiao Test TSA CA' -days 3650 "
        "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign",
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key "
        "-out tsa.csr -subj '/CN=Qiao Test TSA'",
        "openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out tsa.pem "
        "-days 365 -extfile ca.cnf -extensions tsa_ext",
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout old.key "
        "-out old.csr -subj '/CN=Qiao Expired TSA'",
        "rm -f index.txt* serial* && touch index.txt && echo 01 > serial && echo 01 > tsaserial",
        "openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in old.csr -out old.pem "
        "-startdate 20200101000000Z -enddate 20210101000000Z -extensions tsa_ext -notext",
    };
    put(dir, "ca.cnf", CA_CNF);
    put(dir, "tsa.cnf", TSA_CNF);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (sh(dir, steps[i]) != 0) {
            fprintf(stderr, "openssl step %zu failed (see %s/openssl.log)\n", i, dir);
            return -1;
        }
    return 0;
}

/* A token for digest from the TSA (signer "tsa" or "old").  Out: tok (owned bytes). */
static int stamp(const char *dir, struct qiao_ev_bytes *tok, const uint8_t digest[32],
                 const char *signer)
{
    char hex[65], cmd[1024], path[1024];
    qiao_hex_encode(hex, digest, 32);
    snprintf(cmd, sizeof(cmd), "openssl ts -query -digest %s -sha256 -cert -out q.tsq && "
             "openssl ts -reply -config tsa.cnf -queryfile q.tsq -signer %s.pem -inkey %s.key "
             "-token_out -out tok.der", hex, signer, signer);
    if (sh(dir, cmd) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/tok.der", dir);
    size_t n = 0;
    char *der = qt_read_file(path, &n);
    int rc = der && n ? (int)qiao_ev_bytes_set(tok, der, n, NULL) : -1;
    free(der);
    return rc;
}

static void expect(const char *what, const struct qiao_ev_bundle *b,
                   const struct qiao_ev_trust *t, int verdict, const char *reason)
{
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    int v = verify_bundle(b, t, r);
    int ok = v == verdict && (!reason || (r->fail_component &&
                                          !strcmp(r->fail_component, "timestamp") &&
                                          !strcmp(r->fail.reason, reason)));
    QT_CHECKF(ok, "%s: verdict %d, failed %s (%s: %s), want %d %s", what, v,
              r->fail_component ? r->fail_component : "-", r->fail.reason, r->fail.msg, verdict,
              reason ? reason : "");
    if (!reason && v == QIAO_EV_VERIFIED)
        QT_CHECKF(r->has_timestamp && r->tsa_time > 1700000000 &&
                      strstr(r->tsa_name, "Qiao Test TSA"),
                  "report carries the token's time and TSA (%s)", r->tsa_name);
    free(r);
}

static int trust_with_tsa(struct qiao_ev_trust *t, const char *trust_text, const char *dir)
{
    char path[1024];
    size_t n = 0;
    snprintf(path, sizeof(path), "%s/ca.pem", dir);
    char *pem = qt_read_file(path, &n);
    cJSON *j = cJSON_Parse(trust_text), *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(pem ? pem : ""));
    cJSON_AddItemToObject(j, "tsa", a);
    char *text = cJSON_Print(j);
    struct qiao_diag d = {0};
    int rc = qiao_ev_trust_parse(t, text, strlen(text), &d) ? -1 : 0;
    QT_CHECKF(rc == 0, "trust with tsa: %s", d.msg);
    snprintf(path, sizeof(path), "%s/trust-tsa.json", dir);
    FILE *f = fopen(path, "w");
    if (f)
        fputs(text, f), fclose(f);
    free(text);
    free(pem);
    cJSON_Delete(j);
    return rc;
}

void tsa_run(const struct qiao_ev_bundle *b, const char *trust_text, const char *out)
{
    char dir[512];
    struct qiao_ev_trust t, bare;
    struct qiao_ev_bundle x;
    uint8_t core[32], other[32];
    snprintf(dir, sizeof(dir), "%s/tsa", out);
    mkdir(dir, 0755);
    if (system("openssl version > /dev/null 2>&1") != 0) {
        qt_skip("RFC 3161", "the openssl command is not installed");
        return;
    }
    QT_CHECK(make_pki(dir) == 0);
    QT_CHECK(trust_with_tsa(&t, trust_text, dir) == 0);
    QT_CHECK(qiao_ev_trust_parse(&bare, trust_text, strlen(trust_text), NULL) == QIAO_OK);
    QT_CHECK(bundle_copy(&x, b) == 0);
    QT_CHECK(qiao_ev_core_digest(g_cx, core, &x, NULL) == QIAO_OK);
    QT_CHECK(stamp(dir, &x.timestamp, core, "tsa") == 0);
    expect("valid token", &x, &t, QIAO_EV_VERIFIED, NULL);
    expect("token without a trusted TSA", &x, &bare, QIAO_EV_REJECTED, "tsa-no-trust");
    props_run("evm with RFC 3161 token", &x, &t);
    memcpy(other, core, 32);
    other[0] ^= 0xff;
    QT_CHECK(stamp(dir, &x.timestamp, other, "tsa") == 0);
    expect("token over another digest", &x, &t, QIAO_EV_REJECTED, "tsa-imprint-mismatch");
    QT_CHECK(stamp(dir, &x.timestamp, core, "old") == 0);
    expect("token by an expired TSA certificate", &x, &t, QIAO_EV_REJECTED, "tsa-cert-expired");
    qiao_ev_bundle_clear(&x);
    qiao_ev_trust_clear(&t);
    qiao_ev_trust_clear(&bare);
}
