/*
 * config_check.c: `qiao_config_check FILE...`, a build-tree tool that runs the real notary
 * configuration parser (relay/config, qiao_config_load) over files and says which it refuses.
 *
 * scripts/devnet.js runs it on every configuration it writes, so a devnet never hands `qiao run` a
 * file the daemon would refuse; the message is the parser's own, naming the field.  It lives in the
 * build tree rather than as a `qiao` subcommand because the command table belongs to the CLI.
 * Exit status: 0 every file validates, 1 some file is refused, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "relay/config/config.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: qiao_config_check FILE...\n");
        return 2;
    }
    /* About 60 KiB: on the heap, as config.h asks. */
    struct qiao_config *cfg = malloc(sizeof(*cfg));
    if (!cfg) {
        fprintf(stderr, "qiao_config_check: out of memory\n");
        return 1;
    }
    int refused = 0;
    for (int i = 1; i < argc; i++) {
        struct qiao_diag d = {0};
        if (qiao_config_load(cfg, argv[i], &d) != QIAO_OK) {
            printf("%s [%s]\n", d.msg, d.reason);
            refused = 1;
        } else {
            printf("%s: ok (%u chains, %u lanes, %u peers, k=%u of %u)\n", argv[i], cfg->n_chains,
                   cfg->n_lanes, cfg->n_peers, cfg->committee.k, cfg->committee.n);
        }
    }
    free(cfg);
    return refused;
}
