/* keys_decode.c: interpreting a parsed key file strictly (unknown keys refused) and decrypting. */
#include <stdio.h>
#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/secp.h"
#include "relay/keys/keys_int.h"

static qiao_err only_keys(const cJSON *obj, const char *const *allowed, const char *where,
                          const char *path, struct qiao_diag *d)
{
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-key-file", "key file %s: %s must be an object", path,
                         where);
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], c->string) != 0)
            i++;
        if (!allowed[i])
            return QIAO_FAIL(d, QIAO_EINVAL, "unknown-key", "key file %s: unknown key \"%.32s\" in "
                             "%s", path, c->string, where);
    }
    return QIAO_OK;
}

/* Wrap a getter failure as "bad-key-file" naming the file, keeping the getter's sentence. */
static qiao_err bad(qiao_err err, const char *path, struct qiao_diag *d)
{
    if (!err)
        return QIAO_OK;
    if (d)
        snprintf(d->reason, sizeof(d->reason), "bad-key-file");
    return qiao_diag_wrap(d, "key file %s", path);
}

static qiao_err small_u(unsigned *out, const cJSON *o, const char *key, const char *path,
                        struct qiao_diag *d)
{
    uint64_t v;
    QIAO_TRY(bad(qiao_json_u64(&v, o, key, d), path, d));
    if (v > 64)
        return QIAO_FAIL(d, QIAO_EINVAL, "kdf-too-costly", "key file %s: kdf.%s = %llu", path, key,
                         (unsigned long long)v);
    *out = (unsigned)v;
    return QIAO_OK;
}

static qiao_err name_is(const cJSON *o, const char *want, const char *where, const char *path,
                        struct qiao_diag *d)
{
    const char *name;
    QIAO_TRY(bad(qiao_json_str(&name, o, "name", d), path, d));
    if (strcmp(name, want) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-key-file", "key file %s: %s \"%.32s\" is not "
                         "supported (only %s)", path, where, name, want);
    return QIAO_OK;
}

static qiao_err decrypt(uint8_t secret[32], const cJSON *root, const uint8_t addr[20],
                        const char *path, const char *pass, size_t pass_len, struct qiao_diag *d)
{
    const cJSON *kdf_o, *ci;
    QIAO_TRY(bad(qiao_json_object(&kdf_o, root, "kdf", d), path, d));
    QIAO_TRY(bad(qiao_json_object(&ci, root, "cipher", d), path, d));
    QIAO_TRY(only_keys(kdf_o, (const char *const[]){"name", "log2_n", "r", "p", "salt", NULL},
                       "kdf", path, d));
    QIAO_TRY(only_keys(ci, (const char *const[]){"name", "iv", "ciphertext", "tag", NULL},
                       "cipher", path, d));
    QIAO_TRY(name_is(kdf_o, "scrypt", "kdf", path, d));
    QIAO_TRY(name_is(ci, "aes-256-gcm", "cipher", path, d));
    struct qiao_keys_kdf kdf;
    uint8_t salt[QIAO_KEYS_SALT_LEN], iv[QIAO_KEYS_IV_LEN], ct[32], tag[QIAO_KEYS_TAG_LEN], key[32];
    QIAO_TRY(small_u(&kdf.log2_n, kdf_o, "log2_n", path, d));
    QIAO_TRY(small_u(&kdf.r, kdf_o, "r", path, d));
    QIAO_TRY(small_u(&kdf.p, kdf_o, "p", path, d));
    QIAO_TRY(bad(qiao_json_hex_exact(salt, sizeof(salt), kdf_o, "salt", d), path, d));
    QIAO_TRY(bad(qiao_json_hex_exact(iv, sizeof(iv), ci, "iv", d), path, d));
    QIAO_TRY(bad(qiao_json_hex_exact(ct, sizeof(ct), ci, "ciphertext", d), path, d));
    QIAO_TRY(bad(qiao_json_hex_exact(tag, sizeof(tag), ci, "tag", d), path, d));
    if (qiao_keys_kdf_check(&kdf, d))
        return qiao_diag_wrap(d, "key file %s", path);
    if (!pass || pass_len == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-passphrase", "key file %s is encrypted and no "
                         "passphrase was given", path);
    qiao_err err = qiao_keys_derive(key, pass, pass_len, salt, sizeof(salt), &kdf, d);
    if (!err)
        err = qiao_keys_open(secret, key, iv, addr, ct, tag, path, d);
    qiao_wipe(key, sizeof(key));
    return err;
}

static qiao_err plaintext(uint8_t secret[32], const cJSON *root, const char *path,
                          int insecure_plaintext_ok, struct qiao_diag *d)
{
    int flag = 0;
    QIAO_TRY(bad(qiao_json_bool(&flag, root, "insecure_plaintext", d), path, d));
    if (!flag)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-key-file", "key file %s: insecure_plaintext must be "
                         "true when present", path);
    if (!insecure_plaintext_ok)
        return QIAO_FAIL(d, QIAO_EINVAL, "plaintext-key", "key file %s holds an unencrypted key; "
                         "refusing it without --insecure-plaintext-key", path);
    return bad(qiao_json_hex_exact(secret, 32, root, "secret", d), path, d);
}

/* The secret must be a valid key whose address is the one the file states. */
static qiao_err check_address(const uint8_t secret[32], const uint8_t addr[20], const char *path,
                              struct qiao_diag *d)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    uint8_t pub[64], derived[20];
    qiao_err err = cx ? qiao_secp_pubkey(cx, pub, derived, secret, d)
                      : QIAO_FAIL(d, QIAO_ENOMEM, "crypto-init", "cannot create a crypto context");
    qiao_crypto_destroy(cx);
    if (!err && memcmp(derived, addr, 20) != 0)
        err = QIAO_FAIL(d, QIAO_EVERIFY, "address-mismatch", "key file %s: the secret does not "
                        "belong to the stated address", path);
    return err;
}

qiao_err qiao_keys_decode(struct qiao_key *key, const cJSON *root, const char *path,
                          const char *pass, size_t pass_len, int insecure_plaintext_ok,
                          struct qiao_diag *d)
{
    QIAO_TRY(only_keys(root, (const char *const[]){"version", "address", "kdf", "cipher",
                                                   "insecure_plaintext", "secret", NULL},
                       "the top level", path, d));
    uint64_t version;
    QIAO_TRY(bad(qiao_json_u64(&version, root, "version", d), path, d));
    if (version != 1)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-key-file", "key file %s: version %llu is not "
                         "supported (only 1)", path, (unsigned long long)version);
    uint8_t addr[20];
    QIAO_TRY(bad(qiao_json_hex_exact(addr, 20, root, "address", d), path, d));
    int is_plain = qiao_json_get(root, "insecure_plaintext") != NULL;
    if (is_plain && (qiao_json_get(root, "kdf") || qiao_json_get(root, "cipher")))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-key-file", "key file %s mixes plaintext and "
                         "encrypted fields", path);
    qiao_err err = is_plain ? plaintext(key->seckey, root, path, insecure_plaintext_ok, d)
                            : decrypt(key->seckey, root, addr, path, pass, pass_len, d);
    if (!err)
        err = check_address(key->seckey, addr, path, d);
    if (!err)
        memcpy(key->address, addr, 20);
    return err;
}
