/*
 * main.c: the `qiao` command.  One binary, subcommands dispatched from a table so that `qiao
 * --help` and the dispatcher can never disagree.
 */
#include <stdio.h>
#include <string.h>

#include "relay/cli/commands.h"
#include "relay/core/log.h"

struct qiao_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct qiao_command commands[] = {
    {.name = "demo", .run = qiao_cmd_demo, .summary = "offline walk-through: keys, signatures, RLP, Keccak (./run demo runs the network)"},
    {.name = "run", .run = qiao_cmd_run, .summary = "run one notary: qiao run --config FILE"},
    {.name = "status", .run = qiao_cmd_status, .summary = "a running notary's chains, peers and backlog"},
    {.name = "msg", .run = qiao_cmd_msg, .summary = "messages of a running notary: list, show ID, retry ID"},
    {.name = "swap", .run = qiao_cmd_swap, .summary = "HTLC swaps of a running notary: propose FILE, list, show ID, refund ID"},
    {.name = "keygen", .run = qiao_cmd_keygen, .summary = "create an encrypted notary key file (mode 0600)"},
    {.name = "bench", .run = qiao_cmd_bench, .summary = "benchmarks: primitives, btc-headers, evm-proofs, bft, relay"},
    {.name = "btc", .run = qiao_cmd_btc, .summary = "Bitcoin conformance: verify-headers, verify-proof"},
    {.name = "evm", .run = qiao_cmd_evm, .summary = "EVM conformance: verify-block"},
    {.name = "bft", .run = qiao_cmd_bft, .summary = "CometBFT conformance: verify"},
    {.name = "verify", .run = qiao_cmd_verify, .summary = "verify an evidence bundle offline (--trust FILE)"},
    {.name = "evidence", .run = qiao_cmd_evidence, .summary = "evidence export ID -o FILE; evidence trust --config F"},
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    fprintf(out, "usage: qiao [--log-level error|warn|info|debug] <command> [args]\n\n"
                 "Qiao (桥) relays verified messages between chains under a k-of-n notary committee.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun `qiao <command> --help` for the command's own options.\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "--log-level") == 0) {
        int level = qiao_log_parse_level(argv[i + 1]);
        if (level < 0) {
            fprintf(stderr, "qiao: --log-level: unknown level \"%s\" (error|warn|info|debug)\n",
                    argv[i + 1]);
            return 2;
        }
        qiao_log_threshold = level;
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
        strcmp(argv[i], "help") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? 2 : 0;
    }
    if (strcmp(argv[i], "--version") == 0) {
        printf("qiao 0.1.0\n");
        return 0;
    }
    for (size_t c = 0; c < COMMAND_COUNT; c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].run(argc - i, argv + i);
    fprintf(stderr, "qiao: unknown command \"%s\"\n\n", argv[i]);
    usage(stderr);
    return 2;
}
