/*
 * dmn_swap_svc.h: what the swap driver's service-thread files share (dmn_swap.c,
 * dmn_swap_api.c).  Everything here runs on the lws service thread.
 */
#ifndef QIAO_DAEMON_SWAP_SVC_H
#define QIAO_DAEMON_SWAP_SVC_H

#include <libwebsockets.h>

#include "relay/daemon/dmn_swap.h"
#include "relay/store/htlc_swaps.h"

/** One unfinished swap in memory. */
struct qiao_swap_slot {
    struct qiao_htlc_record r;
    char stored[QIAO_STORE_SWAP_STATE_MAX]; /* the phase last stored ("" before the first put) */
    int busy[2];                            /* a send is with the worker */
    int64_t next_try_ms[2];                 /* backoff after a failed send */
};

struct qiao_dmn_swaps {
    struct qiao_daemon *dm;
    lws_sorted_usec_list_t sul;
    struct qiao_swap_worker *worker;
    struct qiao_swq events;
    struct {
        int known;
        uint64_t chain, height, time;
    } clock[QIAO_CFG_MAX_CHAINS];
    struct qiao_swap_slot **slots;
    size_t n, cap;
};

/** Every phase name qiao_htlc_phase can return, NULL-terminated. */
extern const char *const qiao_swap_phases[];

int64_t qiao_swap_wall_ms(void);
/** The verified tip of chain as the worker last reported it.  Returns 0 when none yet. */
int qiao_swap_clock(const struct qiao_dmn_swaps *sw, uint64_t chain, uint64_t *time,
                    uint64_t *height);
/** The unfinished swap id, or NULL. */
struct qiao_swap_slot *qiao_swap_find(struct qiao_dmn_swaps *sw, const uint8_t id[32]);
/** Add a copy of r to memory (stored: the phase in the store, or NULL).  Out: *out. */
qiao_err qiao_swap_add(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r,
                       const char *stored, struct qiao_swap_slot **out, struct qiao_diag *d);
/** Store s (compare-and-set on s->stored) and publish a "swaps" event naming what happened. */
qiao_err qiao_swap_save(struct qiao_dmn_swaps *sw, struct qiao_swap_slot *s, const char *what,
                        struct qiao_diag *d);
/** Ask the worker to watch both legs of s. */
void qiao_swap_watch_legs(struct qiao_dmn_swaps *sw, const struct qiao_swap_slot *s);
/** Hand a claim or refund of leg to the worker now. */
void qiao_swap_send(struct qiao_dmn_swaps *sw, struct qiao_swap_slot *s, int leg,
                    enum qiao_htlc_sent action);

/* ---- Bitcoin legs (dmn_swap_btc_svc.c) ---- */

struct qiao_btc_htlc_match;
struct qiao_htlc_event;

/** 1 when leg of r is a Bitcoin leg. */
int qiao_swap_is_bitcoin(const struct qiao_htlc_record *r, int leg);
/** The leg's engine time: its chain's verified tip time, or for Bitcoin the height clock.
 *  Returns 0 while the chain has no verified tip. */
int qiao_swap_leg_now(const struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                      uint64_t *now);
/** Fill a WATCH job's Bitcoin fields (the leg's P2WSH program). */
void qiao_swap_btc_watch_job(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                             struct qiao_swq_item *job);
/** The engine event for a Bitcoin observation (e->preimage points into m); 0 when it is a repeat
 *  or not about the output the engine took as the lock. */
int qiao_swap_btc_event(struct qiao_swap_slot *s, const struct qiao_swq_item *ev,
                        struct qiao_htlc_event *e, struct qiao_btc_htlc_match *m);
/** 1 when the relay holds the key of that branch of the leg (delegated) and has a payout. */
int qiao_swap_btc_can_act(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                          enum qiao_htlc_sent action);
/** Build and sign the leg's spend into job; 0 when it cannot (logged). */
int qiao_swap_btc_prepare(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                          enum qiao_htlc_sent action, struct qiao_swq_item *job);

#endif
