/*
 * mesh_harness.h: what the mesh transport tests share: notary keys sorted by address, one lws
 * context serviced until a condition holds, an event recorder per mesh, and a raw WebSocket
 * client on a plain socket for playing hostile peers byte by byte.
 *
 * Everything runs on 127.0.0.1 in the test's own thread; the raw client never blocks the lws
 * loop (its socket is non-blocking and is read from inside the service loop).
 */
#ifndef QIAO_TEST_MESH_HARNESS_H
#define QIAO_TEST_MESH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/mesh/frame.h"
#include "relay/mesh/mesh.h"

#define MH_MAX_NODES 8

struct mh_key {
    uint8_t sk[32];
    uint8_t addr[20];
};

/** What one mesh's event callbacks saw, per peer index (mh_index). */
struct mh_rec {
    int up[MH_MAX_NODES], down[MH_MAX_NODES], att[MH_MAX_NODES], want_frames[MH_MAX_NODES];
    size_t want_ids[MH_MAX_NODES];
    uint8_t first_want_id[32], last_want_id[32];
    uint8_t att_id[MH_MAX_NODES][32];
    uint64_t att_epoch[MH_MAX_NODES];
    uint8_t att_sig[MH_MAX_NODES][65];
    int violations;
    int violation_had_peer;
    char violation[48];
    char down_reason[48];
};

extern struct mh_key mh_keys[MH_MAX_NODES];
extern size_t mh_nkeys;
extern uint8_t mh_committee[32];

/** n keys from fixed seeds, sorted by ascending address. */
void mh_make_keys(struct qiao_crypto *cx, size_t n);
/** Index of addr in mh_keys, or -1. */
int mh_index(const uint8_t addr[20]);
/** Event table that records into rec. */
struct qiao_mesh_events mh_events(struct mh_rec *rec);

/** A quiet lws context without listeners of its own (TLS initialised). */
struct lws_context *mh_context(void);
/** Service ctx until pred(arg) holds or timeout_ms passes; returns pred's last value. */
int mh_service_until(struct lws_context *ctx, int (*pred)(void *), void *arg, unsigned timeout_ms);
/** Service ctx for ms milliseconds. */
void mh_service_for(struct lws_context *ctx, unsigned ms);

/** A raw WebSocket client. */
struct mh_raw {
    int fd;
    int eof;
    uint8_t in[1 << 16];
    size_t in_len;
    struct lws_context *ctx;
};

/**
 * Connect to 127.0.0.1:port.  upgrade 1: send the WebSocket upgrade (with subprotocol proto, or
 * none when NULL) and wait for 101.  Returns 0 on success.
 */
int mh_raw_open(struct mh_raw *r, struct lws_context *ctx, int port, int upgrade,
                const char *proto);
/** Send raw bytes. */
void mh_raw_write(struct mh_raw *r, const void *p, size_t n);
/** Send one masked client frame (opcode 1 text, 2 binary) whose header announces announce bytes
 * (normally n) followed by n payload bytes. */
void mh_raw_frame(struct mh_raw *r, int opcode, const void *p, size_t n, uint64_t announce);
/** Send one text frame. */
void mh_raw_text(struct mh_raw *r, const char *text);
/** Build and send a mesh frame. */
void mh_raw_send(struct mh_raw *r, const struct qiao_mesh_frame *f);
/** Wait for the next server text frame and parse it.  Returns 0 on success. */
int mh_raw_recv(struct mh_raw *r, struct qiao_mesh_frame *f, unsigned timeout_ms);
/** Wait until the server closes the connection.  Returns 1 when it did. */
int mh_raw_wait_closed(struct mh_raw *r, unsigned timeout_ms);
void mh_raw_close(struct mh_raw *r);
/**
 * Play member `key` through the handshake with the mesh whose address is `server`: read its
 * hello, send ours, answer with auth, read its auth.  Out: server_nonce, our_sig (may be NULL).
 * Returns 0 when every step went through.
 */
int mh_raw_handshake(struct mh_raw *r, struct qiao_crypto *cx, const struct mh_key *key,
                     const uint8_t server[20], uint64_t epoch, uint8_t server_nonce[32],
                     uint8_t our_sig[65]);

#endif
