/*
 * keys_int.h: the key file's cryptography (internal to relay/keys): scrypt key derivation and
 * AES-256-GCM sealing of the 32-byte secret.  Callers wipe every output buffer.
 */
#ifndef QIAO_KEYS_KEYS_INT_H
#define QIAO_KEYS_KEYS_INT_H

#include <cjson/cJSON.h>

#include "relay/keys/keys.h"

#define QIAO_KEYS_SALT_LEN 32
#define QIAO_KEYS_IV_LEN 12
#define QIAO_KEYS_TAG_LEN 16

/** Check kdf against the load limits ("kdf-too-weak", "kdf-too-costly", "bad-kdf"). */
qiao_err qiao_keys_kdf_check(const struct qiao_keys_kdf *kdf, struct qiao_diag *d);

/** out = scrypt(pass, salt, kdf), 32 bytes. */
qiao_err qiao_keys_derive(uint8_t out[32], const char *pass, size_t pass_len,
                          const uint8_t *salt, size_t salt_len, const struct qiao_keys_kdf *kdf,
                          struct qiao_diag *d);

/** AES-256-GCM with AAD "qiao-key-v1" ‖ address. */
qiao_err qiao_keys_seal(uint8_t ct[32], uint8_t tag[16], const uint8_t key[32],
                        const uint8_t iv[12], const uint8_t address[20], const uint8_t secret[32],
                        struct qiao_diag *d);
/** Reverse of seal; "wrong-passphrase" when the tag does not verify. */
qiao_err qiao_keys_open(uint8_t secret[32], const uint8_t key[32], const uint8_t iv[12],
                        const uint8_t address[20], const uint8_t ct[32], const uint8_t tag[16],
                        const char *path, struct qiao_diag *d);

/**
 * Interpret a parsed key file: check its keys and version, then decrypt (or, when allowed, read
 * the plaintext secret) and check the secret belongs to the stated address.  Out: *key.
 */
qiao_err qiao_keys_decode(struct qiao_key *key, const cJSON *root, const char *path,
                          const char *pass, size_t pass_len, int insecure_plaintext_ok,
                          struct qiao_diag *d);

#endif
