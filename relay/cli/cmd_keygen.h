/*
 * cmd_keygen.h: entry point of `qiao keygen` (kept out of commands.h so that this branch does not
 * touch the shared command table; the lead adds the row to main.c).
 */
#ifndef QIAO_CLI_CMD_KEYGEN_H
#define QIAO_CLI_CMD_KEYGEN_H

/**
 * `qiao keygen --out FILE [--insecure-plaintext] [--passphrase-env NAME | --passphrase-file F]
 *  [--import-env NAME]`.  Returns the exit status: 0 written, 1 failed, 2 usage.
 */
int qiao_cmd_keygen(int argc, char **argv);

#endif
