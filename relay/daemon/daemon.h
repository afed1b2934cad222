/*
 * daemon.h: `qiao run`, one notary: the service loop that ties chains, store, mesh and API
 * together (docs/ARCHITECTURE.md §7, docs/OPERATIONS.md).
 *
 * One lws service thread owns the store, the mesh, the API and the pipeline state.  Each chain
 * has a worker thread (dmn_worker.h) that follows and proves, and submits deliveries; workers hand
 * results back through a queue and lws_cancel_service().  Every state transition is a savepoint
 * of the tick's one store transaction (group commit); a signature is made only after the tick
 * that recorded the signing guard has committed, and gossiped only after the tick that recorded
 * the signature has committed.
 */
#ifndef QIAO_DAEMON_DAEMON_H
#define QIAO_DAEMON_DAEMON_H

#include <signal.h>

#include "relay/core/diag.h"

struct qiao_daemon_opts {
    const char *config_path;
    int insecure_plaintext_key; /* accept a plaintext key file (test networks only) */
    volatile sig_atomic_t *stop; /* set by the caller's signal handler; the loop polls it */
};

/**
 * Load the configuration and key, open the store, start the API, the mesh and the workers, and
 * serve until *o->stop.  Returns: QIAO_OK after a clean stop; otherwise the start-up failure
 * (config reasons name the field; key reasons from keys.h; the store's; "lws-context",
 * "lws-vhost", "mesh-unavailable").
 */
qiao_err qiao_daemon_run(const struct qiao_daemon_opts *o, struct qiao_diag *d);

#endif
