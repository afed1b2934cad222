/*
 * bft_replay_server.c: a REPLAY SERVER, not a CometBFT node.  No CometBFT node can be installed
 * on this machine, so the live-path tests run against this small HTTP server, which serves
 * recorded light blocks (a vector file's primary.lite_blocks) through CometBFT's RPC shapes:
 *
 *   GET /status, GET /commit?height=N, GET /validators?height=N&page=P&per_page=K
 *   POST / with a JSON-RPC 2.0 request for the methods "status", "commit", "validators"
 *        (params {"height":"N","page":"P","per_page":"K"}), as CometBFT also serves them.
 *
 * Replies use CometBFT's envelope {"jsonrpc":"2.0","id":..,"result":..} and its result shapes:
 * status {node_info.network, sync_info.latest_block_height/hash/time}, commit {signed_header,
 * canonical}, validators {block_height, validators (one page), count, total}.  Validators at the
 * height after the last block are the last block's next_validator_set, as a node knows them.
 *
 * Usage: bft_replay_server --port N --file VECTOR.json.  Single-threaded, one request per
 * connection, 127.0.0.1 only; it runs until killed (tests stop it by PID).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/core/json.h"

#define MAX_REQUEST 65536

static cJSON *blocks; /* primary.lite_blocks */
static const char *chain_id;

static cJSON *block_at(long long h)
{
    for (cJSON *b = blocks->child; b; b = b->next) {
        cJSON *hdr = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(b, "signed_header"), "header");
        const char *hs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(hdr, "height"));
        if (hs && atoll(hs) == h)
            return b;
    }
    return NULL;
}

static long long latest(void)
{
    long long h = 0;
    while (block_at(h + 1))
        h++;
    return h;
}

static cJSON *rpc_error(const char *data)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "code", -32603);
    cJSON_AddStringToObject(e, "message", "Internal error");
    cJSON_AddStringToObject(e, "data", data);
    return e;
}

static cJSON *status_result(void)
{
    long long h = latest();
    cJSON *r = cJSON_CreateObject(), *ni = cJSON_AddObjectToObject(r, "node_info");
    cJSON *si = cJSON_AddObjectToObject(r, "sync_info");
    cJSON *b = block_at(h), *sh = cJSON_GetObjectItemCaseSensitive(b, "signed_header");
    cJSON *commit = cJSON_GetObjectItemCaseSensitive(sh, "commit");
    char hs[32];
    snprintf(hs, sizeof(hs), "%lld", h);
    cJSON_AddStringToObject(ni, "network", chain_id);
    cJSON_AddStringToObject(ni, "version", "qiao-replay-server");
    cJSON_AddItemToObject(si, "latest_block_hash",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
                                              cJSON_GetObjectItemCaseSensitive(commit, "block_id"), "hash"), 1));
    cJSON_AddStringToObject(si, "latest_block_height", hs);
    cJSON_AddItemToObject(si, "latest_block_time",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
                                              cJSON_GetObjectItemCaseSensitive(sh, "header"), "time"), 1));
    cJSON_AddBoolToObject(si, "catching_up", 0);
    cJSON_AddObjectToObject(r, "validator_info");
    return r;
}

static cJSON *commit_result(long long h, cJSON **err)
{
    cJSON *b = block_at(h > 0 ? h : latest());
    if (!b) {
        *err = rpc_error("height must be less than or equal to the current blockchain height");
        return NULL;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "signed_header", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(b, "signed_header"), 1));
    cJSON_AddBoolToObject(r, "canonical", 1);
    return r;
}

static cJSON *validators_result(long long h, long long page, long long per_page, cJSON **err)
{
    long long top = latest();
    if (h <= 0)
        h = top;
    cJSON *b = block_at(h <= top ? h : top);
    const char *key = h <= top ? "validator_set" : "next_validator_set";
    cJSON *set = h <= top + 1 && b ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, key), "validators") : NULL;
    int total = set ? cJSON_GetArraySize(set) : 0;
    if (per_page < 1 || per_page > 100)
        per_page = 30;
    if (!set || page < 1 || (page - 1) * per_page >= (total ? total : 1)) {
        *err = rpc_error(!set ? "no validator set at that height" : "page should be within range");
        return NULL;
    }
    cJSON *r = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    char s[32];
    int count = 0;
    for (int i = (int)((page - 1) * per_page); i < total && count < per_page; i++, count++)
        cJSON_AddItemToArray(arr, cJSON_Duplicate(cJSON_GetArrayItem(set, i), 1));
    snprintf(s, sizeof(s), "%lld", h);
    cJSON_AddStringToObject(r, "block_height", s);
    cJSON_AddItemToObject(r, "validators", arr);
    snprintf(s, sizeof(s), "%d", count);
    cJSON_AddStringToObject(r, "count", s);
    snprintf(s, sizeof(s), "%d", total);
    cJSON_AddStringToObject(r, "total", s);
    return r;
}

/* A numeric parameter from a query string ("height=5&page=1") or a JSON-RPC params object. */
static long long param(const char *query, const cJSON *params, const char *key, long long def)
{
    if (params) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, key);
        if (cJSON_IsString(v))
            return atoll(v->valuestring);
        return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
    }
    char pat[32];
    snprintf(pat, sizeof(pat), "%s=", key);
    for (const char *p = query ? strstr(query, pat) : NULL; p; p = strstr(p + 1, pat))
        if (p == query || p[-1] == '&' || p[-1] == '?')
            return atoll(p + strlen(pat));
    return def;
}

static cJSON *dispatch(const char *method, const char *query, const cJSON *params)
{
    cJSON *err = NULL, *result = NULL;
    long long h = param(query, params, "height", 0);
    if (!strcmp(method, "status"))
        result = status_result();
    else if (!strcmp(method, "commit"))
        result = commit_result(h, &err);
    else if (!strcmp(method, "validators"))
        result = validators_result(h, param(query, params, "page", 1), param(query, params, "per_page", 30), &err);
    else
        err = rpc_error("method not found");
    cJSON *env = cJSON_CreateObject();
    cJSON_AddStringToObject(env, "jsonrpc", "2.0");
    cJSON_AddItemToObject(env, err ? "error" : "result", err ? err : result);
    return env;
}

static void reply(int fd, int status, cJSON *env)
{
    char *body = env ? cJSON_PrintUnformatted(env) : NULL;
    char head[256];
    size_t n = body ? strlen(body) : 0;
    int hl = snprintf(head, sizeof(head),
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n", status, status == 200 ? "OK" : "Bad Request", n);
    if (write(fd, head, (size_t)hl) == hl && n)
        for (size_t off = 0; off < n;) {
            ssize_t w = write(fd, body + off, n - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
    free(body);
    cJSON_Delete(env);
}

static void handle_post(int fd, const char *body, size_t len)
{
    cJSON *req = cJSON_ParseWithLength(body, len);
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "method"));
    if (!req || !method) {
        cJSON_Delete(req);
        reply(fd, 400, NULL);
        return;
    }
    cJSON *env = dispatch(method, NULL, cJSON_GetObjectItemCaseSensitive(req, "params"));
    cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    cJSON_AddItemToObject(env, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_Delete(req);
    reply(fd, 200, env);
}

static void handle(int fd)
{
    char buf[MAX_REQUEST + 1];
    buf[0] = '\0';
    size_t len = 0;
    char *end = NULL;
    while (len < MAX_REQUEST && !(end = strstr(buf, "\r\n\r\n"))) {
        ssize_t r = read(fd, buf + len, MAX_REQUEST - len);
        if (r <= 0)
            return;
        len += (size_t)r;
        buf[len] = '\0';
    }
    if (!end)
        return;
    const char *cl = strstr(buf, "Content-Length:");
    if (!cl)
        cl = strstr(buf, "content-length:");
    size_t want = cl ? (size_t)atol(cl + 15) : 0, have = len - (size_t)(end + 4 - buf);
    while (have < want && len < MAX_REQUEST) {
        ssize_t r = read(fd, buf + len, MAX_REQUEST - len);
        if (r <= 0)
            return;
        len += (size_t)r, have += (size_t)r;
        buf[len] = '\0';
    }
    if (!strncmp(buf, "POST ", 5)) {
        handle_post(fd, end + 4, have);
        return;
    }
    char path[256] = "";
    sscanf(buf, "GET %255s", path);
    char *q = strchr(path, '?');
    if (q)
        *q++ = '\0';
    cJSON *env = dispatch(path[0] == '/' ? path + 1 : path, q, NULL);
    cJSON_AddNumberToObject(env, "id", -1);
    reply(fd, 200, env);
}

int main(int argc, char **argv)
{
    int port = 0;
    const char *file = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--file"))
            file = argv[i + 1];
    }
    cJSON *root = NULL;
    if (!port || !file || qiao_json_parse_file(&root, file, 0, 0, NULL)) {
        fprintf(stderr, "usage: bft_replay_server --port N --file VECTOR.json\n");
        return 2;
    }
    cJSON *primary = cJSON_GetObjectItemCaseSensitive(root, "primary");
    blocks = cJSON_GetObjectItemCaseSensitive(primary, "lite_blocks");
    chain_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(primary, "chain_id"));
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (!blocks || !chain_id || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
        perror("bft_replay_server");
        return 1;
    }
    printf("bft_replay_server: replaying %d recorded light blocks of %s on 127.0.0.1:%d\n",
           cJSON_GetArraySize(blocks), chain_id, port);
    fflush(stdout);
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0)
            continue;
        handle(fd);
        close(fd);
    }
}
