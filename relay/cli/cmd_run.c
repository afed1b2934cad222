/*
 * cmd_run.c: `qiao run --config FILE [--insecure-plaintext-key]`: one notary (relay/daemon).
 * SIGTERM and SIGINT stop it cleanly; start-up refusals print the reason and the field, exit 1.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "relay/cli/commands.h"
#include "relay/daemon/daemon.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: qiao run --config FILE [--insecure-plaintext-key]\n"
                    "Runs one notary; see docs/OPERATIONS.md.  The key passphrase comes from the "
                    "environment variable or file the config names.\n");
    return 2;
}

int qiao_cmd_run(int argc, char **argv)
{
    struct qiao_daemon_opts o = {.stop = &stop_flag};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            o.config_path = argv[++i];
        else if (strcmp(argv[i], "--insecure-plaintext-key") == 0)
            o.insecure_plaintext_key = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage() & 0;
        else {
            fprintf(stderr, "qiao run: unknown or incomplete option \"%s\"\n", argv[i]);
            return usage();
        }
    }
    if (!o.config_path) {
        fprintf(stderr, "qiao run: --config FILE is required\n");
        return usage();
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct qiao_diag d = {0};
    if (qiao_daemon_run(&o, &d)) {
        fprintf(stderr, "qiao run: %s: %s\n", d.reason, d.msg);
        return 1;
    }
    return 0;
}
