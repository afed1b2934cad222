/*
 * test_keys.c: notary key files on disk with the real scrypt cost.  Round trip; O_EXCL (never
 * overwrite); mode 0600 on creation and refusal of group/other-accessible files naming the mode;
 * symlinks refused; wrong passphrase; tampering with the address or ciphertext; unknown keys;
 * KDF parameters outside the limits; plaintext keys only when explicitly allowed; passphrase
 * sources; and the `qiao keygen` command (compiled into this test, since main.c's table is the
 * lead's to extend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay/cli/commands.h"
#include "relay/core/crypto.h"
#include "relay/core/secp.h"
#include "relay/keys/keys.h"
#include "tests/qt.h"

static char dir[] = "/tmp/qiao-keys-XXXXXX";
static const char pass[] = "correct horse battery";

static const char *in_dir(const char *name)
{
    static char path[4][256];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(path[slot], sizeof(path[slot]), "%s/%s", dir, name);
    return path[slot];
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    chmod(path, mode);
}

static char *slurp(const char *path)
{
    size_t n;
    return qt_read_file(path, &n);
}

/* Replace the first occurrence of `from` in the file's text by `to` (same length or not). */
static void edit_file(const char *src, const char *dst, const char *from, const char *to)
{
    char *t = slurp(src), out[4096];
    char *at = t ? strstr(t, from) : NULL;
    if (at) {
        snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - t), t, to, at + strlen(from));
        write_text(dst, out, 0600);
    }
    free(t);
}

static void test_round_trip(const uint8_t sk[32], const uint8_t want_addr[20])
{
    struct qiao_diag d = {0};
    const char *p = in_dir("k1.json");
    uint8_t addr[20];
    QT_CHECK(qiao_keys_write(p, sk, pass, strlen(pass), NULL, 0, addr, &d) == QIAO_OK);
    QT_CHECK_MEM(addr, want_addr, 20);
    struct stat sb;
    QT_CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    char *text = slurp(p);
    QT_CHECK(text && strstr(text, "\"log2_n\":15") && strstr(text, "aes-256-gcm") &&
             !strstr(text, "secret"));
    free(text);
    struct qiao_key k;
    QT_CHECK(qiao_keys_load(&k, p, pass, strlen(pass), 0, &d) == QIAO_OK);
    QT_CHECK_MEM(k.seckey, sk, 32);
    QT_CHECK_MEM(k.address, want_addr, 20);
    qiao_key_clear(&k);
    QT_CHECK(k.seckey[0] == 0 && k.seckey[31] == 0);
    /* Never overwrite. */
    uint8_t other[32];
    memset(other, 0x22, 32);
    QT_CHECK(qiao_keys_write(p, other, pass, strlen(pass), NULL, 0, NULL, &d) == QIAO_EIO);
    QT_CHECK(strcmp(d.reason, "key-file-exists") == 0);
    QT_CHECK(qiao_keys_load(&k, p, pass, strlen(pass), 0, &d) == QIAO_OK && k.seckey[0] == sk[0]);
    qiao_key_clear(&k);
    QT_CHECK(qiao_keys_write(in_dir("weak.json"), sk, "short", 5, NULL, 0, NULL, &d) ==
             QIAO_EINVAL && strcmp(d.reason, "weak-passphrase") == 0);
    QT_CHECK(access(in_dir("weak.json"), F_OK) != 0);
}

static void test_refusals(void)
{
    struct qiao_diag d = {0};
    struct qiao_key k;
    char p[256]; /* in_dir's buffers rotate */
    snprintf(p, sizeof(p), "%s", in_dir("k1.json"));
    QT_CHECK(qiao_keys_load(&k, p, "wrong passphrase", 16, 0, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "wrong-passphrase") == 0);
    QT_CHECK(qiao_keys_load(&k, p, NULL, 0, 0, &d) == QIAO_EINVAL);
    QT_CHECK(k.seckey[0] == 0 && k.seckey[5] == 0);
    chmod(p, 0640);
    QT_CHECK(qiao_keys_load(&k, p, pass, strlen(pass), 0, &d) == QIAO_EINVAL);
    QT_CHECKF(strcmp(d.reason, "key-file-mode") == 0 && strstr(d.msg, "0640"), "%s", d.msg);
    chmod(p, 0602);
    QT_CHECK(qiao_keys_load(&k, p, pass, strlen(pass), 0, &d) == QIAO_EINVAL);
    chmod(p, 0600);
    const char *link = in_dir("link.json");
    unlink(link);
    QT_CHECK(symlink(p, link) == 0);
    QT_CHECK(qiao_keys_load(&k, link, pass, strlen(pass), 0, &d) == QIAO_EIO);
    QT_CHECK(qiao_keys_load(&k, dir, pass, strlen(pass), 0, &d) != QIAO_OK);
    /* Tampering: the address is bound as GCM additional data. */
    char *text = slurp(p);
    char *a = text ? strstr(text, "\"address\":\"0x") : NULL;
    if (a) {
        char from[60], to[60];
        snprintf(from, sizeof(from), "%.55s", a);
        snprintf(to, sizeof(to), "%s", from);
        to[14] = to[14] == '1' ? '2' : '1';
        edit_file(p, in_dir("t1.json"), from, to);
        QT_CHECK(qiao_keys_load(&k, in_dir("t1.json"), pass, strlen(pass), 0, &d) == QIAO_EVERIFY);
        QT_CHECK(strcmp(d.reason, "wrong-passphrase") == 0);
    }
    char *c = text ? strstr(text, "\"ciphertext\":\"") : NULL;
    if (c) {
        char from[20], to[20];
        snprintf(from, sizeof(from), "%.18s", c);
        snprintf(to, sizeof(to), "%s", from);
        to[15] = to[15] == '0' ? '1' : '0';
        edit_file(p, in_dir("t2.json"), from, to);
        QT_CHECK(qiao_keys_load(&k, in_dir("t2.json"), pass, strlen(pass), 0, &d) == QIAO_EVERIFY);
    }
    QT_CHECK(a && c);
    free(text);
    edit_file(p, in_dir("t3.json"), "\"version\":1", "\"version\":1,\"extra\":1");
    QT_CHECK(qiao_keys_load(&k, in_dir("t3.json"), pass, strlen(pass), 0, &d) == QIAO_EINVAL &&
             strcmp(d.reason, "unknown-key") == 0);
    edit_file(p, in_dir("t4.json"), "\"log2_n\":15", "\"log2_n\":10");
    QT_CHECK(qiao_keys_load(&k, in_dir("t4.json"), pass, strlen(pass), 0, &d) == QIAO_EINVAL &&
             strcmp(d.reason, "kdf-too-weak") == 0);
    edit_file(p, in_dir("t5.json"), "\"log2_n\":15", "\"log2_n\":30");
    QT_CHECK(qiao_keys_load(&k, in_dir("t5.json"), pass, strlen(pass), 0, &d) == QIAO_EINVAL &&
             strcmp(d.reason, "kdf-too-costly") == 0);
    edit_file(p, in_dir("t6.json"), "\"version\":1", "\"version\":2");
    QT_CHECK(qiao_keys_load(&k, in_dir("t6.json"), pass, strlen(pass), 0, &d) == QIAO_EINVAL);
    write_text(in_dir("t7.json"), "{\"version\":1", 0600);
    QT_CHECK(qiao_keys_load(&k, in_dir("t7.json"), pass, strlen(pass), 0, &d) == QIAO_EINVAL);
}

static void test_plaintext(const uint8_t sk[32])
{
    struct qiao_diag d = {0};
    struct qiao_key k;
    char p[256];
    snprintf(p, sizeof(p), "%s", in_dir("plain.json"));
    QT_CHECK(qiao_keys_write(p, sk, NULL, 0, NULL, 1, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_keys_load(&k, p, NULL, 0, 0, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "plaintext-key") == 0);
    QT_CHECK(qiao_keys_load(&k, p, NULL, 0, 1, &d) == QIAO_OK);
    QT_CHECK_MEM(k.seckey, sk, 32);
    qiao_key_clear(&k);
    /* A plaintext secret that does not match the stated address. */
    edit_file(p, in_dir("plain2.json"), "\"secret\":\"", "\"secret\":\"00");
    char *t = slurp(in_dir("plain2.json"));
    if (t) {
        char *s = strstr(t, "\"secret\":\"");
        if (s)
            memmove(s + 10 + 64, s + 10 + 66, strlen(s + 10 + 66) + 1); /* keep 32 bytes */
        write_text(in_dir("plain2.json"), t, 0600);
        free(t);
    }
    QT_CHECK(qiao_keys_load(&k, in_dir("plain2.json"), NULL, 0, 1, &d) == QIAO_EVERIFY);
    QT_CHECKF(strcmp(d.reason, "address-mismatch") == 0, "%s %s", d.reason, d.msg);
}

static void test_passphrase_sources(void)
{
    struct qiao_diag d = {0};
    char buf[64];
    size_t n;
    unsetenv("QIAO_TEST_PASS");
    QT_CHECK(qiao_keys_passphrase(buf, sizeof(buf), &n, "QIAO_TEST_PASS", NULL, &d) ==
             QIAO_ENOTFOUND);
    setenv("QIAO_TEST_PASS", "from the environment", 1);
    QT_CHECK(qiao_keys_passphrase(buf, sizeof(buf), &n, "QIAO_TEST_PASS", NULL, &d) == QIAO_OK &&
             n == 20 && strcmp(buf, "from the environment") == 0);
    QT_CHECK(qiao_keys_passphrase(buf, 8, &n, "QIAO_TEST_PASS", NULL, &d) == QIAO_ERANGE);
    const char *f = in_dir("pass.txt");
    write_text(f, "from a file\n", 0644);
    QT_CHECK(qiao_keys_passphrase(buf, sizeof(buf), &n, NULL, f, &d) == QIAO_EINVAL);
    QT_CHECKF(strcmp(d.reason, "passphrase-file-mode") == 0 && strstr(d.msg, "0644"), "%s", d.msg);
    chmod(f, 0600);
    QT_CHECK(qiao_keys_passphrase(buf, sizeof(buf), &n, NULL, f, &d) == QIAO_OK && n == 11 &&
             strcmp(buf, "from a file") == 0);
}

static int keygen(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
    char *argv[7] = {"keygen", (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL};
    int argc = 1;
    while (argc < 6 && argv[argc])
        argc++;
    fflush(stdout);
    return qiao_cmd_keygen(argc, argv);
}

static void test_cli(const uint8_t sk[32], const uint8_t want_addr[20])
{
    struct qiao_diag d = {0};
    struct qiao_key k;
    QT_CHECK(keygen(NULL, NULL, NULL, NULL, NULL) == 2);
    QT_CHECK(keygen("--out", in_dir("c0.json"), "--passphrase", "x", NULL) == 2);
    unsetenv("QIAO_KEY_PASSPHRASE");
    QT_CHECK(keygen("--out", in_dir("c1.json"), NULL, NULL, NULL) == 1); /* no passphrase */
    QT_CHECK(access(in_dir("c1.json"), F_OK) != 0);
    setenv("QIAO_KEY_PASSPHRASE", pass, 1);
    QT_CHECK(keygen("--out", in_dir("c1.json"), NULL, NULL, NULL) == 0);
    QT_CHECK(qiao_keys_load(&k, in_dir("c1.json"), pass, strlen(pass), 0, &d) == QIAO_OK);
    QT_CHECK(keygen("--out", in_dir("c1.json"), NULL, NULL, NULL) == 1); /* exists */
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", sk[i]);
    setenv("QIAO_TEST_SECRET", hex, 1);
    QT_CHECK(keygen("--out", in_dir("c2.json"), "--import-env", "QIAO_TEST_SECRET", NULL) == 0);
    QT_CHECK(qiao_keys_load(&k, in_dir("c2.json"), pass, strlen(pass), 0, &d) == QIAO_OK);
    QT_CHECK_MEM(k.address, want_addr, 20);
    QT_CHECK(keygen("--out", in_dir("c3.json"), "--passphrase-file", in_dir("pass.txt"), NULL) == 0);
    QT_CHECK(qiao_keys_load(&k, in_dir("c3.json"), "from a file", 11, 0, &d) == QIAO_OK);
    QT_CHECK(keygen("--out", in_dir("c4.json"), "--insecure-plaintext", NULL, NULL) == 0);
    QT_CHECK(qiao_keys_load(&k, in_dir("c4.json"), NULL, 0, 0, &d) == QIAO_EINVAL);
    qiao_key_clear(&k);
}

static void cleanup(void)
{
    const char *names[] = {"k1.json", "link.json", "t1.json", "t2.json", "t3.json", "t4.json",
                           "t5.json", "t6.json", "t7.json", "plain.json", "plain2.json",
                           "pass.txt", "c1.json", "c2.json", "c3.json", "c4.json"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        unlink(in_dir(names[i]));
    rmdir(dir);
}

int main(void)
{
    QT_CHECK(mkdtemp(dir) != NULL);
    uint8_t sk[32], addr[20], pub[64];
    memset(sk, 0x11, 32); /* the key of test_secp.c's known vector */
    struct qiao_crypto *cx = qiao_crypto_create();
    QT_CHECK(cx && qiao_secp_pubkey(cx, pub, addr, sk, NULL) == QIAO_OK);
    qiao_crypto_destroy(cx);
    test_round_trip(sk, addr);
    test_refusals();
    test_plaintext(sk);
    test_passphrase_sources();
    test_cli(sk, addr);
    cleanup();
    return qt_finish();
}
