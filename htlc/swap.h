/*
 * swap.h: the hash-locked swap engine, a pure state machine.
 *
 * A swap has two legs.  The initiator locks on leg INIT for the participant with timelock T1; the
 * participant locks on leg PART for the initiator with timelock T2.  The initiator claims PART
 * with the preimage, which reveals it on chain; the relay carries the preimage to INIT and claims
 * it for the participant.  Whoever does not get paid is refunded after expiry.
 *
 * The engine never sees a chain: the relay feeds it events observed through verified adapters
 * (lock, claim, refund, clock) and carries out the actions it answers with.  Each leg has its own
 * status (none → locked → claimed | refunded) and every other transition is refused, so a node
 * that reports a claim after expiry or a refund before it is caught rather than believed.
 *
 * Safety rules checked before anything is locked live in qiao_htlc_check_terms.
 */
#ifndef QIAO_HTLC_SWAP_H
#define QIAO_HTLC_SWAP_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/core/diag.h"

#define QIAO_HTLC_PREIMAGE_LEN 32
#define QIAO_HTLC_ADDR_MAX 33 /* EVM: 20-byte address; Bitcoin: 33-byte compressed key */

enum qiao_htlc_hash { QIAO_HTLC_SHA256 = 1, QIAO_HTLC_KECCAK256 = 2 };
enum qiao_htlc_leg_id { QIAO_HTLC_INIT = 0, QIAO_HTLC_PART = 1 };
enum qiao_htlc_status {
    QIAO_HTLC_NONE = 0,
    QIAO_HTLC_LOCKED,
    QIAO_HTLC_CLAIMED,
    QIAO_HTLC_REFUNDED,
};

/** One leg's agreed terms. */
struct qiao_htlc_leg {
    uint64_t chain_id;
    enum qiao_htlc_hash hash;
    uint8_t sender[QIAO_HTLC_ADDR_MAX];   /* who locks (left-aligned, addr_len bytes) */
    uint8_t receiver[QIAO_HTLC_ADDR_MAX]; /* who may claim */
    size_t addr_len;
    uint8_t amount[32];                   /* big-endian, in the chain's smallest unit */
    uint64_t timelock;                    /* Unix seconds: claim < timelock ≤ refund */
    uint32_t finality_s;                  /* configured time to finality on this chain */
    uint32_t submit_s;                    /* configured time to get a transaction included */
};

struct qiao_htlc_terms {
    uint8_t hashlock[32];
    size_t preimage_len;     /* must be QIAO_HTLC_PREIMAGE_LEN */
    uint64_t margin_s;       /* required T1 − T2 */
    struct qiao_htlc_leg leg[2];
};

/** Persisted swap state (plain data: the store keeps it as a blob beside lookup columns). */
struct qiao_htlc_swap {
    struct qiao_htlc_terms terms;
    enum qiao_htlc_status status[2];
    int preimage_known;
    uint8_t preimage[QIAO_HTLC_PREIMAGE_LEN];
    int claim_for_counterparty; /* relay submits the INIT claim for the participant */
    uint32_t alerts;            /* QIAO_HTLC_ALERT_* bits raised so far */
};

enum qiao_htlc_event_kind {
    QIAO_HTLC_EV_LOCKED = 1,
    QIAO_HTLC_EV_CLAIMED,
    QIAO_HTLC_EV_REFUNDED,
};

/** What the relay observed on one leg, with the time of the block that carried it. */
struct qiao_htlc_event {
    enum qiao_htlc_event_kind kind;
    enum qiao_htlc_leg_id leg;
    uint64_t block_time;
    /* LOCKED: the on-chain lock's parameters, compared with the terms. */
    uint8_t hashlock[32];
    uint8_t receiver[QIAO_HTLC_ADDR_MAX];
    uint8_t amount[32];
    uint64_t timelock;
    /* CLAIMED: the preimage the claim revealed. */
    const uint8_t *preimage;
    size_t preimage_len;
};

enum qiao_htlc_action_kind {
    QIAO_HTLC_ACT_NONE = 0,
    QIAO_HTLC_ACT_CLAIM,  /* submit withdraw(id, preimage) on `leg` */
    QIAO_HTLC_ACT_REFUND, /* submit refund(id) on `leg` */
};

#define QIAO_HTLC_ALERT_MISSED_CLAIM 1u  /* preimage known but INIT expired before it was claimed */
#define QIAO_HTLC_ALERT_NEVER_LOCKED 2u  /* the participant never locked before its deadline */

struct qiao_htlc_action {
    enum qiao_htlc_action_kind kind;
    enum qiao_htlc_leg_id leg;
};

/**
 * Check terms before anything is locked, at time now.  Reasons: "hash-mismatch",
 * "preimage-length", "margin-too-small", "timelock-order", "timelock-too-soon", "amount-zero",
 * "recipient-zero", "recipient-mismatch", "address-length", "unsupported-hash".
 */
qiao_err qiao_htlc_check_terms(const struct qiao_htlc_terms *t, uint64_t now,
                               struct qiao_diag *d);

/** Start a swap from checked terms. */
void qiao_htlc_init(struct qiao_htlc_swap *s, const struct qiao_htlc_terms *t,
                    int claim_for_counterparty);

/**
 * Apply one observed event.  Refused (state unchanged): "lock-mismatch", "bad-transition",
 * "claim-after-expiry", "refund-before-expiry", "bad-preimage", "preimage-length".
 */
qiao_err qiao_htlc_apply(struct qiao_crypto *cx, struct qiao_htlc_swap *s,
                         const struct qiao_htlc_event *ev, struct qiao_diag *d);

/**
 * The actions due at time now (at most two: one per leg), and alert bits raised.  Pure in its
 * inputs: calling it twice at the same time gives the same answer.
 */
size_t qiao_htlc_due(struct qiao_htlc_action out[2], struct qiao_htlc_swap *s, uint64_t now);

/** A short name for the swap's overall phase ("proposed", "init-locked", ..., "refunded"). */
const char *qiao_htlc_phase(const struct qiao_htlc_swap *s);

#endif
