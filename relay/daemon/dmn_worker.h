/*
 * dmn_worker.h: one chain's worker thread.
 *
 * The EVM source half is synchronous (it runs its own lws loop inside each call), so each
 * configured chain gets a thread with its own lws_context and RPC client.  The worker follows the
 * node's headers, re-hashing each one and linking it by parent hash into a verified chain (never
 * trusting the node's hashes), scans every verified block whose logs bloom may hold an Outbox
 * MessageSent or an Inbox MessageDelivered, and proves those logs by re-deriving the block's
 * receipts root from eth_getBlockReceipts before anything leaves the thread.  It tracks finality
 * and reorgs for the blocks the service thread asks it to watch, and executes submission jobs
 * (sign and send Inbox.deliver, confirm by receipt, check Inbox.consumed).
 *
 * A worker never touches the store, the mesh or the API: results go to the service thread's
 * event queue, followed by lws_cancel_service() on the service context.
 *
 * Ownership: qiao_dmn_worker_start copies its options (the secret key is copied and wiped on
 * stop); `events` and `wake` are borrowed and must outlive the worker.
 */
#ifndef QIAO_DAEMON_WORKER_H
#define QIAO_DAEMON_WORKER_H

#include <stdint.h>

#include "relay/config/config.h"
#include "relay/core/diag.h"
#include "relay/daemon/dmn_queue.h"

struct lws_context;
struct qiao_dmn_worker;

struct qiao_dmn_worker_opts {
    struct qiao_cfg_chain chain;
    char anchor[80];          /* "latest", a number "0x..", or a hash "0x<64 hex>" */
    int check_anchor_hash;    /* anchoring by number: require anchor_hash */
    uint8_t anchor_hash[32];
    uint8_t seckey[32];       /* for signing deliver transactions */
    char nonce_path[QIAO_CFG_PATH_MAX + 32];
    unsigned rpc_timeout_ms;
    unsigned poll_ms;         /* idle head polling period */
    struct qiao_dmn_queue *events;
    struct lws_context *wake;
};

/** Start the thread.  Reasons: "out-of-memory", "thread-failed". */
qiao_err qiao_dmn_worker_start(struct qiao_dmn_worker **out, const struct qiao_dmn_worker_opts *o,
                               struct qiao_diag *d);
/** Hand a job (taken) to the worker. */
void qiao_dmn_worker_post(struct qiao_dmn_worker *w, struct qiao_dmn_item *job);
/** Stop and join the thread, free everything.  NULL is a no-op. */
void qiao_dmn_worker_stop(struct qiao_dmn_worker *w);

/* ---- internal to the worker's files (dmn_worker.c, dmn_scan.c, dmn_submit.c) ---------------- */

struct qiao_evm_header;
struct qiao_evm_source;
struct qiao_crypto;

struct qiao_dmn_watch {
    uint8_t id[32];
    uint64_t height;
    uint8_t hash[32];
};

struct qiao_dmn_worker {
    struct qiao_dmn_worker_opts o;
    pthread_t thread;
    volatile int stop;
    int thread_started;
    struct qiao_dmn_queue jobs;
    struct lws_context *lws;
    struct qiao_crypto *cx;
    struct qiao_evm_source *src;
    struct qiao_dmn_watch *watches;
    size_t nwatch, capwatch;
    struct qiao_dmn_item *deferred; /* jobs waiting for the node */
    uint64_t node_head;
    int rpc_ok, alerted;
    char error[256];
    int64_t last_head_report;
};

/** Post an event to the service thread and wake its loop. */
void qiao_dmn_worker_emit(struct qiao_dmn_worker *w, struct qiao_dmn_item *ev);

/**
 * Scan one header's block for Outbox and Inbox logs (dmn_scan.c), proving the block's receipts
 * against h's receiptsRoot.  Out: events appended to *out in log order (emit them with
 * qiao_dmn_worker_emit_list once the header is accepted; free them otherwise).
 */
qiao_err qiao_dmn_scan_block(struct qiao_dmn_worker *w, const struct qiao_evm_header *h,
                             struct qiao_dmn_item **out, struct qiao_diag *d);

/** Emit a list of scan events, watching the blocks of the observed messages. */
void qiao_dmn_worker_emit_list(struct qiao_dmn_worker *w, struct qiao_dmn_item *list);

/** Execute one JOB_SUBMIT (dmn_submit.c); reports through events, never fails silently. */
void qiao_dmn_submit(struct qiao_dmn_worker *w, const struct qiao_dmn_item *job);

/** Add a watch (owned copy). */
qiao_err qiao_dmn_worker_watch(struct qiao_dmn_worker *w, const uint8_t id[32], uint64_t height,
                               const uint8_t hash[32], struct qiao_diag *d);

#endif
