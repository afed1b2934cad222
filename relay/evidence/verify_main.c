/*
 * verify_main.c: `qiao-verify`, the offline verifier alone (the same code as `qiao verify`).
 * Built so that a test can show, by the symbols it contains, that verifying evidence links no
 * libwebsockets and no SQLite.
 */
#include "relay/cli/commands.h"

int main(int argc, char **argv)
{
    return qiao_cmd_verify(argc, argv);
}
