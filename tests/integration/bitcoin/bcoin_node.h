/*
 * bcoin_node.h: a bcoin regtest node for integration tests (in memory, --index-tx, 127.0.0.1 on a
 * free port, stopped by PID) and a JSON-RPC client connected to it.  Shared by the Bitcoin HTLC
 * test and the swap driver test.  Ownership: the struct owns the node process, the lws context
 * and the client; bcoin_node_stop releases all three.
 */
#ifndef QIAO_TEST_BCOIN_NODE_H
#define QIAO_TEST_BCOIN_NODE_H

#include <sys/types.h>

#include "relay/rpc/rpc.h"

struct bcoin_node {
    pid_t pid;
    int port;
    struct lws_context *lws;
    struct qiao_rpc *rpc;
};

/** Start the node (log in the build directory under log_name) and connect.  0 on success. */
int bcoin_node_start(struct bcoin_node *n, const char *log_name);

/** Destroy the client and the context, stop the node by PID.  Safe on a failed start. */
void bcoin_node_stop(struct bcoin_node *n);

#endif
