/*
 * hostile.h: a hostile stand-in JSON-RPC node for adversarial tests.  No real node can be made to
 * lie about a header hash or send an oversized reply, so this small HTTP/1.1 server (one thread,
 * one connection at a time, 127.0.0.1) answers each call from a caller-supplied function.  It is a
 * mock by necessity, and only the adversarial cases use it.
 */
#ifndef QIAO_TEST_EVM_HOSTILE_H
#define QIAO_TEST_EVM_HOSTILE_H

#include <cjson/cJSON.h>

/** Answer one call: return a malloc'd full JSON-RPC reply text for request req (with its id). */
typedef char *(*hostile_answer_fn)(void *user, const cJSON *req);

/** Start serving on a free port; returns the port or -1. */
int hostile_start(hostile_answer_fn fn, void *user);
/** Stop the server thread. */
void hostile_stop(void);

#endif
