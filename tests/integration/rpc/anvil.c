/* anvil.c: a real anvil for the RPC integration tests (see anvil.h). */
#include "anvil.h"

#include <stdio.h>

#include "tests/support/proc.h"

pid_t qiao_test_anvil_start(int port, int *port_out)
{
    const char *bin = qiao_proc_kit_bin("anvil");
    if (!bin)
        return -1;
    if (!port)
        port = qiao_proc_free_port();
    char portbuf[16];
    snprintf(portbuf, sizeof(portbuf), "%d", port);
    char *argv[] = {(char *)bin, "--port", portbuf, "--host", "127.0.0.1", "--chain-id", "7001",
                    NULL};
    pid_t pid = qiao_proc_spawn(argv, QIAO_BINARY_DIR "/anvil-rpc-test.log");
    if (pid < 0)
        return -1;
    if (qiao_proc_wait_port(port, 30000, pid) != 0) {
        fprintf(stderr, "anvil did not open port %d (log: %s)\n", port,
                QIAO_BINARY_DIR "/anvil-rpc-test.log");
        qiao_proc_stop(pid);
        return -1;
    }
    *port_out = port;
    return pid;
}
