/* bcoin_node.c: a bcoin regtest node for tests (see bcoin_node.h). */
#include "tests/integration/bitcoin/bcoin_node.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/proc.h"

static pid_t spawn(int port, const char *log_name)
{
    const char *bin = qiao_proc_kit_bin("bcoin");
    if (!bin)
        return -1;
    char p[32], prefix[64], log[512];
    snprintf(p, sizeof(p), "--http-port=%d", port);
    snprintf(prefix, sizeof(prefix), "--prefix=/tmp/qiao-bcoin-%d", port);
    snprintf(log, sizeof(log), "%s/%s", QIAO_BINARY_DIR, log_name);
    char *argv[] = {(char *)bin, "--network=regtest", "--memory=true", "--index-tx",
                    "--http-host=127.0.0.1", p, "--api-key=qiaotest", "--workers=false",
                    "--listen=false", "--no-wallet=true", "--log-level=error", prefix, NULL};
    pid_t pid = qiao_proc_spawn(argv, log);
    if (pid > 0 && qiao_proc_wait_port(port, 60000, pid) != 0)
        return qiao_proc_stop(pid), -1;
    return pid;
}

int bcoin_node_start(struct bcoin_node *n, const char *log_name)
{
    struct qiao_diag d = {0};
    char url[64];
    memset(n, 0, sizeof(*n));
    n->port = qiao_proc_free_port();
    n->pid = spawn(n->port, log_name);
    if (n->pid < 0)
        return -1;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", n->port);
    struct qiao_rpc_opts o = {.url = url, .basic_user = "x", .basic_pass = "qiaotest",
                              .dialect = QIAO_RPC_DIALECT_LEGACY, .timeout_ms = 20000};
    if (qiao_rpc_lws_create(&n->lws, &d) != QIAO_OK || qiao_rpc_create(&n->rpc, n->lws, &o, &d))
        return fprintf(stderr, "bcoin client: %s\n", d.msg), -1;
    return 0;
}

void bcoin_node_stop(struct bcoin_node *n)
{
    qiao_rpc_destroy(n->rpc);
    if (n->lws)
        lws_context_destroy(n->lws);
    if (n->pid > 0)
        qiao_proc_stop(n->pid);
    memset(n, 0, sizeof(*n));
}
