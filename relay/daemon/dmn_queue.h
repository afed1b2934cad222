/*
 * dmn_queue.h: the hand-off between the daemon's service thread and its chain workers.
 *
 * Workers never touch the store, the mesh or the API: they put what they learned (a verified
 * message, a finality verdict, a submission's outcome) on the service thread's event queue and
 * wake its loop; the service thread puts jobs (watch this block, deliver this message) on a
 * worker's job queue and signals its condition variable.  A queue is a mutex-protected FIFO of
 * heap items, so order is preserved per producer: an observation always precedes the finality
 * verdict for the same message.
 *
 * Ownership: qiao_dmn_queue_push takes the item; qiao_dmn_queue_take hands the whole list to the
 * caller, who frees each item with qiao_dmn_item_free.
 */
#ifndef QIAO_DAEMON_QUEUE_H
#define QIAO_DAEMON_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/store/messages.h"

enum qiao_dmn_kind {
    /* worker -> service */
    QIAO_DMN_EV_HEAD = 1,    /* chain status: tip, final, node head, RPC health */
    QIAO_DMN_EV_OBSERVED,    /* a MessageSent proven against a verified header (msg, src) */
    QIAO_DMN_EV_SCANNED,     /* every block up to (height, hash) has been scanned (raw header) */
    QIAO_DMN_EV_FINAL,       /* message id's block is final and still canonical */
    QIAO_DMN_EV_DROPPED,     /* message id's block left the canonical chain before finality */
    QIAO_DMN_EV_ALERT,       /* a reorg deeper than finality, or below a certified message */
    QIAO_DMN_EV_SUBMITTED,   /* our deliver transaction tx for id left */
    QIAO_DMN_EV_DELIVERED,   /* id was delivered (tx in block height/hash); by_us when ours */
    QIAO_DMN_EV_SUBMIT_FAILED, /* submission of id failed (error) */
    /* service -> worker */
    QIAO_DMN_JOB_WATCH,      /* report FINAL or DROPPED for (id, height, hash) */
    QIAO_DMN_JOB_SUBMIT,     /* deliver msg with certificate sigs unless already consumed */
};

struct qiao_dmn_item {
    struct qiao_dmn_item *next;
    enum qiao_dmn_kind kind;
    uint64_t chain;
    uint8_t id[32];
    uint64_t height;
    uint8_t hash[32];
    uint8_t tx[32];
    int by_us;
    struct qiao_store_msg *msg;         /* OBSERVED, JOB_SUBMIT (heap) */
    struct qiao_store_msg_source src;   /* OBSERVED */
    uint64_t src_time;                  /* OBSERVED: the source block's timestamp (Unix s) */
    uint8_t *blob;                      /* SCANNED: header RLP; JOB_SUBMIT: certificate */
    size_t blob_len;
    /* HEAD */
    uint64_t tip, final_height, node_head, reorgs, headers;
    int has_final, rpc_ok;
    char error[256];
};

struct qiao_dmn_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct qiao_dmn_item *head, *tail;
    size_t len;
};

/** A zeroed item of kind for chain, or NULL when out of memory. */
struct qiao_dmn_item *qiao_dmn_item_new(enum qiao_dmn_kind kind, uint64_t chain);
/** Free an item and what it owns.  NULL is a no-op. */
void qiao_dmn_item_free(struct qiao_dmn_item *it);
/** Free a whole list. */
void qiao_dmn_item_free_list(struct qiao_dmn_item *it);

void qiao_dmn_queue_init(struct qiao_dmn_queue *q);
/** Free every queued item and the queue's mutex. */
void qiao_dmn_queue_clear(struct qiao_dmn_queue *q);
/** Append it (taken) and signal one waiter. */
void qiao_dmn_queue_push(struct qiao_dmn_queue *q, struct qiao_dmn_item *it);
/** Take every queued item, oldest first (NULL when empty). */
struct qiao_dmn_item *qiao_dmn_queue_take(struct qiao_dmn_queue *q);
/**
 * Wait up to ms for an item (or *stop), then take everything queued.  For worker threads.
 */
struct qiao_dmn_item *qiao_dmn_queue_wait(struct qiao_dmn_queue *q, unsigned ms,
                                          const volatile int *stop);
/** Queued items now. */
size_t qiao_dmn_queue_len(struct qiao_dmn_queue *q);

#endif
