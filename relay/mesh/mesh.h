/*
 * mesh.h: the notary mesh transport: authenticated WebSocket links between committee members.
 *
 * Every pair of notaries keeps one connection: the member with the lower address dials, the
 * higher one accepts (so two notaries never race to build two links).  On connect both sides send
 * hello with a fresh nonce and answer the other's with auth (auth.h); until both directions are
 * authenticated no other frame is accepted.  After that, frames (frame.h) carry attestations,
 * "want" requests and heartbeats.  A peer that sends a malformed frame, fails authentication,
 * floods past its rate limit or goes silent past dead_after_ms is disconnected and reported;
 * dialled peers are re-dialled with backoff.
 *
 * The mesh verifies who a peer is, never what it says: attestations are handed to the daemon,
 * which checks the signature against the committee and persists it before acting on it.
 *
 * Threading: everything runs on the service thread of the caller's lws_context.
 * Ownership: opts are copied (the secret key is copied and wiped on destroy); `cx` and the event
 * callbacks' `user` are borrowed for the mesh's lifetime.
 */
#ifndef QIAO_MESH_MESH_H
#define QIAO_MESH_MESH_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/core/diag.h"

struct lws_context;
struct qiao_mesh;

struct qiao_mesh_peer_cfg {
    uint8_t addr[20];
    const char *url; /* ws://host:port/ or wss://...; used only when we are the dialling side */
};

struct qiao_mesh_opts {
    const char *listen_host;   /* NULL: 127.0.0.1 */
    int listen_port;           /* 0: any free port (qiao_mesh_listen_port) */
    const uint8_t *seckey;     /* this notary's key (32 bytes), copied */
    uint8_t self[20];
    uint8_t committee[32];
    uint64_t epoch;
    const struct qiao_mesh_peer_cfg *peers; /* the other members */
    size_t npeers;
    size_t max_frame;          /* 0: QIAO_MESH_MAX_FRAME */
    double frames_per_s;       /* per peer; 0: 200 */
    double frame_burst;        /* 0: 400 */
    unsigned heartbeat_ms;     /* 0: 2000 */
    unsigned dead_after_ms;    /* 0: 10000 */
    const char *tls_cert, *tls_key, *tls_ca; /* all NULL: plain ws */
};

struct qiao_mesh_events {
    void *user;
    void (*peer_up)(void *user, const uint8_t peer[20]);
    void (*peer_down)(void *user, const uint8_t peer[20], const struct qiao_diag *why);
    /** An authenticated peer relayed an attestation (not yet checked: the daemon does that). */
    void (*attestation)(void *user, const uint8_t peer[20], const uint8_t id[32], uint64_t epoch,
                        const uint8_t sig[65]);
    /** An authenticated peer asks which attestations we hold for these ids. */
    void (*want)(void *user, const uint8_t peer[20], const uint8_t (*ids)[32], size_t n);
    /** A protocol violation (peer is NULL before authentication); the link is being dropped. */
    void (*violation)(void *user, const uint8_t *peer, const struct qiao_diag *d);
};

/**
 * Start listening and dialling.  Reasons: "lws-vhost", "bad-opts", "out-of-memory",
 * "tls-client-ctx" (a TLS file that OpenSSL refuses, named in the message).
 */
qiao_err qiao_mesh_create(struct qiao_mesh **out, struct lws_context *lws, struct qiao_crypto *cx,
                          const struct qiao_mesh_opts *o, const struct qiao_mesh_events *ev,
                          struct qiao_diag *d);
/** Close every link and stop listening.  NULL is a no-op. */
void qiao_mesh_destroy(struct qiao_mesh *m);
int qiao_mesh_listen_port(const struct qiao_mesh *m);
/** Queue an attestation for one peer (peer NULL: every authenticated peer).  Returns peers reached. */
int qiao_mesh_send_att(struct qiao_mesh *m, const uint8_t *peer, const uint8_t id[32],
                       uint64_t epoch, const uint8_t sig[65]);
/** Ask one peer (NULL: all) for attestations of n ids (split into frames of QIAO_MESH_MAX_WANT). */
int qiao_mesh_send_want(struct qiao_mesh *m, const uint8_t *peer, const uint8_t (*ids)[32],
                        size_t n);
/** Authenticated peers connected now. */
size_t qiao_mesh_peers_up(const struct qiao_mesh *m);
int qiao_mesh_peer_is_up(const struct qiao_mesh *m, const uint8_t peer[20]);

#endif
