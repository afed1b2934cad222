/* keys_file.c: writing and loading notary key files (format and rules in keys.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/secp.h"
#include "relay/keys/keys_int.h"

void qiao_key_clear(struct qiao_key *k)
{
    qiao_wipe(k, sizeof(*k));
}

/* The secret's address, through a short-lived crypto context. */
static qiao_err address_of(uint8_t addr[20], const uint8_t seckey[32], struct qiao_diag *d)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    if (!cx)
        return QIAO_FAIL(d, QIAO_ENOMEM, "crypto-init", "cannot create a crypto context");
    uint8_t pub[64];
    qiao_err err = qiao_secp_seckey_check(cx, seckey, d);
    if (!err)
        err = qiao_secp_pubkey(cx, pub, addr, seckey, d);
    qiao_crypto_destroy(cx);
    if (err)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-seckey", "the secret is not a valid secp256k1 key");
    return QIAO_OK;
}

/* Format the file body into out (cap bytes). */
static qiao_err encode(char *out, size_t cap, const uint8_t addr[20], const uint8_t *secret,
                       const struct qiao_keys_kdf *kdf, const uint8_t *salt, const uint8_t *iv,
                       const uint8_t *ct, const uint8_t *tag, struct qiao_diag *d)
{
    char a[43], h1[65], h2[65], h3[65], h4[65];
    qiao_hex_encode0x(a, addr, 20);
    int n;
    if (secret) {
        qiao_hex_encode(h1, secret, 32);
        n = snprintf(out, cap, "{\"version\":1,\"address\":\"%s\",\"insecure_plaintext\":true,"
                     "\"secret\":\"%s\"}\n", a, h1);
    } else {
        qiao_hex_encode(h1, salt, QIAO_KEYS_SALT_LEN);
        qiao_hex_encode(h2, iv, QIAO_KEYS_IV_LEN);
        qiao_hex_encode(h3, ct, 32);
        qiao_hex_encode(h4, tag, QIAO_KEYS_TAG_LEN);
        n = snprintf(out, cap, "{\"version\":1,\"address\":\"%s\",\"kdf\":{\"name\":\"scrypt\","
                     "\"log2_n\":%u,\"r\":%u,\"p\":%u,\"salt\":\"%s\"},\"cipher\":{\"name\":"
                     "\"aes-256-gcm\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"}}\n",
                     a, kdf->log2_n, kdf->r, kdf->p, h1, h2, h3, h4);
    }
    qiao_wipe(h1, sizeof(h1));
    if (n < 0 || (size_t)n >= cap)
        return QIAO_FAIL(d, QIAO_ERANGE, "encode-failed", "key file body does not fit");
    return QIAO_OK;
}

static qiao_err write_new(const char *path, const char *body, struct qiao_diag *d)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return QIAO_FAIL(d, QIAO_EIO, errno == EEXIST ? "key-file-exists" : "write-failed",
                         "cannot create key file %s: %s%s", path, strerror(errno),
                         errno == EEXIST ? " (refusing to overwrite a key)" : "");
    size_t len = strlen(body), off = 0;
    int ok = fchmod(fd, 0600) == 0;
    while (ok && off < len) {
        ssize_t w = write(fd, body + off, len - off);
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (ok)
        return QIAO_OK;
    unlink(path);
    return QIAO_FAIL(d, QIAO_EIO, "write-failed", "writing key file %s: %s (removed)", path,
                     strerror(saved));
}

static qiao_err seal_body(char *body, size_t cap, const uint8_t seckey[32], const uint8_t addr[20],
                          const char *pass, size_t pass_len, const struct qiao_keys_kdf *kdf,
                          struct qiao_diag *d)
{
    uint8_t salt[QIAO_KEYS_SALT_LEN], iv[QIAO_KEYS_IV_LEN], ct[32], tag[16], key[32];
    QIAO_TRY(qiao_random(salt, sizeof(salt), d));
    QIAO_TRY(qiao_random(iv, sizeof(iv), d));
    qiao_err err = qiao_keys_derive(key, pass, pass_len, salt, sizeof(salt), kdf, d);
    if (!err)
        err = qiao_keys_seal(ct, tag, key, iv, addr, seckey, d);
    qiao_wipe(key, sizeof(key));
    if (!err)
        err = encode(body, cap, addr, NULL, kdf, salt, iv, ct, tag, d);
    return err;
}

qiao_err qiao_keys_write(const char *path, const uint8_t seckey[32], const char *pass,
                         size_t pass_len, const struct qiao_keys_kdf *kdf, int insecure_plaintext,
                         uint8_t address[20], struct qiao_diag *d)
{
    if (!kdf)
        kdf = &qiao_keys_kdf_default;
    if (!insecure_plaintext && (!pass || pass_len < QIAO_KEYS_PASSPHRASE_MIN))
        return QIAO_FAIL(d, QIAO_EINVAL, "weak-passphrase", "the passphrase must have at least %d "
                         "characters", QIAO_KEYS_PASSPHRASE_MIN);
    QIAO_TRY(qiao_keys_kdf_check(kdf, d));
    uint8_t addr[20];
    QIAO_TRY(address_of(addr, seckey, d));
    char body[1024];
    qiao_err err = insecure_plaintext
                       ? encode(body, sizeof(body), addr, seckey, kdf, NULL, NULL, NULL, NULL, d)
                       : seal_body(body, sizeof(body), seckey, addr, pass, pass_len, kdf, d);
    if (!err)
        err = write_new(path, body, d);
    qiao_wipe(body, sizeof(body));
    if (!err && address)
        memcpy(address, addr, 20);
    return err;
}

/* Read the whole file after checking what it is and who may read it. */
static qiao_err read_checked(char *buf, size_t cap, size_t *len, const char *path,
                             struct qiao_diag *d)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return QIAO_FAIL(d, QIAO_EIO, "open-failed", "key file %s: %s", path, strerror(errno));
    struct stat sb;
    qiao_err err = QIAO_OK;
    if (fstat(fd, &sb) != 0)
        err = QIAO_FAIL(d, QIAO_EIO, "open-failed", "key file %s: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        err = QIAO_FAIL(d, QIAO_EINVAL, "not-a-file", "key file %s is not a regular file", path);
    else if (sb.st_mode & 077)
        err = QIAO_FAIL(d, QIAO_EINVAL, "key-file-mode", "key file %s has mode %04o: group or "
                        "others may access it; run chmod 600 %s", path,
                        (unsigned)(sb.st_mode & 07777), path);
    else if (sb.st_uid != geteuid())
        err = QIAO_FAIL(d, QIAO_EINVAL, "key-file-owner", "key file %s is owned by uid %u, not "
                        "by this user", path, (unsigned)sb.st_uid);
    ssize_t n = 0;
    if (!err && (n = read(fd, buf, cap)) < 0)
        err = QIAO_FAIL(d, QIAO_EIO, "read-failed", "key file %s: %s", path, strerror(errno));
    else if (!err && (size_t)n >= cap)
        err = QIAO_FAIL(d, QIAO_ERANGE, "bad-key-file", "key file %s is larger than %zu bytes",
                        path, cap - 1);
    close(fd);
    *len = err ? 0 : (size_t)n;
    return err;
}

/* Wipe every string in a parsed tree before it is freed (a plaintext secret lives there). */
static void wipe_tree(cJSON *j)
{
    for (; j; j = j->next) {
        if (cJSON_IsString(j) && j->valuestring)
            qiao_wipe(j->valuestring, strlen(j->valuestring));
        wipe_tree(j->child);
    }
}

qiao_err qiao_keys_load(struct qiao_key *key, const char *path, const char *pass, size_t pass_len,
                        int insecure_plaintext_ok, struct qiao_diag *d)
{
    memset(key, 0, sizeof(*key));
    char buf[QIAO_KEYS_FILE_MAX + 1];
    size_t len = 0;
    qiao_err err = read_checked(buf, sizeof(buf), &len, path, d);
    cJSON *root = NULL;
    if (!err && qiao_json_parse(&root, buf, len, QIAO_KEYS_FILE_MAX, 4, d) != QIAO_OK)
        err = qiao_diag_wrap(d, "key file %s", path);
    qiao_wipe(buf, sizeof(buf));
    if (!err)
        err = qiao_keys_decode(key, root, path, pass, pass_len, insecure_plaintext_ok, d);
    wipe_tree(root);
    cJSON_Delete(root);
    if (err)
        qiao_key_clear(key);
    return err;
}
