/*
 * hostile.h: a tiny local HTTP and WebSocket server that lies.
 *
 * It stands in for a lying or broken node, because no real node can be made to lie: anvil always
 * answers well-formed JSON-RPC.  The URL path picks the misbehaviour ("/wrong-id", "/huge-cl",
 * "/ws/malformed", ...; see hostile.c for the list).  It listens on 127.0.0.1 only, serves each
 * connection on its own thread, bounds every loop in bytes and time, and counts what it sent so
 * tests can prove the client aborted an oversized transfer early.
 */
#ifndef QIAO_TEST_RPC_HOSTILE_H
#define QIAO_TEST_RPC_HOSTILE_H

#include <stddef.h>

/** Start the server on a free 127.0.0.1 port; returns the port or -1. */
int qiao_hostile_start(void);

/** How many oversized-body connections have finished so far. */
int qiao_hostile_huge_done(void);

/** Wait (up to 5 s) until an oversized-body connection after huge_done_before has finished, and
 *  return how many body bytes the server managed to write on it; (size_t)-1 if none finished. */
size_t qiao_hostile_bytes_sent(int huge_done_before);

/** The port of the same server behind TLS (a fresh self-signed certificate), or -1. */
int qiao_hostile_tls_port(void);

/** Connections accepted so far. */
int qiao_hostile_connections(void);

/** Stop accepting (connection threads end on their own within their bounds). */
void qiao_hostile_stop(void);

#endif
