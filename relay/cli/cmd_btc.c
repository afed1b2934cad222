/* cmd_btc.c: placeholder until the btc adapter lands; the adapter's work replaces this file. */
#include <stdio.h>

#include "relay/cli/commands.h"

int qiao_cmd_btc(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "qiao btc: this family's adapter is not built yet\n");
    return 2;
}
