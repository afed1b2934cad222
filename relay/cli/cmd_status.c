/*
 * cmd_status.c: `qiao status [--api URL] [--json]`: a running notary's view of its chains, peers
 * and backlog, from the local API's `status` method.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/cli/cmd_api.h"
#include "relay/cli/commands.h"

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void print_human(const cJSON *st)
{
    const cJSON *c, *cm = cJSON_GetObjectItemCaseSensitive(st, "committee");
    printf("notary %s  (member %.0f of committee k=%.0f n=%.0f, epoch %.0f)\n", str(st, "notary"),
           num(cm, "self_index"), num(cm, "k"), num(cm, "n"), num(cm, "epoch"));
    printf("\nchains:\n");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(st, "chains")) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(c, "finalized");
        printf("  %-14s %-6.0f tip %-8.0f finalized %-8s node %-8.0f lag %-4.0f rpc %s%s%s\n",
               str(c, "name"), num(c, "id"), num(c, "tip"),
               cJSON_IsNumber(f) ? "" : "-", num(c, "node_head"), num(c, "head_lag"),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "rpc_ok")) ? "ok" : "DOWN",
               *str(c, "last_error") ? ": " : "", str(c, "last_error"));
        if (cJSON_IsNumber(f))
            printf("  %-14s        (finalized height %.0f)\n", "", f->valuedouble);
    }
    printf("\npeers:\n");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(st, "peers"))
        printf("  %-14s %s %s\n", str(c, "id"), str(c, "address"),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "up")) ? "up" : "down");
    printf("\nmessages:");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(st, "messages"))
        printf(" %s=%.0f", c->string, c->valuedouble);
    printf("\nbacklog %.0f, oldest pending %.1f s, alerts %.0f%s%s\n", num(st, "backlog"),
           num(st, "oldest_pending_age_ms") / 1000.0, num(st, "alerts"),
           *str(st, "last_alert") ? ": " : "", str(st, "last_alert"));
}

int qiao_cmd_status(int argc, char **argv)
{
    const char *api = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--api") == 0 && i + 1 < argc)
            api = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else {
            fprintf(stderr, "usage: qiao status [--api URL] [--json]\n");
            return 2;
        }
    }
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    const char *url = qiao_cli_api_url(api);
    if (qiao_cli_api_call(url, "status", cJSON_CreateArray(), &res, &d)) {
        fprintf(stderr, "qiao status: %s: %s: %s\n", url, d.reason, d.msg);
        return 1;
    }
    if (json) {
        char *text = cJSON_PrintUnformatted(res);
        printf("%s\n", text ? text : "null");
        free(text);
    } else {
        print_human(res);
    }
    cJSON_Delete(res);
    return 0;
}
