/*
 * cli_args.h: the option loop shared by the subcommands that take `--name VALUE` options, plain
 * flags and at most one positional argument (`qiao msg`, `qiao swap`, `qiao evidence`).
 */
#ifndef QIAO_CLI_ARGS_H
#define QIAO_CLI_ARGS_H

/** One option: exactly one of value (takes the next argument) and flag (set to 1) is non-NULL. */
struct qiao_cli_opt {
    const char *name;
    const char *alias; /* a second spelling, or NULL */
    const char **value;
    int *flag;
};

/**
 * Parse argv[from..argc) against opts (terminated by a zeroed entry).  The first argument that is
 * not an option and does not start with '-' goes to *positional.
 * Returns: 0; -1 for an unknown option, an option missing its value, or a second positional.
 */
int qiao_cli_parse(int argc, char **argv, int from, const struct qiao_cli_opt *opts,
                   const char **positional);

#endif
