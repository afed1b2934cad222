/*
 * bench_relay.c: `qiao bench relay [N]`: four notaries (k = 3) relaying N messages (default 300)
 * between two automining anvil chains, end to end.
 *
 * It starts two anvils (7001, 7002), compiles and deploys the contracts (adapters/evm/contracts,
 * node), writes four plaintext test keys and configs, and spawns four `qiao run` processes (this
 * very binary).  Messages are sent through the real Outbox alternately on both lanes, as fast as
 * the node accepts them; each is included in its own block (automine).  Inclusion time is when the
 * bench saw the send's block mined (the send call returns after it); delivery time is when the
 * bench first saw the message's MessageDelivered log on the destination (eth_getLogs every 20 ms;
 * meanwhile an empty block is mined on each chain every 200 ms, as on a live chain, so the last
 * sends also get their confirmation).
 * Reported: delivered messages/s (N over first inclusion to last delivery), and p50 / p99 of the
 * per-message latency, next to the quorum-verification limit measured in the same run: the
 * secp256k1 recover rate of the Inbox's signature check divided by k (each delivery needs k).
 *
 * Everything started is stopped by PID and the working directory removed (QIAO_KEEP_BENCH=1
 * keeps it, with every log).  Needs node and the pinned npm kit (./run build installs both).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay/core/crypto.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "relay/keys/keys.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"
#include "relay/rpc/rpc.h"
#include "tests/bench/bench.h"

#define NOTARIES 4
#define K 3
#define DEV_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define DEV_ADDR "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

struct rb_chain {
    uint64_t id;
    int port;
    pid_t pid;
    char url[64], file[600];
    uint8_t outbox[20], inbox[20], registry[20];
    struct qiao_rpc *rpc;
    uint64_t next_seq, log_from;
};

struct rb_msg {
    uint8_t id[32];
    unsigned dst;
    double sent, delivered;
};

struct rb {
    char src[512], qiao[512], dir[64];
    struct lws_context *lws;
    struct rb_chain c[2];
    pid_t notary[NOTARIES];
    int api[NOTARIES], mesh[NOTARIES];
    uint8_t sk[NOTARIES][32], addr[NOTARIES][20];
    struct rb_msg *m;
    size_t n, ndelivered;
};

/* ---- processes ------------------------------------------------------------------------------ */

static pid_t spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0)
            dup2(fd, 1), dup2(fd, 2), close(fd);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int run(char *const argv[], const char *log)
{
    int st = 0;
    pid_t pid = spawn(argv, log);
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(-pid, SIGTERM);
    for (int i = 0; i < 100; i++, usleep(50000))
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int wait_port(int port, int ms)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int waited = 0; waited < ms; waited += 50) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        if (fd >= 0)
            close(fd);
        if (ok)
            return 0;
        usleep(50000);
    }
    return -1;
}

/* ---- chains and contracts ------------------------------------------------------------------- */

static cJSON *call(struct rb *b, unsigned c, const char *method, cJSON *params)
{
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    if (qiao_rpc_call_sync(b->c[c].rpc, method, params, &res, &d)) {
        fprintf(stderr, "  chain %llu %s: %s: %s\n", (unsigned long long)b->c[c].id, method,
                d.reason, d.msg);
        return NULL;
    }
    return res;
}

static int start_chain(struct rb *b, unsigned c)
{
    char anvil[600], port[16], id[24], log[128];
    struct rb_chain *ch = &b->c[c];
    ch->id = 7001 + c, ch->port = free_port(), ch->next_seq = 1;
    snprintf(anvil, sizeof(anvil), "%s/node_modules/.bin/anvil", b->src);
    snprintf(port, sizeof(port), "%d", ch->port);
    snprintf(id, sizeof(id), "%llu", (unsigned long long)ch->id);
    snprintf(log, sizeof(log), "%s/anvil-%u.log", b->dir, c);
    char *argv[] = {anvil, "--port", port, "--host", "127.0.0.1", "--chain-id", id, "--silent",
                    NULL};
    if ((ch->pid = spawn(argv, log)) < 0 || wait_port(ch->port, 30000))
        return -1;
    snprintf(ch->url, sizeof(ch->url), "http://127.0.0.1:%d", ch->port);
    struct qiao_rpc_opts o = {.url = ch->url, .timeout_ms = 20000};
    return qiao_rpc_create(&ch->rpc, b->lws, &o, NULL) ? -1 : 0;
}

static int deploy(struct rb *b)
{
    char build[600], deploy[600], art[128], log[128], members[NOTARIES * 43 + 8] = "", cid[67];
    uint8_t committee[32];
    snprintf(build, sizeof(build), "%s/adapters/evm/contracts/build.js", b->src);
    snprintf(deploy, sizeof(deploy), "%s/adapters/evm/contracts/deploy.js", b->src);
    snprintf(art, sizeof(art), "%s/artifacts", b->dir);
    snprintf(log, sizeof(log), "%s/deploy.log", b->dir);
    char *bargv[] = {"node", build, art, NULL};
    if (run(bargv, log))
        return -1;
    for (unsigned i = 0; i < NOTARIES; i++) {
        char a[43];
        qiao_hex_encode0x(a, b->addr[i], 20);
        strcat(members, i ? "," : ""), strcat(members, a);
    }
    memset(committee, 0x51, 32);
    qiao_hex_encode0x(cid, committee, 32);
    for (unsigned c = 0; c < 2; c++) {
        snprintf(b->c[c].file, sizeof(b->c[c].file), "%s/chain-%u.json", b->dir, c);
        char *argv[] = {"node", deploy, "deploy", "--rpc", b->c[c].url, "--key", DEV_KEY,
                        "--artifacts", art, "--out", b->c[c].file, "--committee-id", cid,
                        "--members", members, "--k", "3", "--epoch", "1", "--no-htlc", NULL};
        cJSON *j = NULL;
        if (run(argv, log) || qiao_json_parse_file(&j, b->c[c].file, 1 << 20, 16, NULL))
            return -1;
        int bad = qiao_json_hex_exact(b->c[c].outbox, 20, j, "outbox", NULL) ||
                  qiao_json_hex_exact(b->c[c].inbox, 20, j, "inbox", NULL) ||
                  qiao_json_hex_exact(b->c[c].registry, 20, j, "evidenceRegistry", NULL);
        cJSON_Delete(j);
        if (bad)
            return -1;
    }
    char *largv[] = {"node", deploy, "link", "--key", DEV_KEY, b->c[0].file, b->c[1].file, NULL};
    return run(largv, log);
}

/* ---- notaries ------------------------------------------------------------------------------- */

static void write_chains(FILE *f, struct rb *b)
{
    for (unsigned c = 0; c < 2; c++) {
        char ob[43], ib[43];
        qiao_hex_encode0x(ob, b->c[c].outbox, 20), qiao_hex_encode0x(ib, b->c[c].inbox, 20);
        fprintf(f, "%s{\"id\":%llu,\"name\":\"chain%llu\",\"family\":\"evm\","
                "\"endpoints\":{\"http\":[\"%s\"]},\"finality\":{\"confirmations\":1},"
                "\"checkpoint\":{\"height\":0,\"hash\":\"0x%064d\"},"
                "\"contracts\":{\"outbox\":\"%s\",\"inbox\":\"%s\"}}", c ? "," : "",
                (unsigned long long)b->c[c].id, (unsigned long long)b->c[c].id, b->c[c].url, 0,
                ob, ib);
    }
}

static int write_config(struct rb *b, unsigned i, char *path, size_t cap)
{
    char key[128], a[43], cid[67];
    uint8_t committee[32];
    memset(committee, 0x51, 32);
    snprintf(key, sizeof(key), "%s/key-%u.json", b->dir, i);
    snprintf(path, cap, "%s/notary-%u.json", b->dir, i);
    if (qiao_keys_write(key, b->sk[i], NULL, 0, NULL, 1, NULL, NULL))
        return -1;
    qiao_hex_encode0x(a, b->addr[i], 20), qiao_hex_encode0x(cid, committee, 32);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"version\":1,\"notary\":{\"address\":\"%s\",\"key_file\":\"%s\"},\"committee\":"
            "{\"id\":\"%s\",\"epoch\":1,\"k\":%d,\"members\":[", a, key, cid, K);
    for (unsigned j = 0; j < NOTARIES; j++) {
        qiao_hex_encode0x(a, b->addr[j], 20);
        fprintf(f, "%s\"%s\"", j ? "," : "", a);
    }
    fprintf(f, "]},\"chains\":[");
    write_chains(f, b);
    fprintf(f, "],\"lanes\":[{\"src\":7001,\"dst\":7002},{\"src\":7002,\"dst\":7001}],\"peers\":[");
    for (unsigned j = 0, first = 1; j < NOTARIES; j++) {
        if (j == i)
            continue;
        qiao_hex_encode0x(a, b->addr[j], 20);
        fprintf(f, "%s{\"id\":\"notary-%u\",\"address\":\"%s\",\"url\":\"ws://127.0.0.1:%d\"}",
                first ? "" : ",", j, a, b->mesh[j]);
        first = 0;
    }
    fprintf(f, "],\"store\":{\"path\":\"%s/store-%u.db\"},\"api\":{\"listen\":\"127.0.0.1:%d\"},"
            "\"mesh\":{\"listen\":\"127.0.0.1:%d\"},\"timeouts\":{\"submit_takeover_ms\":3000}}\n",
            b->dir, i, b->api[i], b->mesh[i]);
    return fclose(f) ? -1 : 0;
}

static int fund(struct rb *b)
{
    for (unsigned c = 0; c < 2; c++)
        for (unsigned i = 0; i < NOTARIES; i++) {
            char a[43];
            qiao_hex_encode0x(a, b->addr[i], 20);
            cJSON *p = cJSON_CreateArray();
            cJSON_AddItemToArray(p, cJSON_CreateString(a));
            cJSON_AddItemToArray(p, cJSON_CreateString("0x3635c9adc5dea00000"));
            cJSON *r = call(b, c, "anvil_setBalance", p);
            if (!r)
                return -1;
            cJSON_Delete(r);
        }
    return 0;
}

static int start_notaries(struct rb *b)
{
    for (unsigned i = 0; i < NOTARIES; i++) {
        char cfg[128], log[128];
        snprintf(log, sizeof(log), "%s/notary-%u.log", b->dir, i);
        if (write_config(b, i, cfg, sizeof(cfg)))
            return -1;
        char *argv[] = {b->qiao, "run", "--config", cfg, "--insecure-plaintext-key", NULL};
        if ((b->notary[i] = spawn(argv, log)) < 0 || wait_port(b->api[i], 20000))
            return -1;
    }
    return 0;
}

/* ---- the run -------------------------------------------------------------------------------- */

static int send_msg(struct rb *b, size_t k)
{
    unsigned src = k % 2, dst = 1 - src;
    struct rb_chain *s = &b->c[src];
    char payload[64], to[43];
    snprintf(payload, sizeof(payload), "{\"bench\":%zu}", k);
    struct qiao_buf data = {0};
    size_t len = strlen(payload);
    if (qiao_abi_encode_send(&data, b->c[dst].id, b->c[dst].registry, (const uint8_t *)payload,
                             len, NULL))
        return -1;
    char *hex = malloc(2 * data.len + 3);
    qiao_hex_encode0x(hex, data.p, data.len);
    qiao_hex_encode0x(to, s->outbox, 20);
    cJSON *tx = cJSON_CreateObject(), *p = cJSON_CreateArray();
    cJSON_AddStringToObject(tx, "from", DEV_ADDR);
    cJSON_AddStringToObject(tx, "to", to);
    cJSON_AddStringToObject(tx, "data", hex);
    cJSON_AddStringToObject(tx, "gas", "0x40000");
    cJSON_AddItemToArray(p, tx);
    free(hex);
    qiao_buf_clear(&data);
    cJSON *r = call(b, src, "eth_sendTransaction", p);
    if (!r)
        return -1;
    cJSON_Delete(r);
    struct qiao_message m = {.version = 1, .src_chain_id = s->id, .seq = s->next_seq++,
                             .dst_chain_id = b->c[dst].id};
    memcpy(m.src_emitter, s->outbox, 20), memcpy(m.receiver, b->c[dst].registry, 20);
    qiao_hex_decode_exact(m.sender, 20, DEV_ADDR, NULL);
    qiao_keccak256(m.payload_hash, payload, len);
    qiao_msg_id(b->m[k].id, &m);
    b->m[k].dst = dst;
    b->m[k].sent = qiao_bench_now(); /* automine: the block holding it exists now */
    return 0;
}

static void poll_delivered(struct rb *b, unsigned dst)
{
    static const char sig[] = "MessageDelivered(bytes32,uint64,uint64,address)";
    uint8_t topic[32];
    char to[43], th[67], from[24];
    qiao_keccak256(topic, sig, sizeof(sig) - 1);
    qiao_hex_encode0x(to, b->c[dst].inbox, 20), qiao_hex_encode0x(th, topic, 32);
    snprintf(from, sizeof(from), "0x%llx", (unsigned long long)b->c[dst].log_from);
    cJSON *f = cJSON_CreateObject(), *p = cJSON_CreateArray(), *topics = cJSON_CreateArray();
    cJSON_AddStringToObject(f, "address", to);
    cJSON_AddStringToObject(f, "fromBlock", from);
    cJSON_AddStringToObject(f, "toBlock", "latest");
    cJSON_AddItemToArray(topics, cJSON_CreateString(th));
    cJSON_AddItemToObject(f, "topics", topics);
    cJSON_AddItemToArray(p, f);
    cJSON *r = call(b, dst, "eth_getLogs", p), *log;
    double now = qiao_bench_now();
    cJSON_ArrayForEach(log, r) {
        const cJSON *t1 = cJSON_GetArrayItem(cJSON_GetObjectItem(log, "topics"), 1);
        const cJSON *bn = cJSON_GetObjectItem(log, "blockNumber");
        uint8_t id[32];
        if (!cJSON_IsString(t1) || qiao_hex_decode_exact(id, 32, t1->valuestring, NULL))
            continue;
        /* From the newest block with a log on (not past it: anvil refuses a range beyond its
         * head); logs seen twice are ignored below. */
        if (cJSON_IsString(bn) && strtoull(bn->valuestring, NULL, 16) > b->c[dst].log_from)
            b->c[dst].log_from = strtoull(bn->valuestring, NULL, 16);
        for (size_t k = 0; k < b->n; k++)
            if (b->m[k].delivered == 0 && memcmp(b->m[k].id, id, 32) == 0) {
                b->m[k].delivered = now;
                b->ndelivered++;
            }
    }
    cJSON_Delete(r);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct recover_arg {
    struct qiao_crypto *cx;
    uint8_t sig[65], digest[32];
};

static void run_recover(void *arg, uint64_t iters)
{
    struct recover_arg *r = arg;
    uint8_t signer[20];
    for (uint64_t i = 0; i < iters; i++)
        (void)qiao_attest_recover(r->cx, signer, r->sig, r->digest, NULL);
}

static void report(struct rb *b, double recover_rate)
{
    double *lat = calloc(b->n, sizeof(double)), first = 1e300, last = 0;
    size_t n = 0;
    for (size_t k = 0; lat && k < b->n; k++) {
        first = b->m[k].sent < first ? b->m[k].sent : first;
        if (b->m[k].delivered) {
            lat[n++] = b->m[k].delivered - b->m[k].sent;
            last = b->m[k].delivered > last ? b->m[k].delivered : last;
        }
    }
    if (!n) {
        printf("  nothing was delivered\n");
        free(lat);
        return;
    }
    qsort(lat, n, sizeof(double), cmp_double);
    printf("  %zu of %zu messages delivered (2 lanes, 4 notaries, k = %d, 1 confirmation)\n", n,
           b->n, K);
    qiao_bench_line("delivered messages", (double)n / (last - first), "/s",
                    "quorum-verify limit", recover_rate / K);
    printf("  latency, inclusion to delivery:  p50 %.3f s   p99 %.3f s   max %.3f s\n",
           lat[n / 2], lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], lat[n - 1]);
    printf("  (the limit: secp256k1 recover-verify %.0f /s on one core, %d per message)\n",
           recover_rate, K);
    free(lat);
}

static double measure_recover(void)
{
    struct recover_arg r = {.cx = qiao_crypto_create()};
    uint8_t sk[32], id[32], cid[32];
    memset(sk, 0x11, 32), memset(id, 0x22, 32), memset(cid, 0x51, 32);
    qiao_attest_digest(r.digest, cid, 1, id);
    double rate = r.cx && !qiao_attest_sign(r.cx, r.sig, sk, r.digest, NULL)
                      ? qiao_bench_rate(run_recover, &r, qiao_bench_seconds(1.0))
                      : 0;
    qiao_crypto_destroy(r.cx);
    return rate;
}

static int setup(struct rb *b)
{
    const char *file = __FILE__, *cut = strstr(file, "/tests/bench/");
    ssize_t len = readlink("/proc/self/exe", b->qiao, sizeof(b->qiao) - 1);
    if (!cut || len <= 0)
        return -1;
    b->qiao[len] = 0;
    snprintf(b->src, sizeof(b->src), "%.*s", (int)(cut - file), file);
    snprintf(b->dir, sizeof(b->dir), "/tmp/qiao-bench-relay-XXXXXX");
    if (!mkdtemp(b->dir) || qiao_rpc_lws_create(&b->lws, NULL))
        return -1;
    struct qiao_crypto *cx = qiao_crypto_create();
    uint8_t pub[64];
    for (unsigned i = 0; i < NOTARIES; i++) {
        memset(b->sk[i], 0x11 * (int)(i + 1), 32);
        qiao_secp_pubkey(cx, pub, b->addr[i], b->sk[i], NULL);
        b->api[i] = free_port(), b->mesh[i] = free_port();
    }
    qiao_crypto_destroy(cx);
    return start_chain(b, 0) || start_chain(b, 1) || deploy(b) || fund(b) || start_notaries(b)
               ? -1 : 0;
}

static void teardown(struct rb *b)
{
    for (unsigned i = 0; i < NOTARIES; i++)
        stop(b->notary[i]);
    for (unsigned c = 0; c < 2; c++) {
        qiao_rpc_destroy(b->c[c].rpc);
        stop(b->c[c].pid);
    }
    if (b->lws)
        lws_context_destroy(b->lws);
    if (getenv("QIAO_KEEP_BENCH")) {
        printf("  kept %s\n", b->dir);
    } else if (b->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "  could not remove %s\n", b->dir);
    }
    free(b->m);
}

int qiao_bench_relay(int argc, char **argv)
{
    struct rb *b = calloc(1, sizeof(*b));
    long n = argc >= 2 ? strtol(argv[1], NULL, 10) : 300;
    if (!b || n < 1 || n > 100000 || !(b->m = calloc((size_t)n, sizeof(*b->m)))) {
        fprintf(stderr, "usage: qiao bench relay [N (1..100000, default 300)]\n");
        free(b);
        return 2;
    }
    b->n = (size_t)n;
    printf("relay: %ld messages through %d notary processes (k = %d) on two anvils\n", n,
           NOTARIES, K);
    double recover_rate = measure_recover();
    int rc = setup(b);
    if (rc) {
        fprintf(stderr, "qiao bench relay: setup failed (node and the npm kit needed; logs in %s)\n",
                b->dir);
    } else {
        usleep(1000000); /* let the mesh links come up */
        for (size_t k = 0; k < b->n && !rc; k++)
            rc = send_msg(b, k);
        double deadline = qiao_bench_now() + 60.0 + (double)b->n * 0.2;
        double tick = qiao_bench_now();
        while (!rc && b->ndelivered < b->n && qiao_bench_now() < deadline) {
            poll_delivered(b, 0), poll_delivered(b, 1);
            if (qiao_bench_now() - tick > 0.2) { /* a live chain: the last sends become final */
                cJSON_Delete(call(b, 0, "evm_mine", cJSON_CreateArray()));
                cJSON_Delete(call(b, 1, "evm_mine", cJSON_CreateArray()));
                tick = qiao_bench_now();
            }
            usleep(20000);
        }
        report(b, recover_rate);
    }
    teardown(b);
    free(b);
    return rc ? 1 : 0;
}
