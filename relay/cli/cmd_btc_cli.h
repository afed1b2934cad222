/*
 * cmd_btc_cli.h: helpers shared by the `qiao btc` conformance subcommands (cmd_btc.c,
 * cmd_btc_headers.c): JSON output and option parsing.  Exit statuses: 0 accepted, 1 rejected,
 * 2 usage or unusable input.
 */
#ifndef QIAO_CLI_CMD_BTC_CLI_H
#define QIAO_CLI_CMD_BTC_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "relay/core/diag.h"

#define QIAO_BTC_EXIT_OK 0
#define QIAO_BTC_EXIT_REJECT 1
#define QIAO_BTC_EXIT_USAGE 2

/** Print s as a JSON string literal (quotes included) to out. */
void qiao_btc_cli_json_str(FILE *out, const char *s);

/** Print a usage error (to stderr, with the command's usage text) and return exit status 2. */
int qiao_btc_cli_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Parse a canonical unsigned decimal option value.  Returns 0 on success, -1 otherwise. */
int qiao_btc_cli_u64(uint64_t *out, const char *s);

/** `qiao btc verify-headers`; argv[0] is "verify-headers". */
int qiao_btc_cmd_verify_headers(int argc, char **argv);

#endif
