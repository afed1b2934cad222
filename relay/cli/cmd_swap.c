/*
 * cmd_swap.c: `qiao swap propose FILE | list [--phase P] | show ID | refund ID` over a running
 * notary's local API ([--api URL] [--json] anywhere after `swap`).
 *
 * propose reads a terms file ("qiao-swap/1", docs/HTLC.md), parses it strictly and runs
 * qiao_htlc_check_terms here first, so a bad file is refused with its reason before any notary
 * is asked; the notary checks again with its chains' clocks (swaps.propose).  Exit status: 0 done,
 * 1 refused (reason on stderr), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "htlc/swap_record.h"
#include "relay/cli/cli_args.h"
#include "relay/cli/cmd_api.h"
#include "relay/cli/commands.h"
#include "relay/core/json.h"

static int usage(void)
{
    fprintf(stderr, "usage: qiao swap propose TERMS.json [--api URL] [--json]\n"
                    "       qiao swap list [--phase PHASE] [--api URL] [--json]\n"
                    "       qiao swap show ID [--api URL]\n"
                    "       qiao swap refund ID [--api URL]\n");
    return 2;
}

struct swap_args {
    const char *api, *phase, *arg;
    int json;
};

static int parse(struct swap_args *a, int argc, char **argv)
{
    const struct qiao_cli_opt opts[] = {
        {.name = "--api", .value = &a->api},
        {.name = "--phase", .value = &a->phase},
        {.name = "--json", .flag = &a->json},
        {.name = NULL},
    };
    return qiao_cli_parse(argc, argv, 2, opts, &a->arg);
}

/* Parse and check the terms file locally.  Out: *terms (the parsed tree, caller frees). */
static int check_file(const char *path, cJSON **terms)
{
    struct qiao_diag d = {0};
    struct qiao_htlc_record *r = malloc(sizeof(*r));
    qiao_err err = r ? QIAO_OK : QIAO_FAIL(&d, QIAO_ENOMEM, "out-of-memory", "terms");
    if (!err)
        err = qiao_json_parse_file(terms, path, QIAO_HTLC_RECORD_MAX_BYTES, 8, &d);
    if (!err)
        err = qiao_htlc_record_parse(r, *terms, 1, &d);
    if (!err)
        err = qiao_htlc_check_terms(&r->swap.terms, (uint64_t)time(NULL), &d);
    free(r);
    if (err) {
        fprintf(stderr, "qiao swap propose: %s: refused: %s: %s\n", path, d.reason, d.msg);
        cJSON_Delete(*terms);
        *terms = NULL;
        return 1;
    }
    return 0;
}

static void print_list(const cJSON *arr)
{
    const cJSON *s;
    printf("%-66s %-18s %-8s %-8s %s\n", "id", "phase", "init", "part", "timelocks");
    cJSON_ArrayForEach(s, arr) {
        const cJSON *id = qiao_json_get(s, "id"), *ph = qiao_json_get(s, "phase");
        const cJSON *a = qiao_json_get(s, "initiator_chain"), *b = qiao_json_get(s, "participant_chain");
        const cJSON *ta = qiao_json_get(s, "initiator_timelock");
        const cJSON *tb = qiao_json_get(s, "participant_timelock");
        printf("%-66s %-18s %-8.0f %-8.0f %.0f/%.0f\n", cJSON_IsString(id) ? id->valuestring : "",
               cJSON_IsString(ph) ? ph->valuestring : "", a ? a->valuedouble : 0,
               b ? b->valuedouble : 0, ta ? ta->valuedouble : 0, tb ? tb->valuedouble : 0);
    }
}

static cJSON *params_for(const char *sub, const struct swap_args *a, cJSON *terms)
{
    cJSON *p = cJSON_CreateObject();
    if (strcmp(sub, "propose") == 0)
        cJSON_AddItemToObject(p, "terms", terms);
    else if (strcmp(sub, "list") == 0 && a->phase)
        cJSON_AddStringToObject(p, "phase", a->phase);
    else if (strcmp(sub, "list") != 0)
        cJSON_AddStringToObject(p, "id", a->arg);
    return p;
}

int qiao_cmd_swap(int argc, char **argv)
{
    struct swap_args a = {0};
    if (argc < 2 || parse(&a, argc, argv) < 0)
        return usage();
    const char *sub = argv[1];
    const char *method = strcmp(sub, "propose") == 0  ? "swaps.propose"
                         : strcmp(sub, "list") == 0   ? "swaps.list"
                         : strcmp(sub, "show") == 0   ? "swaps.get"
                         : strcmp(sub, "refund") == 0 ? "swaps.refund"
                                                      : NULL;
    int is_list = method && strcmp(sub, "list") == 0;
    if (!method || (is_list && a.arg) || (!is_list && !a.arg) || (a.phase && !is_list))
        return usage();
    cJSON *terms = NULL, *res = NULL;
    if (strcmp(sub, "propose") == 0 && check_file(a.arg, &terms))
        return 1;
    struct qiao_diag d = {0};
    if (qiao_cli_api_call(qiao_cli_api_url(a.api), method, params_for(sub, &a, terms), &res, &d)) {
        fprintf(stderr, "qiao swap %s: %s: %s\n", sub, d.reason, d.msg);
        return 1;
    }
    if (is_list && !a.json) {
        print_list(res);
    } else {
        char *text = a.json ? cJSON_PrintUnformatted(res) : cJSON_Print(res);
        printf("%s\n", text ? text : "null");
        free(text);
    }
    cJSON_Delete(res);
    return 0;
}
