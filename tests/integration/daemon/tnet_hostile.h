/*
 * tnet_hostile.h: hostile parts for the daemon's integration tests (tnet.h): a fake notary that
 * passes mesh authentication with a real member key and then says what it likes, signatures made
 * the way an attacker would (another nonce, s -> n - s), Inbox calls whose revert reason is read
 * back, raw HTTP requests, and a JSON-RPC proxy in front of a chain that corrupts its replies on
 * demand.
 *
 * The fake notary runs the real mesh transport (relay/mesh) on its own lws context, serviced only
 * inside tfake_pump: call it often (well within the notaries' 10 s dead-peer limit).  The proxy
 * runs on its own thread with blocking sockets; its mode may be changed at any time.
 * Ownership: each struct owns what it started; tfake_stop / tproxy_stop release it.
 */
#ifndef QIAO_TEST_TNET_HOSTILE_H
#define QIAO_TEST_TNET_HOSTILE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "tnet.h"

struct qiao_crypto;
struct qiao_mesh;

struct tfake {
    struct lws_context *ctx;
    struct qiao_crypto *cx;
    struct qiao_mesh *mesh;
    uint8_t seckey[32], addr[20];
    unsigned ups; /* peer_up events seen */
};

/**
 * Start notary `self`'s identity (key, mesh port) in this process, linked to every other notary
 * of t.  The real notary `self` must not be running.  0 on success.
 */
int tfake_start(struct tfake *f, struct tnet *t, unsigned self);
/** Service the fake's mesh for ms milliseconds. */
void tfake_pump(struct tfake *f, unsigned ms);
/** Pump until n peers are authenticated; 0 when they are, -1 after timeout_ms. */
int tfake_wait_up(struct tfake *f, size_t n, unsigned timeout_ms);
/** Gossip one attestation to every authenticated peer; returns peers reached. */
int tfake_send_att(struct tfake *f, const uint8_t id[32], uint64_t epoch, const uint8_t sig[65]);
void tfake_stop(struct tfake *f);

/**
 * Sign digest with seckey using extra nonce entropy `salt` (0: plain RFC 6979, the signature an
 * honest notary makes); a different salt gives a different valid low-S signature by the same key.
 * Out: sig = r ‖ s ‖ v (v 27/28).  0 on success.
 */
int tsig_sign(uint8_t sig[65], const uint8_t seckey[32], const uint8_t digest[32], unsigned salt);
/** Turn a low-S signature into its high-S twin (s -> n - s, v flipped): same signer to ecrecover. */
void tsig_high_s(uint8_t sig[65]);
/** The address of seckey. */
void tsig_address(uint8_t addr[20], const uint8_t seckey[32]);

/**
 * eth_call `data` to `to` on chain c.  Out: revert[4], the revert data's selector (zero when the
 * call did not revert).  Returns 1 when it reverted, 0 when it succeeded, -1 on transport failure.
 */
int tnet_call_revert(struct tnet *t, unsigned c, const uint8_t to[20], const uint8_t *data,
                     size_t len, uint8_t revert[4]);

/**
 * A raw HTTP/1.0 request to 127.0.0.1:port: request line and headers from `head` (without the
 * final blank line), then len body bytes.  Out: the reply (headers and body, NUL-terminated).
 * Returns the HTTP status, or -1 when no reply came.
 */
int thttp_raw(int port, const char *head, const void *body, size_t len, char *out, size_t cap);

enum tproxy_mode {
    TPROXY_PASS = 0,    /* forward as is */
    TPROXY_BAD_HASH,    /* flip a digit of every "hash" value in the reply */
    TPROXY_TRUNCATED,   /* half of the reply's JSON, with a matching Content-Length */
    TPROXY_HUGE,        /* announce a 1 GiB body */
    TPROXY_HTTP_500,    /* answer 500 Internal Server Error */
};

struct tproxy {
    int port, upstream_port, lfd;
    volatile int mode, stop;
    volatile unsigned served; /* requests answered */
    pthread_t th;
};

/** Listen on a free port and forward HTTP JSON-RPC to 127.0.0.1:upstream_port.  0 on success. */
int tproxy_start(struct tproxy *p, int upstream_port);
void tproxy_stop(struct tproxy *p);

#endif
