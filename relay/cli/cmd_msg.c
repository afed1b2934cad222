/*
 * cmd_msg.c: `qiao msg list [--state S] [--limit N] | show ID | retry ID` over a running
 * notary's local API ([--api URL] [--json] anywhere after `msg`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/cli/cli_args.h"
#include "relay/cli/cmd_api.h"
#include "relay/cli/commands.h"

static int usage(void)
{
    fprintf(stderr, "usage: qiao msg list [--state STATE] [--limit N] [--api URL] [--json]\n"
                    "       qiao msg show ID [--api URL]\n"
                    "       qiao msg retry ID [--api URL]\n");
    return 2;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void print_list(const cJSON *arr)
{
    const cJSON *m;
    printf("%-66s %-10s %-6s %-6s %-6s %s\n", "id", "state", "src", "dst", "seq", "last error");
    cJSON_ArrayForEach(m, arr)
        printf("%-66s %-10s %-6.0f %-6.0f %-6.0f %s\n", str(m, "id"), str(m, "state"),
               num(m, "src_chain"), num(m, "dst_chain"), num(m, "seq"), str(m, "last_error"));
}

struct msg_args {
    const char *api, *state, *limit, *id;
    int json;
};

static int parse(struct msg_args *a, int argc, char **argv, int from)
{
    const struct qiao_cli_opt opts[] = {
        {.name = "--api", .value = &a->api},
        {.name = "--state", .value = &a->state},
        {.name = "--limit", .value = &a->limit},
        {.name = "--json", .flag = &a->json},
        {.name = NULL},
    };
    return qiao_cli_parse(argc, argv, from, opts, &a->id);
}

static cJSON *params_for(const char *sub, const struct msg_args *a)
{
    cJSON *p = cJSON_CreateObject();
    if (strcmp(sub, "list") == 0) {
        if (a->state)
            cJSON_AddStringToObject(p, "state", a->state);
        if (a->limit)
            cJSON_AddNumberToObject(p, "limit", atof(a->limit));
    } else {
        cJSON_AddStringToObject(p, "id", a->id);
    }
    return p;
}

int qiao_cmd_msg(int argc, char **argv)
{
    struct msg_args a = {0};
    if (argc < 2 || parse(&a, argc, argv, 2) < 0)
        return usage();
    const char *sub = argv[1];
    const char *method = strcmp(sub, "list") == 0    ? "messages.list"
                         : strcmp(sub, "show") == 0  ? "messages.get"
                         : strcmp(sub, "retry") == 0 ? "messages.retry"
                                                     : NULL;
    if (!method || (strcmp(sub, "list") != 0 && !a.id) || (strcmp(sub, "list") == 0 && a.id))
        return usage();
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    const char *url = qiao_cli_api_url(a.api);
    if (qiao_cli_api_call(url, method, params_for(sub, &a), &res, &d)) {
        fprintf(stderr, "qiao msg %s: %s: %s\n", sub, d.reason, d.msg);
        return 1;
    }
    if (strcmp(sub, "list") == 0 && !a.json) {
        print_list(res);
    } else if (strcmp(sub, "retry") == 0 && !a.json) {
        printf("retry scheduled for %s\n", a.id);
    } else {
        char *text = a.json ? cJSON_PrintUnformatted(res) : cJSON_Print(res);
        printf("%s\n", text ? text : "null");
        free(text);
    }
    cJSON_Delete(res);
    return 0;
}
