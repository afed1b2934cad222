/*
 * test_bft_live.c: the CometBFT source half end to end over HTTP.
 *
 * THIS RUNS AGAINST A REPLAY SERVER, NOT A COMETBFT NODE: no CometBFT node can be installed on
 * this machine, so bft_replay_server (beside this file) serves the recorded light blocks of the
 * shared bisection vectors through CometBFT's RPC shapes (/status, /commit, /validators, and the
 * same methods as JSON-RPC POSTs).  Everything on our side is real: the core JSON-RPC client over
 * HTTP, the source half's three-call light-block assembly, the strict decoder, bisection and
 * sequential verification.  The server is started and stopped by PID (tests/support/proc.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_time.h"
#include "adapters/cometbft/source/bft_source.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/qt.h"
#include "tests/support/proc.h"

#define ARENA_BYTES ((size_t)32 << 20)

static struct qiao_crypto *cx;
static struct qiao_arena arena;

static pid_t start_server(const char *vector_path, int *port)
{
    char server[512], portstr[16];
    snprintf(server, sizeof(server), "%s/bft_replay_server", QIAO_BINARY_DIR);
    *port = qiao_proc_free_port();
    snprintf(portstr, sizeof(portstr), "%d", *port);
    char *argv[] = {server, "--port", portstr, "--file", (char *)vector_path, NULL};
    pid_t pid = qiao_proc_spawn(argv, NULL);
    QT_CHECK(pid > 0);
    QT_CHECKF(pid > 0 && qiao_proc_wait_port(*port, 10000, pid) == 0, "replay server did not start");
    return pid;
}

/* A plain HTTP GET, to check the URI-style RPC shapes the JSON-RPC client does not use. */
static cJSON *http_get(int port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static char buf[1 << 20];
    size_t len = 0;
    cJSON *root = NULL;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
        char req[256];
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
        if (write(fd, req, (size_t)n) == n)
            for (ssize_t r; len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0;)
                len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    char *body = strstr(buf, "\r\n\r\n");
    if (body)
        qiao_json_parse(&root, body + 4, strlen(body + 4), 0, 0, NULL);
    return root;
}

static const char *str_or_empty(const cJSON *v)
{
    const char *s = cJSON_GetStringValue(v);
    return s ? s : "";
}

static void options_from(const cJSON *file, struct qiao_bft_options *opt, struct qiao_bft_time *now)
{
    const cJSON *to = qiao_json_get(file, "trust_options");
    uint64_t period = 0;
    qiao_bft_options_default(opt);
    QT_CHECK(qiao_json_u64(&period, to, "period", NULL) == 0);
    opt->trusting_period_ns = (int64_t)period;
    QT_CHECK(qiao_bft_time_parse(now, cJSON_GetStringValue(qiao_json_get(file, "now")), "now", NULL) == 0);
}

/* Fetch the trust root at trust_options.height and check it against trust_options.hash. */
static int trust_root(struct qiao_bft_source *s, const cJSON *file, struct qiao_bft_light_block *root)
{
    const cJSON *to = qiao_json_get(file, "trust_options");
    uint64_t h = 0;
    uint8_t want[32], got[32];
    struct qiao_diag d = {0};
    QT_CHECK(qiao_json_u64(&h, to, "height", NULL) == 0);
    QT_CHECKF(qiao_bft_source_light_block(s, root, (int64_t)h, &arena, &d) == 0, "%s", d.msg);
    QT_CHECK(qiao_hex_decode_exact(want, 32, cJSON_GetStringValue(qiao_json_get(to, "hash")), NULL) == 0);
    QT_CHECK(qiao_bft_header_hash(cx, got, &root->header, NULL) == 0);
    QT_CHECK_MEM(got, want, 32);
    return memcmp(got, want, 32) == 0;
}

static void happy_path(const char *path)
{
    cJSON *file = NULL;
    int port;
    QT_CHECK(qiao_json_parse_file(&file, path, 0, 0, NULL) == 0);
    pid_t pid = start_server(path, &port);
    char url[64], chain[QIAO_BFT_MAX_CHAIN_ID + 1];
    struct qiao_bft_source *s = NULL;
    struct qiao_diag d = {0};
    int64_t top = 0;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    QT_CHECKF(qiao_bft_source_create(&s, url, cx, &d) == 0, "%s", d.msg);
    QT_CHECKF(s && qiao_bft_source_status(s, &top, chain, &d) == 0, "%s", d.msg);
    QT_CHECK(top == 11 && !strcmp(chain, "test-chain-01"));

    struct qiao_bft_options opt;
    struct qiao_bft_time now;
    struct qiao_bft_light_block root, out;
    struct qiao_bft_bisect_stats st;
    options_from(file, &opt, &now);
    if (s && trust_root(s, file, &root)) {
        /* The watcher's step: bisect from the trust root to the node's latest height. */
        QT_CHECKF(qiao_bft_source_sync(s, &out, &root, &opt, now, &arena, &st, &d) == 0, "%s: %s", d.reason,
                  d.msg);
        QT_CHECK(out.header.height == 11);
        printf("live sync 1 -> %lld over HTTP: %u fetches, %u pivots\n", (long long)out.header.height,
               st.fetches, st.bisections);
        /* Already at the tip: nothing to do, the trusted block comes back. */
        struct qiao_bft_light_block again;
        QT_CHECK(qiao_bft_source_sync(s, &again, &out, &opt, now, &arena, &st, &d) == 0 &&
                 again.header.height == 11 && st.fetches == 0);
        /* Sequential following, height by height, carrying each verified block forward. */
        struct qiao_bft_light_block *trusted = &root;
        int ok = 1;
        for (int64_t h = 2; h <= 11 && ok; h++) {
            struct qiao_bft_light_block *next = qiao_arena_alloc(&arena, sizeof(*next), NULL);
            enum qiao_bft_verdict v = QIAO_BFT_INVALID;
            ok = qiao_bft_source_light_block(s, next, h, &arena, &d) == 0 &&
                 qiao_bft_verify(cx, &v, trusted, next, &opt, now, &arena, &d) == 0;
            QT_CHECKF(ok, "sequential step to %lld: %s", (long long)h, d.msg);
            trusted = next;
        }
        QT_CHECK(ok && trusted->header.height == 11);
    }
    /* The URI (GET) shapes the replay server also serves. */
    cJSON *st_json = http_get(port, "/status"), *cm = http_get(port, "/commit?height=3"),
          *vs = http_get(port, "/validators?height=12&page=1&per_page=1");
    const cJSON *res = qiao_json_get(st_json, "result");
    QT_CHECK(!strcmp(str_or_empty(qiao_json_get(qiao_json_get(res, "sync_info"), "latest_block_height")), "11"));
    QT_CHECK(qiao_json_get(qiao_json_get(qiao_json_get(cm, "result"), "signed_header"), "commit") != NULL);
    QT_CHECK(!strcmp(str_or_empty(qiao_json_get(qiao_json_get(vs, "result"), "total")), "2"));
    QT_CHECK(cJSON_GetArraySize(qiao_json_get(qiao_json_get(vs, "result"), "validators")) == 1);
    cJSON_Delete(st_json), cJSON_Delete(cm), cJSON_Delete(vs);
    /* Past the tip the node has nothing: an RPC error, not a crash or a verdict. */
    struct qiao_bft_light_block none;
    QT_CHECK(s && qiao_bft_source_light_block(s, &none, 13, &arena, &d) != 0);
    qiao_bft_source_destroy(s);
    qiao_proc_stop(pid);
    cJSON_Delete(file);
    qiao_arena_reset(&arena);
}

/* A node serving a chain whose block 6 lacks signatures: the watcher must refuse to follow it. */
static void bad_chain(const char *path)
{
    cJSON *file = NULL;
    int port;
    QT_CHECK(qiao_json_parse_file(&file, path, 0, 0, NULL) == 0);
    pid_t pid = start_server(path, &port);
    char url[64];
    struct qiao_bft_source *s = NULL;
    struct qiao_diag d = {0};
    struct qiao_bft_options opt;
    struct qiao_bft_time now;
    struct qiao_bft_light_block root, out;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    options_from(file, &opt, &now);
    QT_CHECK(qiao_bft_source_create(&s, url, cx, &d) == 0);
    if (s && trust_root(s, file, &root)) {
        QT_CHECK(qiao_bft_source_sync(s, &out, &root, &opt, now, &arena, NULL, &d) != 0);
        QT_CHECKF(!strcmp(d.reason, "insufficient-signers"), "got %s", d.reason);
    }
    qiao_bft_source_destroy(s);
    qiao_proc_stop(pid);
    cJSON_Delete(file);
    qiao_arena_reset(&arena);
}

int main(void)
{
    cx = qiao_crypto_create();
    void *storage = malloc(ARENA_BYTES);
    qiao_arena_init(&arena, storage, ARENA_BYTES);
    const char *p = qt_vector_path("cometbft/bisection/_happy_path.json");
    if (p) {
        char happy[4096];
        snprintf(happy, sizeof(happy), "%s", p);
        happy_path(happy);
    }
    p = qt_vector_path("cometbft/bisection/not_enough_commits.json");
    if (p) {
        char bad[4096];
        snprintf(bad, sizeof(bad), "%s", p);
        bad_chain(bad);
    }
    free(storage);
    qiao_crypto_destroy(cx);
    return qt_finish();
}
