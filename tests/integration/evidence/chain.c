/* chain.c: anvil chains with the Qiao contracts for the evidence test (see live.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "live.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/rpc/rpc.h"
#include "tests/qt.h"
#include "tests/support/proc.h"

#define ARTIFACTS QIAO_BINARY_DIR "/tests/integration/contracts/artifacts"
static const char *DEV_ADDR = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
static struct lws_context *g_lws;

int live_have_artifacts(void)
{
    FILE *f = fopen(ARTIFACTS "/Inbox.json", "r");
    if (f)
        fclose(f);
    return f != NULL;
}

int live_start(struct live_chain *c, uint64_t chain_id)
{
    const char *bin = qiao_proc_kit_bin("anvil");
    char p[16], id[24], log[256], url[64];
    struct qiao_diag d = {0};
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    memset(c, 0, sizeof(*c));
    if (!bin || (!g_lws && qiao_rpc_lws_create(&g_lws, &d)))
        return -1;
    c->chain_id = chain_id;
    c->port = qiao_proc_free_port();
    snprintf(p, sizeof(p), "%d", c->port);
    snprintf(id, sizeof(id), "%llu", (unsigned long long)chain_id);
    snprintf(log, sizeof(log), QIAO_BINARY_DIR "/anvil-evidence-%s.log", id);
    char *argv[] = {(char *)bin, "--port", p, "--host", "127.0.0.1", "--chain-id", id, NULL};
    c->pid = qiao_proc_spawn(argv, log);
    if (c->pid < 0 || qiao_proc_wait_port(c->port, 30000, c->pid))
        return -1;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", c->port);
    struct qiao_evm_source_opts o = {.url = url, .chain_id = chain_id, .timeout_ms = 10000,
                                     .finality = {.confirmations = 2}};
    if (qiao_evm_source_create(&c->src, g_lws, &o, &d) ||
        qiao_evm_source_anchor(c->src, "0x0", &d) ||
        qiao_evm_source_header(c->src, &h, &raw, "0x0", &d)) {
        fprintf(stderr, "anvil %s: %s\n", id, d.msg);
        qiao_buf_clear(&raw);
        return -1;
    }
    memcpy(c->checkpoint, h.hash, 32);
    qiao_buf_clear(&raw);
    return 0;
}

void live_shutdown(void)
{
    if (g_lws)
        lws_context_destroy(g_lws);
    g_lws = NULL;
}

void live_stop(struct live_chain *c)
{
    qiao_evm_source_destroy(c->src);
    c->src = NULL;
    if (c->pid > 0)
        qiao_proc_stop(c->pid);
    c->pid = 0;
}

static cJSON *rpc(struct live_chain *c, const char *method, cJSON *params)
{
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    if (qiao_evm_source_call(c->src, &res, method, params ? params : cJSON_CreateArray(), &d)) {
        fprintf(stderr, "%s: %s\n", method, d.msg);
        return NULL;
    }
    return res;
}

void live_mine(struct live_chain *c, int n)
{
    for (int i = 0; i < n; i++)
        cJSON_Delete(rpc(c, "evm_mine", NULL));
}

static int read_logs(struct live_tx *out, const cJSON *rc)
{
    const cJSON *logs = qiao_json_get(rc, "logs"), *l;
    cJSON_ArrayForEach(l, logs)
    {
        const cJSON *topics = qiao_json_get(l, "topics");
        if (out->nlogs == 8)
            return -1;
        if (qiao_json_hex_exact(out->log_addr[out->nlogs], 20, l, "address", NULL))
            return -1;
        memset(out->log_topic0[out->nlogs], 0, 32);
        if (cJSON_GetArraySize(topics) > 0)
            qiao_hex_decode_exact(out->log_topic0[out->nlogs], 32,
                                  cJSON_GetArrayItem(topics, 0)->valuestring, NULL);
        out->nlogs++;
    }
    return 0;
}

static int read_receipt(struct live_chain *c, struct live_tx *out, const char *txhash)
{
    cJSON *rc = NULL;
    for (int i = 0; i < 100 && (!rc || cJSON_IsNull(rc)); i++) { /* mined a moment later */
        cJSON *p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateString(txhash));
        cJSON_Delete(rc);
        if (i)
            usleep(20000);
        rc = rpc(c, "eth_getTransactionReceipt", p);
    }
    const char *status = NULL;
    int bad = !rc || qiao_json_str(&status, rc, "status", NULL) || strcmp(status, "0x1") ||
              qiao_json_hex_exact(out->block_hash, 32, rc, "blockHash", NULL);
    const char *idx = NULL, *num = NULL;
    if (!bad && !qiao_json_str(&idx, rc, "transactionIndex", NULL) &&
        !qiao_json_str(&num, rc, "blockNumber", NULL)) {
        out->tx_index = strtoull(idx, NULL, 16);
        out->block = strtoull(num, NULL, 16);
    }
    const cJSON *ca = qiao_json_get(rc, "contractAddress");
    if (!bad && cJSON_IsString(ca))
        qiao_hex_decode_exact(out->contract, 20, ca->valuestring, NULL);
    if (!bad)
        bad = read_logs(out, rc);
    if (bad)
        fprintf(stderr, "transaction %s failed or has no receipt\n", txhash);
    cJSON_Delete(rc);
    return bad ? -1 : 0;
}

int live_tx(struct live_chain *c, struct live_tx *out, const uint8_t *to, const uint8_t *data,
            size_t len)
{
    char *hex = malloc(2 * len + 3), addr[43];
    cJSON *tx = cJSON_CreateObject(), *p = cJSON_CreateArray();
    memset(out, 0, sizeof(*out));
    qiao_hex_encode0x(hex, data, len);
    cJSON_AddStringToObject(tx, "from", DEV_ADDR);
    cJSON_AddStringToObject(tx, "data", hex);
    cJSON_AddStringToObject(tx, "gas", "0x989680");
    if (to) {
        qiao_hex_encode0x(addr, to, 20);
        cJSON_AddStringToObject(tx, "to", addr);
    }
    cJSON_AddItemToArray(p, tx);
    free(hex);
    cJSON *h = rpc(c, "eth_sendTransaction", p);
    int rc = cJSON_IsString(h) ? read_receipt(c, out, h->valuestring) : -1;
    cJSON_Delete(h);
    return rc;
}

static uint8_t *artifact_bytecode(const char *name, size_t *len)
{
    char path[512];
    size_t n;
    snprintf(path, sizeof(path), ARTIFACTS "/%s.json", name);
    char *text = qt_read_file(path, &n);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    const char *hex = NULL;
    uint8_t *code = NULL;
    if (j && !qiao_json_str(&hex, j, "bytecode", NULL))
        qiao_hex_decode_alloc(&code, len, hex, (size_t)1 << 20, NULL);
    cJSON_Delete(j);
    free(text);
    return code;
}

int live_deploy(struct live_chain *c, uint8_t addr[20], const char *name, const uint8_t *args,
                size_t args_len)
{
    size_t n = 0;
    uint8_t *code = artifact_bytecode(name, &n);
    struct live_tx tx;
    if (!code)
        return -1;
    uint8_t *all = malloc(n + args_len);
    memcpy(all, code, n);
    if (args_len)
        memcpy(all + n, args, args_len);
    int rc = live_tx(c, &tx, NULL, all, n + args_len);
    free(all);
    free(code);
    memcpy(addr, tx.contract, 20);
    return rc;
}

int live_log_index(const struct live_tx *tx, const uint8_t addr[20], const uint8_t topic0[32])
{
    for (size_t i = 0; i < tx->nlogs; i++)
        if (!memcmp(tx->log_addr[i], addr, 20) && !memcmp(tx->log_topic0[i], topic0, 32))
            return (int)i;
    return -1;
}

int live_segment(struct live_chain *c, struct qiao_ev_segment *seg, const struct live_tx *tx,
                 uint64_t log_index)
{
    struct qiao_evm_sync_result res;
    struct qiao_diag d = {0};
    struct qiao_buf raw = {0}, proof = {0};
    struct qiao_evm_header h;
    if (qiao_evm_source_sync(c->src, &res, &d))
        return fprintf(stderr, "sync: %s\n", d.msg), -1;
    uint64_t tip = qiao_evm_chain_tip(&c->src->chain)->number;
    seg->chain_id = c->chain_id, seg->block = tx->block, seg->index = log_index;
    for (uint64_t n = 0; n <= tip; n++) {
        char num[24];
        snprintf(num, sizeof(num), "0x%llx", (unsigned long long)n);
        qiao_buf_clear(&raw);
        if (qiao_evm_source_header(c->src, &h, &raw, num, &d) ||
            qiao_ev_segment_push(seg, raw.p, raw.len, &d))
            return fprintf(stderr, "header %s: %s\n", num, d.msg), qiao_buf_clear(&raw), -1;
    }
    qiao_buf_clear(&raw);
    int rc = qiao_evm_source_receipt_proof(c->src, &proof, tx->block_hash, tx->tx_index, &d) ||
             qiao_ev_bytes_set(&seg->proof, proof.p, proof.len, &d);
    if (rc)
        fprintf(stderr, "receipt proof: %s\n", d.msg);
    qiao_buf_clear(&proof);
    return rc ? -1 : 0;
}
