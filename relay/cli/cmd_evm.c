/* cmd_evm.c: placeholder until the evm adapter lands; the adapter's work replaces this file. */
#include <stdio.h>

#include "relay/cli/commands.h"

int qiao_cmd_evm(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "qiao evm: this family's adapter is not built yet\n");
    return 2;
}
