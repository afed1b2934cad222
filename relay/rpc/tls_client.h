/*
 * tls_client.h: the client SSL_CTXs that Qiao hands to libwebsockets, owned by Qiao rather than
 * by lws.
 *
 * Why not let lws make them: lws 4.1 finds the bookkeeping of a client SSL_CTX it made (a
 * refcount shared by the vhosts of one context) through an SSL_CTX ex_data index held in a
 * library-global variable, and every lws_create_context() with
 * LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT allocates a new index and overwrites that variable.  In a
 * process with several contexts (a notary has the service context and one per chain worker) only
 * the most recently created context can find its client SSL_CTX again when it is destroyed; every
 * other one, with the whole system CA store loaded into it (about 0.7 MB), is never freed.  lws
 * never frees a client SSL_CTX it was given (info.provided_client_ssl_ctx), so giving it ours
 * sidesteps the index entirely, and one shared SSL_CTX (OpenSSL allows SSL_new on one SSL_CTX
 * from several threads) also loads the CA store once instead of once per context.
 *
 * Per-connection checks stay with lws: it sets peer verification, the host name to check and
 * the self-signed allowance (LCCSCF_*) on each SSL it makes from the shared SSL_CTX.
 *
 * Ownership: the SSL_CTXs are kept for the life of the process, one per distinct (certificate,
 * key, CA) triple, and freed at exit (an atexit handler, which runs before OpenSSL's own
 * cleanup).  Thread-safe.
 */
#ifndef QIAO_RPC_TLS_CLIENT_H
#define QIAO_RPC_TLS_CLIENT_H

#include "relay/core/diag.h"

struct lws_context_creation_info;

/**
 * Make info use Qiao's client SSL_CTX for (cert, key, ca) and turn on lws's TLS support
 * (LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT).  cert and key (PEM files) give a client certificate
 * (both or neither); ca is a PEM file of trusted roots, or NULL for the system's default store.
 * Returns: QIAO_OK; "tls-client-ctx" when OpenSSL refuses a file or cannot make the context.
 * In: info (its other fields are left alone), cert, key, ca (copied when a new SSL_CTX is made).
 */
qiao_err qiao_tls_client_setup(struct lws_context_creation_info *info, const char *cert,
                               const char *key, const char *ca, struct qiao_diag *d);

#endif
