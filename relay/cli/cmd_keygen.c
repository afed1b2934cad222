/*
 * cmd_keygen.c: `qiao keygen`, which creates a notary key file (relay/keys/keys.h).
 *
 * The passphrase comes from an environment variable (QIAO_KEY_PASSPHRASE unless --passphrase-env
 * names another) or an owner-only file (--passphrase-file), never from argv.  --import-env NAME
 * takes an existing 32-byte hex secret from the environment instead of generating one (for test
 * networks whose accounts are pre-funded).  On success it prints one JSON line with the address.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/cli/commands.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/hex.h"
#include "relay/core/secp.h"
#include "relay/keys/keys.h"

struct keygen_opts {
    const char *out, *pass_env, *pass_file, *import_env;
    int plaintext;
};

static int usage(void)
{
    fprintf(stderr, "usage: qiao keygen --out FILE [--insecure-plaintext]\n"
                    "                   [--passphrase-env NAME | --passphrase-file FILE]\n"
                    "                   [--import-env NAME]\n"
                    "The passphrase is read from $%s by default; it is never taken from the "
                    "command line.\n", QIAO_KEYS_DEFAULT_ENV);
    return 2;
}

/* Returns 0 on success, 2 on a usage error (already reported). */
static int parse_opts(struct keygen_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--out") == 0              ? &o->out
                            : strcmp(a, "--passphrase-env") == 0  ? &o->pass_env
                            : strcmp(a, "--passphrase-file") == 0 ? &o->pass_file
                            : strcmp(a, "--import-env") == 0      ? &o->import_env
                                                                  : NULL;
        if (strcmp(a, "--insecure-plaintext") == 0) {
            o->plaintext = 1;
        } else if (slot && i + 1 < argc) {
            *slot = argv[++i];
        } else {
            fprintf(stderr, "qiao keygen: unknown or incomplete option \"%s\"\n", a);
            return usage();
        }
    }
    if (!o->out) {
        fprintf(stderr, "qiao keygen: --out FILE is required\n");
        return usage();
    }
    if (o->pass_env && o->pass_file) {
        fprintf(stderr, "qiao keygen: give --passphrase-env or --passphrase-file, not both\n");
        return usage();
    }
    return 0;
}

static qiao_err get_secret(uint8_t sk[32], const struct keygen_opts *o, struct qiao_diag *d)
{
    if (!o->import_env) {
        struct qiao_crypto *cx = qiao_crypto_create();
        if (!cx)
            return QIAO_FAIL(d, QIAO_ENOMEM, "crypto-init", "cannot create a crypto context");
        qiao_err err = qiao_secp_keygen(cx, sk, d);
        qiao_crypto_destroy(cx);
        return err;
    }
    const char *hex = getenv(o->import_env);
    if (!hex || !*hex)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-secret", "environment variable %s is not set",
                         o->import_env);
    if (qiao_hex_decode_exact(sk, 32, hex, d))
        return qiao_diag_wrap(d, "secret in %s", o->import_env);
    return QIAO_OK;
}

static qiao_err run(const struct keygen_opts *o, uint8_t addr[20], struct qiao_diag *d)
{
    char pass[QIAO_KEYS_PASSPHRASE_MAX];
    size_t pass_len = 0;
    uint8_t sk[32];
    qiao_err err = QIAO_OK;
    if (!o->plaintext)
        err = qiao_keys_passphrase(pass, sizeof(pass), &pass_len, o->pass_env, o->pass_file, d);
    if (!err)
        err = get_secret(sk, o, d);
    if (!err)
        err = qiao_keys_write(o->out, sk, o->plaintext ? NULL : pass, pass_len, NULL, o->plaintext,
                              addr, d);
    qiao_wipe(sk, sizeof(sk));
    qiao_wipe(pass, sizeof(pass));
    return err;
}

int qiao_cmd_keygen(int argc, char **argv)
{
    struct keygen_opts o;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage();
        return 0;
    }
    if (parse_opts(&o, argc, argv))
        return 2;
    struct qiao_diag d = {0};
    uint8_t addr[20];
    if (run(&o, addr, &d) != QIAO_OK) {
        fprintf(stderr, "qiao keygen: %s [%s]\n", d.msg, d.reason);
        return 1;
    }
    char hex[43];
    qiao_hex_encode0x(hex, addr, 20);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "address", hex);
    cJSON_AddStringToObject(j, "file", o.out);
    cJSON_AddBoolToObject(j, "encrypted", !o.plaintext);
    char *text = cJSON_PrintUnformatted(j);
    printf("%s\n", text ? text : "{}");
    cJSON_free(text);
    cJSON_Delete(j);
    if (o.plaintext)
        fprintf(stderr, "qiao keygen: WARNING: %s holds an UNENCRYPTED key (test networks only)\n",
                o.out);
    return 0;
}
