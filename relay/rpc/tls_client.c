/*
 * tls_client.c: Qiao-owned client SSL_CTXs for libwebsockets (tls_client.h).
 *
 * The SSL_CTX is configured as lws 4.1 configures the ones it makes itself (no compression,
 * released buffers, moving write buffers, the CA store and an optional client certificate);
 * verification mode and host name are set per connection by lws, not here.
 */
#include "relay/rpc/tls_client.h"

#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct tls_entry {
    struct tls_entry *next;
    SSL_CTX *ctx;
    char *cert, *key, *ca; /* NULL when not given */
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tls_entry *g_list;
static int g_atexit;

static void free_all(void)
{
    pthread_mutex_lock(&g_mu);
    while (g_list) {
        struct tls_entry *e = g_list;
        g_list = e->next;
        SSL_CTX_free(e->ctx);
        free(e->cert), free(e->key), free(e->ca);
        free(e);
    }
    pthread_mutex_unlock(&g_mu);
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static char *dup_or_null(const char *s, int *fail)
{
    char *p = s ? strdup(s) : NULL;
    *fail |= s && !p;
    return p;
}

static qiao_err openssl_fail(struct qiao_diag *d, const char *what, const char *file)
{
    char err[160];
    ERR_error_string_n(ERR_get_error(), err, sizeof(err));
    ERR_clear_error();
    return QIAO_FAIL(d, QIAO_EIO, "tls-client-ctx", "TLS client context: %s%s%s: %s", what,
                     file ? " " : "", file ? file : "", err);
}

static qiao_err make_ctx(SSL_CTX **out, const char *cert, const char *key, const char *ca,
                         struct qiao_diag *d)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    *out = NULL;
    if (!c)
        return openssl_fail(d, "SSL_CTX_new", NULL);
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(c, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    qiao_err err = QIAO_OK;
    if (ca ? SSL_CTX_load_verify_locations(c, ca, NULL) != 1
           : SSL_CTX_set_default_verify_paths(c) != 1)
        err = openssl_fail(d, "cannot load the trusted roots", ca ? ca : "(system store)");
    else if (cert && SSL_CTX_use_certificate_chain_file(c, cert) != 1)
        err = openssl_fail(d, "cannot load the client certificate", cert);
    else if (key && (SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1 ||
                     SSL_CTX_check_private_key(c) != 1))
        err = openssl_fail(d, "cannot load the client key", key);
    if (err) {
        SSL_CTX_free(c);
        return err;
    }
    *out = c;
    return QIAO_OK;
}

/* The cached SSL_CTX for the triple, made on first use.  Call with g_mu held. */
static qiao_err lookup(SSL_CTX **out, const char *cert, const char *key, const char *ca,
                       struct qiao_diag *d)
{
    for (struct tls_entry *e = g_list; e; e = e->next)
        if (same(e->cert, cert) && same(e->key, key) && same(e->ca, ca)) {
            *out = e->ctx;
            return QIAO_OK;
        }
    struct tls_entry *e = calloc(1, sizeof(*e));
    int fail = !e;
    if (e) {
        e->cert = dup_or_null(cert, &fail);
        e->key = dup_or_null(key, &fail);
        e->ca = dup_or_null(ca, &fail);
    }
    qiao_err err = fail ? QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "TLS client context")
                        : make_ctx(&e->ctx, cert, key, ca, d);
    if (err) {
        if (e)
            free(e->cert), free(e->key), free(e->ca);
        free(e);
        return err;
    }
    if (!g_atexit) /* after OpenSSL's own atexit (SSL_CTX_new initialised it): runs first */
        g_atexit = atexit(free_all) == 0;
    e->next = g_list;
    g_list = e;
    *out = e->ctx;
    return QIAO_OK;
}

qiao_err qiao_tls_client_setup(struct lws_context_creation_info *info, const char *cert,
                               const char *key, const char *ca, struct qiao_diag *d)
{
    SSL_CTX *ctx = NULL;
    if (!cert != !key)
        return QIAO_FAIL(d, QIAO_EINVAL, "tls-client-ctx",
                         "TLS client context: a client certificate needs both cert and key");
    pthread_mutex_lock(&g_mu);
    qiao_err err = lookup(&ctx, cert, key, ca, d);
    pthread_mutex_unlock(&g_mu);
    if (err)
        return err;
    info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info->provided_client_ssl_ctx = ctx;
    return QIAO_OK;
}
