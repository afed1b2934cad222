/*
 * dmn_swap.h: the daemon's HTLC swap driver (docs/HTLC.md, "The relay's swap driver").
 *
 * Two halves, like the message pipeline:
 *   - the service half (dmn_swap.c, dmn_swap_api.c) runs on the lws service thread: it owns the
 *     swap records (htlc/swap_record.h), persists every change in the store (htlc_swaps.h,
 *     compare-and-set on the phase), feeds verified observations to the engine (htlc/swap.h),
 *     asks the engine what is due on each leg at that leg's chain time, and publishes "swaps"
 *     events on the API WebSocket;
 *   - the swap worker (dmn_swap_worker.c, dmn_swap_evm.c) is one thread with its own lws context
 *     and RPC clients.  It follows each watched chain's headers into a verified chain, scans final
 *     blocks whose logs bloom may hold a HashedTimelock log, proves the block's receipts against
 *     the verified receiptsRoot before decoding any log, and reports Locked / Withdrawn /
 *     Refunded with the block's height and timestamp.  It also signs and sends withdraw and
 *     refund transactions with the notary key and reports their receipts.
 * The halves talk only through a mutex-protected queue each way (struct qiao_swq).
 *
 * Ownership: the worker copies its options (the secret key is wiped on stop); items put on a
 * queue are taken by it.
 */
#ifndef QIAO_DAEMON_SWAP_H
#define QIAO_DAEMON_SWAP_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>

#include "htlc/swap_record.h"
#include "relay/config/config.h"
#include "relay/core/diag.h"

struct qiao_daemon;
struct lws_context;

enum qiao_swq_kind {
    /* service -> worker */
    QIAO_SWQ_WATCH = 1, /* watch leg `leg` of swap `id` (chain, contract, hashlock, from) */
    QIAO_SWQ_FORGET,    /* stop watching swap `id` */
    QIAO_SWQ_SEND,      /* send `action` on leg (lock_id, preimage for a claim) */
    /* worker -> service */
    QIAO_SWQ_CLOCK,     /* chain's verified tip: height, timestamp */
    QIAO_SWQ_LOCKED,    /* a Locked log with the watched hashlock, proven in a final block */
    QIAO_SWQ_CLAIMED,   /* a Withdrawn log of a lock id the worker saw locked */
    QIAO_SWQ_REFUNDED,  /* a Refunded log of such a lock id */
    QIAO_SWQ_SENT,      /* outcome of a SEND: ok (receipt status 1) or error */
};

#define QIAO_SWQ_RAW_MAX 512 /* a one-input, one-output HTLC spend is under 400 bytes */

struct qiao_swq_item {
    struct qiao_swq_item *next;
    enum qiao_swq_kind kind;
    uint8_t id[32];      /* swap id */
    int leg;
    uint64_t chain;
    uint8_t contract[20];
    uint8_t hashlock[32];
    uint64_t height, time; /* block of the observation, or the tip for CLOCK */
    uint8_t lock_id[32];
    /* LOCKED: the lock's parameters */
    uint8_t sender[20], receiver[20], token[20];
    uint8_t amount[32];
    uint64_t timelock;
    /* CLAIMED: the revealed preimage (any length the log carried, capped) */
    uint8_t preimage[64];
    size_t preimage_len;
    /* Bitcoin legs (dmn_swap_btc*.c): the leg's P2WSH program (WATCH); the outpoint locked or
     * spent and its value (LOCKED, CLAIMED, REFUNDED: lock_id holds the txid); the signed spend
     * (SEND), built on the service thread where the record is. */
    int bitcoin;
    uint8_t program[32];
    uint32_t vout;
    uint64_t value;
    uint8_t raw[QIAO_SWQ_RAW_MAX];
    size_t raw_len;
    /* SEND / SENT */
    enum qiao_htlc_sent action;
    uint8_t tx[32];
    int ok;
    char error[QIAO_HTLC_NOTE_MAX];
};

struct qiao_swq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct qiao_swq_item *head, *tail;
};

void qiao_swq_init(struct qiao_swq *q);
/** Free every queued item and the mutex. */
void qiao_swq_clear(struct qiao_swq *q);
/** A zeroed item, or NULL when out of memory. */
struct qiao_swq_item *qiao_swq_new(enum qiao_swq_kind kind);
/** Append it (taken; NULL is ignored) and wake a waiter. */
void qiao_swq_push(struct qiao_swq *q, struct qiao_swq_item *it);
/** Take everything queued, oldest first, waiting up to ms when empty (0: do not wait). */
struct qiao_swq_item *qiao_swq_take(struct qiao_swq *q, unsigned ms, const volatile int *stop);
void qiao_swq_free_list(struct qiao_swq_item *it);

/* ---- the worker ------------------------------------------------------------------------------ */

struct qiao_swap_worker;

struct qiao_swap_worker_opts {
    struct qiao_cfg_chain chains[QIAO_CFG_MAX_CHAINS];
    unsigned n_chains;
    uint8_t seckey[32];
    char nonce_prefix[QIAO_CFG_PATH_MAX]; /* nonce file: <prefix>.swap-nonces-<chain> */
    unsigned rpc_timeout_ms;
    struct qiao_swq *events;              /* borrowed */
};

/** Start the thread.  Reasons: "out-of-memory", "thread-failed". */
qiao_err qiao_swap_worker_start(struct qiao_swap_worker **out,
                                const struct qiao_swap_worker_opts *o, struct qiao_diag *d);
/** Hand a job (taken) to the worker. */
void qiao_swap_worker_post(struct qiao_swap_worker *w, struct qiao_swq_item *job);
/** Stop, join and free.  NULL is a no-op. */
void qiao_swap_worker_stop(struct qiao_swap_worker *w);

/* ---- the service half ------------------------------------------------------------------------ */

/** Load unfinished swaps from the store, start the worker and the timer. */
qiao_err qiao_dmn_swaps_start(struct qiao_daemon *dm, struct qiao_diag *d);
/** Stop the worker and free the swaps.  Safe when never started. */
void qiao_dmn_swaps_stop(struct qiao_daemon *dm);
/** The swaps.* API methods (dmn_swap_api.c); ENOTFOUND "method-not-found" for others. */
qiao_err qiao_dmn_swaps_call(struct qiao_daemon *dm, const char *method, const cJSON *params,
                             cJSON **result, struct qiao_diag *d);

#endif
