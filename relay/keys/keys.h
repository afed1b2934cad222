/*
 * keys.h: the notary's secp256k1 key at rest.
 *
 * A key file is a small JSON document (format in docs/KEYS.md and below), created with O_EXCL and
 * mode 0600 so that an existing key is never overwritten and never briefly world-readable:
 *
 *   {"version":1, "address":"0x…",
 *    "kdf":{"name":"scrypt","log2_n":15,"r":8,"p":1,"salt":"<32 bytes hex>"},
 *    "cipher":{"name":"aes-256-gcm","iv":"<12 bytes hex>","ciphertext":"<32 bytes hex>",
 *              "tag":"<16 bytes hex>"}}
 *
 * The AES key is scrypt(passphrase, salt) through OpenSSL's EVP_KDF "SCRYPT"; the GCM additional
 * data is "qiao-key-v1" ‖ address, so editing the address (or anything encrypted) makes decryption
 * fail.  A plaintext file ({"version":1,"address":…,"insecure_plaintext":true,"secret":"…"}) exists
 * for throwaway test networks only and is refused unless the caller passes insecure_plaintext_ok
 * (the daemon's --insecure-plaintext-key).
 *
 * Loading refuses: a file that is not a regular file or is a symlink, one owned by another user,
 * one whose mode grants group or others any access (the message names the mode), unknown keys,
 * KDF parameters that are too weak or too costly, a wrong passphrase, and a secret that does not
 * belong to the stated address.  Every path wipes the derived key, the decrypted secret and any
 * buffer that held them.  Passphrases never come from argv: an environment variable named by the
 * caller or an owner-only file (qiao_keys_passphrase).
 *
 * Ownership: struct qiao_key holds the secret; clear it with qiao_key_clear as soon as possible.
 */
#ifndef QIAO_KEYS_KEYS_H
#define QIAO_KEYS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

#define QIAO_KEYS_FILE_MAX 4096
#define QIAO_KEYS_PASSPHRASE_MAX 1024
#define QIAO_KEYS_PASSPHRASE_MIN 8
#define QIAO_KEYS_DEFAULT_ENV "QIAO_KEY_PASSPHRASE"

/** scrypt cost: N = 2^log2_n.  Load accepts log2_n 14..20, r 1..16, p 1..4, 128·r·N <= 256 MiB. */
struct qiao_keys_kdf {
    unsigned log2_n, r, p;
};

/** The default cost (N = 2^15, r = 8, p = 1: about 32 MiB and a tenth of a second). */
extern const struct qiao_keys_kdf qiao_keys_kdf_default;

struct qiao_key {
    uint8_t seckey[32];
    uint8_t address[20];
};

/** Wipe a key. */
void qiao_key_clear(struct qiao_key *k);

/**
 * Create a key file at path (O_EXCL, mode 0600) holding seckey, encrypted under pass[0..pass_len)
 * unless insecure_plaintext (then pass is ignored and may be NULL).  kdf NULL takes the default.
 * Returns: QIAO_OK; QIAO_EIO ("key-file-exists", "write-failed"); QIAO_EINVAL ("weak-passphrase",
 *          "bad-seckey", "bad-kdf").  A partly written file is removed.
 * Out: address (may be NULL), the key's Ethereum address.
 */
qiao_err qiao_keys_write(const char *path, const uint8_t seckey[32], const char *pass,
                         size_t pass_len, const struct qiao_keys_kdf *kdf, int insecure_plaintext,
                         uint8_t address[20], struct qiao_diag *d);

/**
 * Load and decrypt the key file at path.
 * Returns: QIAO_OK; QIAO_EIO ("open-failed", "read-failed"); QIAO_EINVAL ("key-file-mode",
 *          "key-file-owner", "not-a-file", "plaintext-key", "bad-key-file", "unknown-key",
 *          "kdf-too-weak", "kdf-too-costly"); QIAO_EVERIFY ("wrong-passphrase",
 *          "address-mismatch").
 * Out: *key (wiped on failure).
 */
qiao_err qiao_keys_load(struct qiao_key *key, const char *path, const char *pass, size_t pass_len,
                        int insecure_plaintext_ok, struct qiao_diag *d);

/**
 * Read a passphrase from the file at `file` when non-NULL (owner-only mode required; one trailing
 * newline removed), else from the environment variable env_name (NULL: QIAO_KEY_PASSPHRASE).
 * Returns: QIAO_OK; QIAO_ENOTFOUND ("no-passphrase") when the variable is unset or empty;
 *          QIAO_EINVAL ("passphrase-file-mode"); QIAO_ERANGE ("passphrase-too-long"); QIAO_EIO.
 * Out: out[0..*len) (NUL-terminated; cap >= 2); the caller wipes it after use.
 */
qiao_err qiao_keys_passphrase(char *out, size_t cap, size_t *len, const char *env_name,
                              const char *file, struct qiao_diag *d);

#endif
