/*
 * commands.h: entry points of the `qiao` subcommands.
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand) and returns the process
 * exit status.  Conformance commands (btc, evm, bft) print JSON and exit 0 (accepted), 1 (rejected)
 * or 2 (usage or unusable input); scripts depend on that.
 */
#ifndef QIAO_CLI_COMMANDS_H
#define QIAO_CLI_COMMANDS_H

int qiao_cmd_demo(int argc, char **argv);
int qiao_cmd_bench(int argc, char **argv);
int qiao_cmd_btc(int argc, char **argv);
int qiao_cmd_evm(int argc, char **argv);
int qiao_cmd_bft(int argc, char **argv);
/** `qiao keygen --out FILE`: a new encrypted notary key file (relay/keys). */
int qiao_cmd_keygen(int argc, char **argv);
/** `qiao verify BUNDLE --trust FILE [--json] [--html FILE]`: offline evidence verifier. */
int qiao_cmd_verify(int argc, char **argv);
/** `qiao evidence export ID -o FILE [--api URL|--config F]`, `qiao evidence trust`. */
int qiao_cmd_evidence(int argc, char **argv);
/** `qiao run --config FILE [--insecure-plaintext-key]`: one notary (relay/daemon). */
int qiao_cmd_run(int argc, char **argv);
/** `qiao status [--api URL] [--json]`: a running notary's status over its local API. */
int qiao_cmd_status(int argc, char **argv);
/** `qiao msg list|show ID|retry ID`: messages of a running notary over its local API. */
int qiao_cmd_msg(int argc, char **argv);
/** `qiao swap propose FILE|list|show ID|refund ID`: HTLC swaps of a running notary (its API). */
int qiao_cmd_swap(int argc, char **argv);

#endif
