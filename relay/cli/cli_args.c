/* cli_args.c: the shared option loop (see cli_args.h). */
#include "relay/cli/cli_args.h"

#include <string.h>

static const struct qiao_cli_opt *find(const struct qiao_cli_opt *opts, const char *arg)
{
    for (; opts->name; opts++)
        if (strcmp(arg, opts->name) == 0 || (opts->alias && strcmp(arg, opts->alias) == 0))
            return opts;
    return NULL;
}

int qiao_cli_parse(int argc, char **argv, int from, const struct qiao_cli_opt *opts,
                   const char **positional)
{
    for (int i = from; i < argc; i++) {
        const struct qiao_cli_opt *o = find(opts, argv[i]);
        if (o && o->flag)
            *o->flag = 1;
        else if (o && i + 1 < argc)
            *o->value = argv[++i];
        else if (!o && argv[i][0] != '-' && !*positional)
            *positional = argv[i];
        else
            return -1;
    }
    return 0;
}
