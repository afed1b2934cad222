/*
 * anvil.h: start and stop a real anvil node for the RPC client's integration tests.
 *
 * The node binds 127.0.0.1 on a port picked by the test (chain id 7001) and is stopped by PID;
 * proc.h's atexit handler stops it if a test dies early.
 */
#ifndef QIAO_TEST_RPC_ANVIL_H
#define QIAO_TEST_RPC_ANVIL_H

#include <sys/types.h>

/** Start anvil on port (0: pick one) and wait until it accepts connections.  Returns the PID or
 *  -1 (message on stderr); *port_out gets the port. */
pid_t qiao_test_anvil_start(int port, int *port_out);

#endif
