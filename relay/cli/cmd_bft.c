/* cmd_bft.c: placeholder until the bft adapter lands; the adapter's work replaces this file. */
#include <stdio.h>

#include "relay/cli/commands.h"

int qiao_cmd_bft(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "qiao bft: this family's adapter is not built yet\n");
    return 2;
}
