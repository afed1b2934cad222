/*
 * verify_main.c: `qiao-verify`, the offline verifier alone (the same code as `qiao verify`).
 * Built so that a test can show, by the symbols it contains, that verifying evidence links no
 * libwebsockets and no SQLite.
 */
#include <string.h>

#include "relay/cli/commands.h"

int main(int argc, char **argv)
{
    /* accept both `qiao-verify BUNDLE ...` and `qiao-verify verify BUNDLE ...` */
    if (argc > 1 && strcmp(argv[1], "verify") == 0)
        return qiao_cmd_verify(argc - 1, argv + 1);
    return qiao_cmd_verify(argc, argv);
}
