/* tnet.c: the daemon's integration test network (tnet.h). */
#define _GNU_SOURCE
#include "tnet.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "relay/core/crypto.h"
#include "relay/keys/keys.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"
#include "relay/rpc/rpc.h"
#include "tests/support/proc.h"

#define DEV_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define DEV_ADDR "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
#define DEPLOY_JS QIAO_SOURCE_DIR "/adapters/evm/contracts/deploy.js"

void tnet_sleep(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

cJSON *tnet_chain_call(struct tnet *t, unsigned c, const char *method, cJSON *params)
{
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    if (qiao_rpc_call_sync(t->chains[c].rpc, method, params, &res, &d)) {
        fprintf(stderr, "tnet: chain %llu %s: %s: %s\n", (unsigned long long)t->chains[c].id,
                method, d.reason, d.msg);
        return NULL;
    }
    return res;
}

static int run_wait(char *const argv[], const char *log)
{
    pid_t pid = qiao_proc_spawn(argv, log);
    int st = 0;
    if (pid < 0)
        return -1;
    while (waitpid(pid, &st, 0) < 0) {
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int start_anvil(struct tnet *t, unsigned c, uint64_t id)
{
    struct tnet_chain *ch = &t->chains[c];
    const char *bin = qiao_proc_kit_bin("anvil");
    char port[16], chain[24], log[512];
    if (!bin)
        return -1;
    ch->id = id, ch->port = qiao_proc_free_port();
    snprintf(port, sizeof(port), "%d", ch->port);
    snprintf(chain, sizeof(chain), "%llu", (unsigned long long)id);
    snprintf(log, sizeof(log), "%s/anvil-%llu.log", t->dir, (unsigned long long)id);
    char *argv[] = {(char *)bin, "--port", port, "--host", "127.0.0.1", "--chain-id", chain,
                    "--silent", NULL};
    ch->pid = qiao_proc_spawn(argv, log);
    if (ch->pid < 0 || qiao_proc_wait_port(ch->port, 30000, ch->pid))
        return -1;
    snprintf(ch->url, sizeof(ch->url), "http://127.0.0.1:%d", ch->port);
    struct qiao_rpc_opts o = {.url = ch->url, .timeout_ms = 20000};
    return qiao_rpc_create(&ch->rpc, t->lws, &o, NULL) ? -1 : 0;
}

static void notary_key(struct tnet_notary *n, unsigned i)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    uint8_t pub[64];
    memset(n->seckey, 0x11 * (int)(i + 1), 32);
    qiao_secp_pubkey(cx, pub, n->addr, n->seckey, NULL);
    qiao_crypto_destroy(cx);
}

static int load_addrs(struct tnet_chain *ch, const char *file)
{
    cJSON *j = NULL;
    if (qiao_json_parse_file(&j, file, 1 << 20, 16, NULL))
        return -1;
    int rc = qiao_json_hex_exact(ch->outbox, 20, j, "outbox", NULL) ||
             qiao_json_hex_exact(ch->inbox, 20, j, "inbox", NULL) ||
             qiao_json_hex_exact(ch->registry, 20, j, "evidenceRegistry", NULL);
    cJSON_Delete(j);
    return rc ? -1 : 0;
}

static int deploy(struct tnet *t)
{
    char members[TNET_MAX_NOTARIES * 43 + 8] = "", cid[67], k[8], files[TNET_CHAINS][512], log[512];
    for (unsigned i = 0; i < t->n; i++) {
        char a[43];
        qiao_hex_encode0x(a, t->notaries[i].addr, 20);
        strcat(members, i ? "," : ""), strcat(members, a);
    }
    qiao_hex_encode0x(cid, t->committee, 32);
    snprintf(k, sizeof(k), "%u", t->k);
    snprintf(log, sizeof(log), "%s/deploy.log", t->dir);
    for (unsigned c = 0; c < TNET_CHAINS; c++) {
        snprintf(files[c], sizeof(files[c]), "%s/chain-%u.json", t->dir, c);
        char *argv[] = {QIAO_NODE_BIN, DEPLOY_JS, "deploy", "--rpc", t->chains[c].url, "--key", DEV_KEY,
                        "--artifacts", QIAO_DAEMON_ARTIFACTS, "--out", files[c], "--committee-id",
                        cid, "--members", members, "--k", k, "--epoch", "1", "--no-htlc", NULL};
        if (run_wait(argv, log) || load_addrs(&t->chains[c], files[c]))
            return -1;
    }
    char *argv[] = {QIAO_NODE_BIN, DEPLOY_JS, "link", "--key", DEV_KEY, files[0], files[1], NULL};
    return run_wait(argv, log);
}

static int fund(struct tnet *t)
{
    for (unsigned c = 0; c < TNET_CHAINS; c++)
        for (unsigned i = 0; i < t->n; i++) {
            char a[43];
            qiao_hex_encode0x(a, t->notaries[i].addr, 20);
            cJSON *p = cJSON_CreateArray();
            cJSON_AddItemToArray(p, cJSON_CreateString(a));
            cJSON_AddItemToArray(p, cJSON_CreateString("0x3635c9adc5dea00000")); /* 1000 ETH */
            cJSON *r = tnet_chain_call(t, c, "anvil_setBalance", p);
            if (!r)
                return -1;
            cJSON_Delete(r);
        }
    return 0;
}

static void hex0x(char *out, const uint8_t *p, size_t n)
{
    qiao_hex_encode0x(out, p, n);
}

int tnet_write_config(struct tnet *t, unsigned i)
{
    struct tnet_notary *n = &t->notaries[i];
    char key[512], a[43], cid[67], ob[2][43], ib[2][43];
    snprintf(key, sizeof(key), "%s/key-%u.json", t->dir, i);
    snprintf(n->cfg, sizeof(n->cfg), "%s/notary-%u.json", t->dir, i);
    snprintf(n->log, sizeof(n->log), "%s/notary-%u.log", t->dir, i);
    snprintf(n->store, sizeof(n->store), "%s/store-%u.db", t->dir, i);
    unlink(key); /* a rewrite (new chain_url): the key writer refuses to replace a file */
    if (qiao_keys_write(key, n->seckey, NULL, 0, NULL, 1, NULL, NULL))
        return -1;
    hex0x(a, n->addr, 20), hex0x(cid, t->committee, 32);
    for (unsigned c = 0; c < TNET_CHAINS; c++)
        hex0x(ob[c], t->chains[c].outbox, 20), hex0x(ib[c], t->chains[c].inbox, 20);
    FILE *f = fopen(n->cfg, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"version\":1,\"notary\":{\"address\":\"%s\",\"key_file\":\"%s\"},"
            "\"committee\":{\"id\":\"%s\",\"epoch\":1,\"k\":%u,\"allow_low_threshold\":true,"
            "\"members\":[", a, key, cid, t->k);
    for (unsigned j = 0; j < t->n; j++) {
        char m[43];
        hex0x(m, t->notaries[j].addr, 20);
        fprintf(f, "%s\"%s\"", j ? "," : "", m);
    }
    fprintf(f, "]},\"chains\":[");
    for (unsigned c = 0; c < TNET_CHAINS; c++)
        fprintf(f, "%s{\"id\":%llu,\"name\":\"chain%llu\",\"family\":\"evm\","
                "\"endpoints\":{\"http\":[\"%s\"]},\"finality\":{\"confirmations\":%u},"
                "\"checkpoint\":{\"height\":0,\"hash\":\"0x%064d\"},"
                "\"contracts\":{\"outbox\":\"%s\",\"inbox\":\"%s\"}}", c ? "," : "",
                (unsigned long long)t->chains[c].id, (unsigned long long)t->chains[c].id,
                n->chain_url[c][0] ? n->chain_url[c] : t->chains[c].url, t->confirmations, 0,
                ob[c], ib[c]);
    fprintf(f, "],\"lanes\":[{\"src\":%llu,\"dst\":%llu},{\"src\":%llu,\"dst\":%llu}],\"peers\":[",
            (unsigned long long)t->chains[0].id, (unsigned long long)t->chains[1].id,
            (unsigned long long)t->chains[1].id, (unsigned long long)t->chains[0].id);
    for (unsigned j = 0, first = 1; j < t->n; j++) {
        char m[43];
        if (j == i)
            continue;
        hex0x(m, t->notaries[j].addr, 20);
        fprintf(f, "%s{\"id\":\"notary-%u\",\"address\":\"%s\",\"url\":\"ws://127.0.0.1:%d\"}",
                first ? "" : ",", j, m, t->notaries[j].mesh_port);
        first = 0;
    }
    fprintf(f, "],\"store\":{\"path\":\"%s\"},\"api\":{\"listen\":\"127.0.0.1:%d\"},"
            "\"mesh\":{\"listen\":\"127.0.0.1:%d\"},\"timeouts\":{\"submit_takeover_ms\":%u}}\n",
            n->store, n->api_port, n->mesh_port, t->takeover_ms);
    return fclose(f) ? -1 : 0;
}

int tnet_start(struct tnet *t, unsigned n, unsigned k, unsigned confirmations,
               uint32_t takeover_ms)
{
    memset(t, 0, sizeof(*t));
    t->n = n, t->k = k, t->confirmations = confirmations, t->takeover_ms = takeover_ms;
    memset(t->committee, 0x51, 32);
    qiao_hex_decode_exact(t->sender, 20, DEV_ADDR, NULL);
    snprintf(t->dir, sizeof(t->dir), "/tmp/qiao-daemon-XXXXXX");
    if (!mkdtemp(t->dir) || qiao_rpc_lws_create(&t->lws, NULL))
        return -1;
    for (unsigned i = 0; i < n; i++) {
        notary_key(&t->notaries[i], i);
        t->notaries[i].api_port = qiao_proc_free_port();
        t->notaries[i].mesh_port = qiao_proc_free_port();
    }
    if (start_anvil(t, 0, 7001) || start_anvil(t, 1, 7002) || deploy(t) || fund(t)) {
        fprintf(stderr, "tnet: chains or deployment failed (logs in %s)\n", t->dir);
        return -1;
    }
    for (unsigned c = 0; c < TNET_CHAINS; c++)
        for (unsigned d = 0; d < TNET_CHAINS; d++)
            t->chains[c].next_seq[d] = 1;
    for (unsigned i = 0; i < n; i++)
        if (tnet_write_config(t, i))
            return -1;
    return 0;
}

void tnet_stop(struct tnet *t)
{
    for (unsigned i = 0; i < t->n; i++)
        tnet_notary_stop(t, i);
    for (unsigned c = 0; c < TNET_CHAINS; c++) {
        qiao_rpc_destroy(t->chains[c].rpc);
        if (t->chains[c].pid > 0)
            qiao_proc_stop(t->chains[c].pid);
    }
    if (t->lws)
        lws_context_destroy(t->lws);
    if (getenv("QIAO_KEEP_TNET")) {
        fprintf(stderr, "tnet: kept %s\n", t->dir);
        return;
    }
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "tnet: could not remove %s\n", t->dir);
}

int tnet_notary_start_env(struct tnet *t, unsigned i, const char *crash_at)
{
    if (crash_at)
        setenv("QIAO_TEST_CRASH_AT", crash_at, 1);
    int rc = tnet_notary_start(t, i);
    unsetenv("QIAO_TEST_CRASH_AT");
    return rc;
}

int tnet_notary_start(struct tnet *t, unsigned i)
{
    struct tnet_notary *n = &t->notaries[i];
    char *argv[] = {QIAO_BINARY_DIR "/qiao", "--log-level", "info", "run", "--config", n->cfg,
                    "--insecure-plaintext-key", NULL};
    n->pid = qiao_proc_spawn(argv, n->log);
    if (n->pid < 0 || qiao_proc_wait_port(n->api_port, 20000, n->pid)) {
        fprintf(stderr, "tnet: notary %u did not start (log %s)\n", i, n->log);
        n->pid = 0;
        return -1;
    }
    return 0;
}

void tnet_notary_stop(struct tnet *t, unsigned i)
{
    if (t->notaries[i].pid > 0)
        qiao_proc_stop(t->notaries[i].pid);
    t->notaries[i].pid = 0;
}

void tnet_notary_kill9(struct tnet *t, unsigned i)
{
    if (t->notaries[i].pid > 0)
        qiao_proc_kill9(t->notaries[i].pid);
    t->notaries[i].pid = 0;
}

int tnet_send(struct tnet *t, unsigned src, unsigned dst, const char *payload, uint8_t id[32])
{
    struct tnet_chain *s = &t->chains[src];
    struct qiao_buf data = {0};
    size_t len = strlen(payload);
    if (qiao_abi_encode_send(&data, t->chains[dst].id, t->chains[dst].registry,
                             (const uint8_t *)payload, len, NULL))
        return -1;
    char *hex = malloc(2 * data.len + 3), to[43];
    qiao_hex_encode0x(hex, data.p, data.len);
    qiao_hex_encode0x(to, s->outbox, 20);
    cJSON *tx = cJSON_CreateObject(), *p = cJSON_CreateArray();
    cJSON_AddStringToObject(tx, "from", DEV_ADDR);
    cJSON_AddStringToObject(tx, "to", to);
    cJSON_AddStringToObject(tx, "data", hex);
    cJSON_AddStringToObject(tx, "gas", "0x100000");
    cJSON_AddItemToArray(p, tx);
    free(hex);
    qiao_buf_clear(&data);
    cJSON *r = tnet_chain_call(t, src, "eth_sendTransaction", p);
    if (!r)
        return -1;
    cJSON_Delete(r);
    struct qiao_message m = {.version = 1, .src_chain_id = s->id, .seq = s->next_seq[dst]++,
                             .dst_chain_id = t->chains[dst].id};
    memcpy(m.src_emitter, s->outbox, 20), memcpy(m.sender, t->sender, 20);
    memcpy(m.receiver, t->chains[dst].registry, 20);
    qiao_keccak256(m.payload_hash, payload, len);
    qiao_msg_id(id, &m);
    return 0;
}

int tnet_consumed(struct tnet *t, unsigned dst, const uint8_t id[32])
{
    uint8_t data[36];
    char to[43], hex[80];
    qiao_abi_selector(data, "consumed(bytes32)");
    memcpy(data + 4, id, 32);
    qiao_hex_encode0x(to, t->chains[dst].inbox, 20);
    qiao_hex_encode0x(hex, data, 36);
    cJSON *call = cJSON_CreateObject(), *p = cJSON_CreateArray();
    cJSON_AddStringToObject(call, "to", to);
    cJSON_AddStringToObject(call, "data", hex);
    cJSON_AddItemToArray(p, call);
    cJSON_AddItemToArray(p, cJSON_CreateString("latest"));
    cJSON *r = tnet_chain_call(t, dst, "eth_call", p);
    int yes = cJSON_IsString(r) && strlen(r->valuestring) == 66 && r->valuestring[65] == '1';
    cJSON_Delete(r);
    return yes;
}

void tnet_mine(struct tnet *t)
{
    for (unsigned c = 0; c < TNET_CHAINS; c++)
        cJSON_Delete(tnet_chain_call(t, c, "evm_mine", cJSON_CreateArray()));
}

int tnet_wait_consumed(struct tnet *t, unsigned dst, const uint8_t (*ids)[32], size_t n,
                       unsigned timeout_ms)
{
    size_t done = 0;
    for (unsigned waited = 0; waited <= timeout_ms; waited += 200) {
        while (done < n && tnet_consumed(t, dst, ids[done]))
            done++;
        if (done == n)
            return 0;
        tnet_mine(t); /* a live chain: blocks keep coming, so messages become final */
        tnet_sleep(200);
    }
    return -1;
}

int tnet_delivered_logs(struct tnet *t, unsigned dst, size_t *total, size_t *distinct)
{
    static const char sig[] = "MessageDelivered(bytes32,uint64,uint64,address)";
    uint8_t topic[32];
    char to[43], th[67];
    qiao_keccak256(topic, sig, sizeof(sig) - 1);
    qiao_hex_encode0x(to, t->chains[dst].inbox, 20);
    qiao_hex_encode0x(th, topic, 32);
    cJSON *f = cJSON_CreateObject(), *p = cJSON_CreateArray(), *topics = cJSON_CreateArray();
    cJSON_AddStringToObject(f, "address", to);
    cJSON_AddStringToObject(f, "fromBlock", "0x0");
    cJSON_AddStringToObject(f, "toBlock", "latest");
    cJSON_AddItemToArray(topics, cJSON_CreateString(th));
    cJSON_AddItemToObject(f, "topics", topics);
    cJSON_AddItemToArray(p, f);
    cJSON *r = tnet_chain_call(t, dst, "eth_getLogs", p);
    if (!cJSON_IsArray(r)) {
        cJSON_Delete(r);
        return -1;
    }
    *total = (size_t)cJSON_GetArraySize(r), *distinct = 0;
    for (int i = 0; i < cJSON_GetArraySize(r); i++) {
        const cJSON *ti = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(r, i),
                                                                 "topics"), 1);
        int dup = 0;
        for (int j = 0; j < i && !dup; j++) {
            const cJSON *tj = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(r, j),
                                                                     "topics"), 1);
            dup = ti && tj && strcmp(ti->valuestring, tj->valuestring) == 0;
        }
        *distinct += !dup;
    }
    cJSON_Delete(r);
    return 0;
}

cJSON *tnet_api(struct tnet *t, unsigned i, const char *method, cJSON *params)
{
    char url[64];
    struct qiao_rpc *rpc = NULL;
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/rpc", t->notaries[i].api_port);
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 5000};
    if (qiao_rpc_create(&rpc, t->lws, &o, &d) == QIAO_OK &&
        qiao_rpc_call_sync(rpc, method, params, &res, &d) != QIAO_OK)
        res = NULL;
    else if (!rpc)
        cJSON_Delete(params);
    qiao_rpc_destroy(rpc);
    return res;
}

const char *tnet_msg_state(struct tnet *t, unsigned i, const uint8_t id[32], char buf[16])
{
    char hex[67];
    qiao_hex_encode0x(hex, id, 32);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "id", hex);
    cJSON *r = tnet_api(t, i, "messages.get", p);
    const cJSON *s = cJSON_GetObjectItem(r, "state");
    snprintf(buf, 16, "%s", cJSON_IsString(s) ? s->valuestring : "");
    cJSON_Delete(r);
    return buf;
}
