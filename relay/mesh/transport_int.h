/*
 * transport_int.h: the mesh transport's internal state, shared by transport.c (lifecycle and the
 * public calls), transport_link.c (one connection: handshake, frames, send queue) and
 * transport_lws.c (the lws callback, dialling with backoff, the heartbeat cron).  Not for use
 * outside relay/mesh/.
 *
 * Ownership: a struct qiao_mesh owns its peers and its links.  A link is tied to its lws
 * connection only through the wsi's opaque user data; detaching sets that to NULL, after which
 * the connection's remaining callbacks find nothing and close it.  The struct qiao_mesh_vh block
 * holds what lws keeps pointers to for the vhost's lifetime (its name, interface and TLS paths).
 * qiao_mesh_destroy parks the listening vhost instead of destroying it (transport.c says why), so
 * the block belongs to the vhost: a later mesh on the same port adopts both, and otherwise the
 * block is freed in the vhost's LWS_CALLBACK_PROTOCOL_DESTROY when the lws context goes.
 */
#ifndef QIAO_MESH_TRANSPORT_INT_H
#define QIAO_MESH_TRANSPORT_INT_H

#include <libwebsockets.h>

#include "relay/core/bytes.h"
#include "relay/mesh/frame.h"
#include "relay/mesh/mesh.h"
#include "relay/mesh/ratelimit.h"
#include "relay/rpc/rpc_url.h"

/* A frame is reassembled in a buffer of at most max_frame bytes; above this nobody may set it. */
#define QIAO_MESH_HARD_MAX_FRAME ((size_t)1 << 20)
/* Frames waiting for WRITEABLE on one link; a peer that stops reading is cut off here. */
#define QIAO_MESH_MAX_QUEUE 8192u
/* Connections that have not authenticated yet, beyond one per peer, before we refuse more. */
#define QIAO_MESH_SPARE_LINKS 16u

/** One outgoing frame: LWS_PRE bytes of headroom, then the JSON text. */
struct qiao_mesh_out {
    struct qiao_mesh_out *next;
    size_t len;
    uint8_t data[];
};

struct qiao_mesh_peer;

/** One WebSocket connection, dialled or accepted, from connect until CLOSED. */
struct qiao_mesh_link {
    struct qiao_mesh_link *next; /* in m->links */
    struct qiao_mesh *m;
    struct lws *wsi;
    struct qiao_mesh_peer *peer; /* dialled: the peer we called; accepted: set once authenticated */
    int dialled;
    int established;             /* the WebSocket is open and our hello is queued */
    int got_hello;
    int authed;                  /* the peer proved its key: frames other than hello/auth flow */
    int closing;                 /* we are dropping it; why says why */
    int in_connect;              /* inside lws_client_connect_via_info: errors only mark it */
    int connect_failed;
    uint8_t our_nonce[32];
    uint8_t their_from[20];
    uint8_t their_nonce[32];
    struct qiao_buf rx;          /* the message being reassembled, capped at max_frame */
    struct qiao_mesh_out *head, *tail;
    unsigned queued;
    struct qiao_bucket bucket;
    uint64_t opened_ms, last_rx_ms, last_hb_ms;
    struct qiao_diag why;
};

/** One configured committee peer. */
struct qiao_mesh_peer {
    struct qiao_mesh *m;
    uint8_t addr[20];
    int dial;                    /* our address is lower: we dial it */
    struct qiao_rpc_url url;     /* dial peers only */
    char host_header[QIAO_RPC_HOST_MAX + 16];
    struct qiao_mesh_link *dialing; /* dialled link not yet closed (connecting, handshaking or up) */
    struct qiao_mesh_link *up;   /* the authenticated link, if any */
    lws_sorted_usec_list_t sul_retry;
    uint16_t retry_try;
    int retry_scheduled;
};

/** What lws borrows for the vhost's lifetime; see the file comment. */
struct qiao_mesh_vh {
    struct qiao_mesh *m; /* NULL while parked (no mesh owns the vhost) */
    char name[48];
    char iface[64];
    char *tls_cert, *tls_key, *tls_ca;
};

struct qiao_mesh {
    struct lws_context *lws;
    struct lws_vhost *vh;
    struct qiao_mesh_vh *vhb;
    struct qiao_crypto *cx;
    struct qiao_mesh_events ev;
    uint8_t seckey[32];
    uint8_t self[20];
    uint8_t committee[32];
    uint64_t epoch;
    size_t max_frame;
    double frames_per_s, frame_burst;
    unsigned heartbeat_ms, dead_after_ms, tick_ms;
    int tls;
    struct qiao_mesh_peer *peers;
    uint8_t (*allowed)[20]; /* the peers' addresses, for qiao_mesh_auth_check */
    size_t npeers;
    struct qiao_mesh_link *links;
    size_t nlinks;
    lws_sorted_usec_list_t sul_cron;
};

/* transport.c */
/** Monotonic milliseconds. */
uint64_t qiao_mesh_now_ms(void);
/** The configured peer with this address, or NULL. */
struct qiao_mesh_peer *qiao_mesh_find_peer(struct qiao_mesh *m, const uint8_t addr[20]);

/* transport_link.c */
/** A new link in m->links (dialled: to peer).  NULL when out of memory. */
struct qiao_mesh_link *qiao_mesh_link_new(struct qiao_mesh *m, int dialled,
                                          struct qiao_mesh_peer *peer);
/** The WebSocket opened: start the handshake.  Returns -1 to close. */
int qiao_mesh_link_established(struct qiao_mesh_link *l, struct lws *wsi);
/** Bytes of a message arrived.  Returns -1 to close (l->why says why). */
int qiao_mesh_link_receive(struct qiao_mesh_link *l, const void *in, size_t len);
/** Send one queued frame.  Returns -1 to close. */
int qiao_mesh_link_writeable(struct qiao_mesh_link *l);
/** Queue one frame.  Returns 0, or -1 when the link is closing or its queue is full. */
int qiao_mesh_link_send(struct qiao_mesh_link *l, const struct qiao_mesh_frame *f);
/** The connection is gone: report peer_down if it was up, re-dial if we dial, free l. */
void qiao_mesh_link_closed(struct qiao_mesh_link *l, const char *reason, const char *what);
/** Drop l from outside a callback of its own (the cron, a replacing link). */
void qiao_mesh_link_kill(struct qiao_mesh_link *l, const struct qiao_diag *why, int violation);
/** Heartbeats and deadlines for one link at now. */
void qiao_mesh_link_tick(struct qiao_mesh_link *l, uint64_t now);
/** Free l without callbacks (destroy). */
void qiao_mesh_link_free(struct qiao_mesh_link *l);

/* transport_lws.c */
/** The protocol table the mesh's vhosts use. */
extern const struct lws_protocols qiao_mesh_protocols[];
/** Start the cron and the first dials. */
void qiao_mesh_start(struct qiao_mesh *m);
/** Schedule a re-dial of p with backoff. */
void qiao_mesh_schedule_dial(struct qiao_mesh_peer *p);

#endif
