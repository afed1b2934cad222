/*
 * test_export_live.c: evidence export from a running notary, end to end.  One `qiao run` notary
 * (a committee of one, k = 1) on two real anvil chains delivers a message; then
 *   - `qiao evidence trust --config` writes trust.json;
 *   - `qiao evidence export --config` (in process, reading the live store) writes a bundle that
 *     `qiao verify` and the pure `qiao-verify` accept (exit 0);
 *   - a flipped byte in each of several components is rejected (exit 1) with the right reason;
 *   - `qiao evidence export --api` (the daemon's evidence.export job) writes the same bytes;
 *   - the API refuses an unknown id and a message that is not delivered;
 *   - with `openssl ts` as the TSA (--tsa-cmd), the stamped bundle verifies with the TSA in the
 *     trust file, and a TSA reply for another query is refused.
 * Nothing is mocked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "relay/core/hex.h"
#include "tests/qt.h"
#include "tests/support/proc.h"
#include "tnet.h"

static struct tnet T;
static char g_dir[300];
static char g_id[67];

/* Run a shell command; its exit status (or -1). */
static int run(const char *fmt, const char *a, const char *b, const char *c)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), fmt, a, b, c);
    int st = system(cmd);
    return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", g_dir, name);
}

static int verify(const char *bundle, const char *trust, const char *log)
{
    char b[400], t[400], l[400];
    path(b, sizeof(b), bundle), path(t, sizeof(t), trust), path(l, sizeof(l), log);
    return run(QIAO_BINARY_DIR "/qiao verify %s --trust %s > %s 2>&1", b, t, l);
}

static int log_has(const char *log, const char *needle)
{
    char p[400];
    size_t n = 0;
    path(p, sizeof(p), log);
    char *text = qt_read_file(p, &n);
    int found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

/* Deliver one message and wait until the notary has it as delivered, plus 3 more blocks. */
static int deliver(void)
{
    uint8_t id[32];
    char st[16];
    if (tnet_send(&T, 0, 1, "{\"batch\":\"CC-2024-0117\",\"quarantine\":\"pass\"}", id))
        return -1;
    qiao_hex_encode0x(g_id, id, 32);
    if (tnet_wait_consumed(&T, 1, (const uint8_t(*)[32])id, 1, 60000))
        return -1;
    for (int i = 0; i < 100 && strcmp(tnet_msg_state(&T, 0, id, st), "delivered"); i++)
        tnet_sleep(100);
    for (int i = 0; i < 3; i++)
        tnet_mine(&T);
    return strcmp(st, "delivered") ? -1 : 0;
}

static void test_trust_and_export(void)
{
    char trust[400], out[400];
    path(trust, sizeof(trust), "trust.json");
    path(out, sizeof(out), "bundle.json");
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao evidence trust --config %s -o %s%s", T.notaries[0].cfg,
                 trust, "") == 0);
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao evidence export %s -o %s --config %s", g_id, out,
                 T.notaries[0].cfg) == 0);
    QT_CHECKF(verify("bundle.json", "trust.json", "verify.log") == 0, "qiao verify (see %s)",
              g_dir);
    QT_CHECK(log_has("verify.log", "delivery"));
    char l[400];
    path(l, sizeof(l), "verify2.log");
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao-verify %s --trust %s > %s 2>&1", out, trust, l) == 0);
}

/* Flip one hex digit of the n-th occurrence of key's value; keeps the JSON canonical. */
static int tamper(const char *src, const char *dst, const char *key, size_t skip)
{
    char s[400], t[400];
    size_t n = 0;
    path(s, sizeof(s), src), path(t, sizeof(t), dst);
    char *text = qt_read_file(s, &n);
    char *p = text ? strstr(text, key) : NULL;
    if (!p)
        return free(text), -1;
    p += strlen(key) + skip;
    *p = *p == '0' ? '1' : '0';
    FILE *f = fopen(t, "w");
    if (f) {
        fwrite(text, 1, n, f);
        fclose(f);
    }
    free(text);
    return f ? 0 : -1;
}

static void test_tamper(void)
{
    static const struct {
        const char *key, *reason;
        size_t skip;
    } flips[] = {
        {"\"sha256\":\"0x", "record-hash-mismatch", 5},
        {"\"payload\":\"0x", "record-hash-mismatch", 7},
        {"\"signatures\":[\"0x", "", 9},
        {"\"receiptProof\":\"0x", "", 40},
        {"\"headers\":[\"0x", "checkpoint-mismatch", 30},
        {"\"logIndex\":\"", "", 0},
    };
    for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        QT_CHECK(tamper("bundle.json", "bad.json", flips[i].key, flips[i].skip) == 0);
        int rc = verify("bad.json", "trust.json", "bad.log");
        QT_CHECKF(rc == 1, "flip in %s: exit %d (want 1)", flips[i].key, rc);
        QT_CHECKF(!*flips[i].reason || log_has("bad.log", flips[i].reason), "flip in %s: %s",
                  flips[i].key, flips[i].reason);
    }
}

static void test_api(void)
{
    char out[400], ref[400], api[64];
    path(out, sizeof(out), "bundle-api.json");
    path(ref, sizeof(ref), "bundle.json");
    snprintf(api, sizeof(api), "http://127.0.0.1:%d", T.notaries[0].api_port);
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao evidence export %s -o %s --api %s", g_id, out, api) == 0);
    size_t n1 = 0, n2 = 0;
    char *a = qt_read_file(out, &n1), *b = qt_read_file(ref, &n2);
    QT_CHECKF(a && b && n1 == n2 && memcmp(a, b, n1) == 0,
              "API export is byte-identical to the --config export (%zu vs %zu bytes)", n1, n2);
    free(a), free(b);
    QT_CHECK(verify("bundle-api.json", "trust.json", "verify-api.log") == 0);

    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "id", "0x" "11111111111111111111111111111111"
                                     "11111111111111111111111111111111");
    QT_CHECK(tnet_api(&T, 0, "evidence.export", p) == NULL); /* no-such-message */
    QT_CHECK(tnet_api(&T, 0, "evidence.export", cJSON_CreateObject()) == NULL);
}

static const char TSA_CNF[] =
    "[tsa]\ndefault_tsa=tsa1\n[tsa1]\nserial=tsaserial\nsigner_cert=tsa.pem\ncerts=ca.pem\n"
    "signer_key=tsa.key\nsigner_digest=sha256\ndefault_policy=1.2.3.4.1\ndigests=sha256\n"
    "accuracy=secs:1\ness_cert_id_alg=sha256\n";
static const char EXT_CNF[] =
    "[tsa_ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
    "extendedKeyUsage=critical,timeStamping\n";

static int make_tsa(void)
{
    char p[400];
    path(p, sizeof(p), "tsa.cnf");
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    fputs(TSA_CNF, f);
    fclose(f);
    path(p, sizeof(p), "ext.cnf");
    if (!(f = fopen(p, "w")))
        return -1;
    fputs(EXT_CNF, f);
    fclose(f);
    return run("cd %s && ( echo 01 > tsaserial && "
               "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
               "-out ca.pem -subj '/CN=Export Test TSA CA' -days 30 "
               "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign && "
               "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key "
               "-out tsa.csr -subj '/CN=Export Test TSA' && "
               "openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out tsa.pem "
               "-days 30 -extfile ext.cnf -extensions tsa_ext ) > openssl.log 2>&1%s%s",
               g_dir, "", "");
}

static void test_tsa(void)
{
    char cmd[1200], trust[400], out[400], cfgarg[1200];
    if (system("openssl version > /dev/null 2>&1") != 0 || make_tsa() != 0) {
        qt_skip("RFC 3161", "the openssl command is missing or failed (see openssl.log)");
        return;
    }
    path(trust, sizeof(trust), "trust-tsa.json");
    path(out, sizeof(out), "bundle-tsa.json");
    snprintf(cfgarg, sizeof(cfgarg), "%s --tsa-cert %s/ca.pem", T.notaries[0].cfg, g_dir);
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao evidence trust --config %s -o %s%s", cfgarg, trust, "") == 0);
    snprintf(cmd, sizeof(cmd), "cd %s && openssl ts -reply -config tsa.cnf -queryfile \"$QIAO_TSQ\" "
             "-out \"$QIAO_TSR\" 2>>openssl.log", g_dir);
    char full[4096];
    snprintf(full, sizeof(full), "%s --tsa-cmd '%s' --tsa-cert %s/ca.pem", T.notaries[0].cfg,
             cmd, g_dir);
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao evidence export %s -o %s --config %s", g_id, out, full) == 0);
    QT_CHECK(verify("bundle-tsa.json", "trust-tsa.json", "verify-tsa.log") == 0);
    QT_CHECK(log_has("verify-tsa.log", "Export Test TSA"));
    /* Without the TSA in trust.json the token is reported, and the bundle rejected. */
    QT_CHECK(verify("bundle-tsa.json", "trust.json", "verify-notsa.log") == 1);
    QT_CHECK(log_has("verify-notsa.log", "tsa-no-trust"));
    /* A TSA that answers another query (its own digest, no nonce) is refused. */
    snprintf(cmd, sizeof(cmd), "cd %s && openssl ts -query -digest %064d -sha256 -cert -out other.tsq"
             " && openssl ts -reply -config tsa.cnf -queryfile other.tsq -out \"$QIAO_TSR\"", g_dir, 7);
    snprintf(full, sizeof(full), "%s --tsa-cmd '%s' > %s/tsa-bad.log 2>&1", T.notaries[0].cfg,
             cmd, g_dir);
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao evidence export %s -o %s.bad --config %s", g_id, out,
                 full) == 1);
    QT_CHECK(log_has("tsa-bad.log", "tsa-nonce-mismatch"));
}

static void test_not_delivered(void)
{
    /* A message still waiting for its source confirmations is not exportable yet. */
    uint8_t id[32];
    char hex[67], out[400];
    QT_CHECK(tnet_send(&T, 0, 1, "{\"doc\":\"pending\"}", id) == 0);
    qiao_hex_encode0x(hex, id, 32);
    path(out, sizeof(out), "pending.json");
    char st[16];
    for (int i = 0; i < 50 && !*tnet_msg_state(&T, 0, id, st); i++)
        tnet_sleep(100);
    if (strcmp(st, "delivered") == 0)
        return; /* the network was faster than the check; nothing to assert */
    char log[1200];
    snprintf(log, sizeof(log), "%s > %s/pending.log 2>&1", T.notaries[0].cfg, g_dir);
    QT_CHECK(run(QIAO_BINARY_DIR "/qiao evidence export %s -o %s --config %s", hex, out, log) == 1);
    QT_CHECK(log_has("pending.log", "not-delivered") || log_has("pending.log", "no-such-message"));
}

int main(void)
{
    if (!qiao_proc_kit_bin("anvil")) {
        printf("skip: anvil is not installed (./run test installs the kit)\n");
        return qt_finish();
    }
    if (tnet_start(&T, 1, 1, 2, 2000) || tnet_notary_start(&T, 0) || deliver()) {
        QT_CHECK(!"test network started and delivered a message");
        tnet_stop(&T);
        return qt_finish();
    }
    snprintf(g_dir, sizeof(g_dir), "%s", T.dir);
    test_trust_and_export();
    test_tamper();
    test_api();
    test_tsa();
    test_not_delivered();
    tnet_stop(&T);
    return qt_finish();
}
