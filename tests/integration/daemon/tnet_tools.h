/*
 * tnet_tools.h: more helpers for the daemon's integration tests (tnet.h): batched sends, the
 * notaries' /metrics, a bare WebSocket client for hostile frames and API subscriptions, and
 * read-only checks of a notary's SQLite store.
 *
 * The WebSocket client is hand-made on a blocking socket on purpose: a hostile peer must be able
 * to send what no well-behaved library would (an oversized frame, invalid JSON, frames before
 * authentication).
 */
#ifndef QIAO_TEST_TNET_TOOLS_H
#define QIAO_TEST_TNET_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "tnet.h"

/**
 * Send n messages from src to dst in few blocks: automine off, n Outbox.send transactions into
 * the pool, mine until the pool is empty, automine on.  Out: ids[n].  0 on success.
 */
int tnet_send_batch(struct tnet *t, unsigned src, unsigned dst, size_t n, const char *tag,
                    uint8_t (*ids)[32]);
/** Send n messages (payloads {"tag":tag,"i":i}) without mining.  Out: ids[n].  0 on success. */
int tnet_send_many(struct tnet *t, unsigned src, unsigned dst, size_t n, const char *tag,
                   uint8_t (*ids)[32]);
/** Mine blocks on chain c until its transaction pool is empty.  0 on success. */
int tnet_mine_pending(struct tnet *t, unsigned c);
/** Turn anvil's automine on chain c on or off.  0 on success. */
int tnet_automine(struct tnet *t, unsigned c, int on);

/** GET path from 127.0.0.1:port (HTTP/1.0); the body, NUL-terminated, into out.  0 on success. */
int tnet_http_get(int port, const char *path, char *out, size_t cap);
/**
 * The value of one Prometheus sample (e.g. `qiao_verification_failures_total{reason="high-s"}`)
 * from notary i's /metrics; 0 when the sample is absent, -1 when /metrics cannot be read.
 */
double tnet_metric(struct tnet *t, unsigned i, const char *sample);
/** 1 when notary i's log contains needle. */
int tnet_log_has(struct tnet *t, unsigned i, const char *needle);

/** A connected WebSocket (blocking socket), or -1.  protocol may be NULL. */
int tws_connect(int port, const char *path, const char *protocol);
/** Send one masked frame: opcode (1 text, 2 binary), len bytes.  0 on success. */
int tws_send(int fd, int opcode, const void *data, size_t len);
/** Send a frame header claiming len bytes, and only `sent` of them (oversize probes). */
int tws_send_header_only(int fd, int opcode, uint64_t len, const void *data, size_t sent);
/**
 * Receive one text frame into out (NUL-terminated) within timeout_ms.  Returns its length, -1 on
 * timeout or error, -2 when the server closed the connection.
 */
int tws_recv(int fd, char *out, size_t cap, unsigned timeout_ms);

/**
 * Check notary i's store (read-only, safe while it runs: WAL): every signed_lane_seq row names a
 * stored message of that lane and seq and holds its attestation digest; and no signer has an
 * attestation for two different messages of one (lane, seq).  Out: *guards, *atts (rows seen).
 * Returns 0 when everything holds, else -1 with the violation on stderr.
 */
int tnet_store_check(struct tnet *t, unsigned i, size_t *guards, size_t *atts);

#endif
