/*
 * devnet_load.c: read what scripts/devnet.js writes (DIR/devnet.json, and the JSON reports of
 * `send` and `wait-delivered`) into the fixed structs of devnet.h.
 *
 * devnet.json is produced by our own script, but it is parsed as strictly as any input
 * (qiao_json_parse: size and depth caps, duplicate keys refused), every string is length-checked
 * into its buffer and every count against its array, so a stale or hand-edited file yields an
 * error naming the field instead of a crash.
 */
#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/support/devnet.h"
#include "tests/support/devnet_int.h"

#define DEVNET_JSON_MAX (1u << 20)
#define REPORT_JSON_MAX (1u << 16)

static qiao_err copy_str(char *dst, size_t cap, const cJSON *obj, const char *key,
                         struct qiao_diag *d)
{
    const char *s;
    QIAO_TRY(qiao_json_str(&s, obj, key, d));
    if (strlen(s) >= cap)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-devnet-json", "field \"%s\" is longer than %zu bytes",
                         key, cap - 1);
    memcpy(dst, s, strlen(s) + 1);
    return QIAO_OK;
}

/* An address member that may also be JSON null (a contract not deployed): zero then. */
static qiao_err opt_address(uint8_t out[20], const cJSON *obj, const char *key, struct qiao_diag *d)
{
    const cJSON *v = qiao_json_get(obj, key);
    memset(out, 0, 20);
    if (!v || cJSON_IsNull(v))
        return QIAO_OK;
    return qiao_json_hex_exact(out, 20, obj, key, d);
}

static qiao_err u32_field(unsigned *out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    uint64_t v;
    QIAO_TRY(qiao_json_u64(&v, obj, key, d));
    if (v > 0x7fffffff)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-devnet-json", "field \"%s\" = %llu is out of range",
                         key, (unsigned long long)v);
    *out = (unsigned)v;
    return QIAO_OK;
}

/* The array member key, with at most max elements. */
static qiao_err bounded_array(const cJSON **out, unsigned *n, const cJSON *obj, const char *key,
                              unsigned max, struct qiao_diag *d)
{
    QIAO_TRY(qiao_json_array(out, obj, key, d));
    int size = cJSON_GetArraySize(*out);
    if (size < 0 || (unsigned)size > max)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-devnet-json", "\"%s\" has %d entries (max %u)", key,
                         size, max);
    *n = (unsigned)size;
    return QIAO_OK;
}

static qiao_err load_chain(struct qiao_devnet_chain *c, const cJSON *j, struct qiao_diag *d)
{
    const cJSON *contracts, *cp;
    unsigned port, pid;
    QIAO_TRY(copy_str(c->name, sizeof(c->name), j, "name", d));
    QIAO_TRY(qiao_json_u64(&c->chain_id, j, "chainId", d));
    QIAO_TRY(copy_str(c->http, sizeof(c->http), j, "http", d));
    QIAO_TRY(copy_str(c->ws, sizeof(c->ws), j, "ws", d));
    QIAO_TRY(u32_field(&port, j, "port", d));
    QIAO_TRY(u32_field(&pid, j, "pid", d));
    c->port = (int)port;
    c->pid = (pid_t)pid;
    QIAO_TRY(qiao_json_object(&contracts, j, "contracts", d));
    QIAO_TRY(qiao_json_hex_exact(c->outbox, 20, contracts, "outbox", d));
    QIAO_TRY(qiao_json_hex_exact(c->inbox, 20, contracts, "inbox", d));
    QIAO_TRY(opt_address(c->registry, contracts, "evidenceRegistry", d));
    QIAO_TRY(opt_address(c->htlc, contracts, "hashedTimelock", d));
    QIAO_TRY(qiao_json_u64(&c->deploy_block, j, "deployBlock", d));
    QIAO_TRY(qiao_json_object(&cp, j, "checkpoint", d));
    return qiao_json_u64(&c->checkpoint_height, cp, "height", d);
}

/* "127.0.0.1:PORT" -> PORT. */
static qiao_err listen_port(int *port, const cJSON *j, const char *key, struct qiao_diag *d)
{
    const char *s, *colon;
    QIAO_TRY(qiao_json_str(&s, j, key, d));
    colon = strrchr(s, ':');
    uint64_t v = 0;
    if (!colon || qiao_parse_u64(&v, colon + 1, key, d) || v == 0 || v > 65535)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-devnet-json", "field \"%s\" = \"%.64s\" has no port",
                         key, s);
    *port = (int)v;
    return QIAO_OK;
}

static qiao_err load_notary(struct qiao_devnet_notary *n, const cJSON *j, struct qiao_diag *d)
{
    QIAO_TRY(copy_str(n->name, sizeof(n->name), j, "name", d));
    QIAO_TRY(qiao_json_hex_exact(n->address, 20, j, "address", d));
    QIAO_TRY(copy_str(n->config, sizeof(n->config), j, "config", d));
    QIAO_TRY(copy_str(n->key_file, sizeof(n->key_file), j, "keyFile", d));
    QIAO_TRY(copy_str(n->store, sizeof(n->store), j, "store", d));
    QIAO_TRY(copy_str(n->log, sizeof(n->log), j, "log", d));
    QIAO_TRY(copy_str(n->pid_file, sizeof(n->pid_file), j, "pidFile", d));
    QIAO_TRY(copy_str(n->api_url, sizeof(n->api_url), j, "apiUrl", d));
    QIAO_TRY(copy_str(n->mesh_url, sizeof(n->mesh_url), j, "meshUrl", d));
    QIAO_TRY(listen_port(&n->api_port, j, "apiListen", d));
    return listen_port(&n->mesh_port, j, "meshListen", d);
}

static qiao_err load_proc(struct qiao_devnet_proc *p, const cJSON *j, struct qiao_diag *d)
{
    unsigned pid;
    QIAO_TRY(copy_str(p->role, sizeof(p->role), j, "role", d));
    QIAO_TRY(u32_field(&pid, j, "pid", d));
    p->pid = (pid_t)pid;
    return copy_str(p->start_time, sizeof(p->start_time), j, "startTime", d);
}

/* Run load(elem) over each element of array key, wrapping errors with "key[i]". */
#define LOAD_ARRAY(root, key, max, count, arr, load)                                               \
    do {                                                                                           \
        const cJSON *a_;                                                                           \
        QIAO_TRY(bounded_array(&a_, &(count), (root), (key), (max), d));                           \
        for (unsigned i_ = 0; i_ < (count); i_++)                                                  \
            if (load(&(arr)[i_], cJSON_GetArrayItem(a_, (int)i_), d))                              \
                return qiao_diag_wrap(d, "%s[%u]", (key), i_);                                      \
    } while (0)

static qiao_err load_lane(uint64_t (*lane)[2], const cJSON *j, struct qiao_diag *d)
{
    QIAO_TRY(qiao_json_u64(&(*lane)[0], j, "src", d));
    return qiao_json_u64(&(*lane)[1], j, "dst", d);
}

static qiao_err load_committee(struct qiao_devnet *net, const cJSON *root, struct qiao_diag *d)
{
    const cJSON *c, *pass, *file;
    QIAO_TRY(qiao_json_object(&c, root, "committee", d));
    QIAO_TRY(qiao_json_hex_exact(net->committee_id, 32, c, "id", d));
    QIAO_TRY(qiao_json_u64(&net->epoch, c, "epoch", d));
    QIAO_TRY(u32_field(&net->k, c, "k", d));
    QIAO_TRY(u32_field(&net->confirmations, root, "confirmations", d));
    QIAO_TRY(qiao_json_object(&pass, root, "passphrase", d));
    QIAO_TRY(copy_str(net->passphrase_env, sizeof(net->passphrase_env), pass, "env", d));
    file = qiao_json_get(pass, "file");
    net->passphrase_file[0] = 0;
    if (file && !cJSON_IsNull(file))
        QIAO_TRY(copy_str(net->passphrase_file, sizeof(net->passphrase_file), pass, "file", d));
    return QIAO_OK;
}

static qiao_err load_tree(struct qiao_devnet *net, const cJSON *root, struct qiao_diag *d)
{
    QIAO_TRY(copy_str(net->dir, sizeof(net->dir), root, "dir", d));
    QIAO_TRY(copy_str(net->qiao, sizeof(net->qiao), root, "qiao", d));
    QIAO_TRY(load_committee(net, root, d));
    LOAD_ARRAY(root, "chains", QIAO_DEVNET_MAX_CHAINS, net->n_chains, net->chains, load_chain);
    LOAD_ARRAY(root, "notaries", QIAO_DEVNET_MAX_NOTARIES, net->n_notaries, net->notaries,
               load_notary);
    LOAD_ARRAY(root, "processes", QIAO_DEVNET_MAX_PROCS, net->n_procs, net->procs, load_proc);
    LOAD_ARRAY(root, "lanes", QIAO_DEVNET_MAX_CHAINS * QIAO_DEVNET_MAX_CHAINS, net->n_lanes,
               net->lanes, load_lane);
    return QIAO_OK;
}

qiao_err qiao_devnet_parse(struct qiao_devnet *net, const char *text, size_t len,
                           struct qiao_diag *d)
{
    cJSON *root = NULL;
    memset(net, 0, sizeof(*net));
    QIAO_TRY(qiao_json_parse(&root, text, len, DEVNET_JSON_MAX, 0, d));
    qiao_err err = load_tree(net, root, d);
    cJSON_Delete(root);
    return err;
}

qiao_err qiao_devnet_load(struct qiao_devnet *net, const char *dir, struct qiao_diag *d)
{
    char path[QIAO_DEVNET_PATH_MAX + 16];
    cJSON *root = NULL;
    snprintf(path, sizeof(path), "%s/devnet.json", dir);
    memset(net, 0, sizeof(*net));
    QIAO_TRY(qiao_json_parse_file(&root, path, DEVNET_JSON_MAX, 0, d));
    qiao_err err = load_tree(net, root, d);
    cJSON_Delete(root);
    if (err)
        return qiao_diag_wrap(d, "%s", path);
    return QIAO_OK;
}

static qiao_err load_sent(struct qiao_devnet_sent *s, const cJSON *j, struct qiao_diag *d)
{
    qiao_err err = qiao_json_hex_exact(s->id, 32, j, "id", d);
    if (!err)
        err = qiao_json_hex_exact(s->tx, 32, j, "tx", d);
    if (!err)
        err = qiao_json_hex_exact(s->payload_keccak, 32, j, "payloadKeccak", d);
    if (!err)
        err = qiao_json_hex_exact(s->payload_sha256, 32, j, "payloadSha256", d);
    if (!err)
        err = qiao_json_hex_exact(s->sender, 20, j, "sender", d);
    if (!err)
        err = qiao_json_hex_exact(s->receiver, 20, j, "receiver", d);
    if (!err)
        err = qiao_json_u64(&s->seq, j, "seq", d);
    if (!err)
        err = qiao_json_u64(&s->block, j, "block", d);
    return err;
}

static qiao_err load_signers(struct qiao_devnet_delivery *o, const cJSON *j, struct qiao_diag *d)
{
    const cJSON *a;
    QIAO_TRY(bounded_array(&a, &o->n_signers, j, "signers", QIAO_DEVNET_MAX_NOTARIES, d));
    for (unsigned i = 0; i < o->n_signers; i++) {
        const cJSON *s = cJSON_GetArrayItem(a, (int)i);
        if (!cJSON_IsString(s) || qiao_hex_decode_exact(o->signers[i], 20, s->valuestring, d))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-devnet-json", "signers[%u] is not an address", i);
    }
    return QIAO_OK;
}

static qiao_err load_delivery(struct qiao_devnet_delivery *o, const cJSON *j, struct qiao_diag *d)
{
    QIAO_TRY(qiao_json_bool(&o->delivered, j, "delivered", d));
    if (!o->delivered)
        return QIAO_OK;
    QIAO_TRY(qiao_json_u64(&o->block, j, "block", d));
    QIAO_TRY(qiao_json_hex_exact(o->tx, 32, j, "tx", d));
    QIAO_TRY(qiao_json_hex_exact(o->submitter, 20, j, "submitter", d));
    QIAO_TRY(load_signers(o, j, d));
    const cJSON *ev = qiao_json_get(j, "evidence");
    o->has_evidence = ev != NULL;
    return ev ? qiao_json_hex_exact(o->record_sha256, 32, ev, "recordSha256", d) : QIAO_OK;
}

static qiao_err load_submit(struct qiao_devnet_submit *o, const cJSON *j, struct qiao_diag *d)
{
    const char *status;
    QIAO_TRY(qiao_json_str(&status, j, "status", d));
    o->ok = strcmp(status, "ok") == 0;
    if (!o->ok)
        return copy_str(o->error, sizeof(o->error), j, "error", d);
    QIAO_TRY(qiao_json_hex_exact(o->tx, 32, j, "tx", d));
    return qiao_json_u64(&o->block, j, "block", d);
}

/* Each report kind: its loader, output size and name for messages. */
static qiao_err load_report(enum qiao_devnet_report kind, void *out, const cJSON *j,
                            struct qiao_diag *d)
{
    switch (kind) {
    case QIAO_DEVNET_REPORT_SENT:
        return load_sent(out, j, d);
    case QIAO_DEVNET_REPORT_DELIVERY:
        return load_delivery(out, j, d);
    case QIAO_DEVNET_REPORT_SUBMIT:
        return load_submit(out, j, d);
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-report-kind", "unknown report kind %d", (int)kind);
}

static size_t report_size(enum qiao_devnet_report kind)
{
    return kind == QIAO_DEVNET_REPORT_SENT       ? sizeof(struct qiao_devnet_sent)
           : kind == QIAO_DEVNET_REPORT_DELIVERY ? sizeof(struct qiao_devnet_delivery)
                                                 : sizeof(struct qiao_devnet_submit);
}

qiao_err qiao_devnet_parse_report(enum qiao_devnet_report kind, void *out, const char *text,
                                  size_t len, struct qiao_diag *d)
{
    cJSON *j = NULL;
    memset(out, 0, report_size(kind));
    QIAO_TRY(qiao_json_parse(&j, text, len, REPORT_JSON_MAX, 0, d));
    qiao_err err = load_report(kind, out, j, d);
    cJSON_Delete(j);
    return err;
}

qiao_err qiao_devnet_read_report(enum qiao_devnet_report kind, void *out, const char *path,
                                 struct qiao_diag *d)
{
    cJSON *j = NULL;
    memset(out, 0, report_size(kind));
    QIAO_TRY(qiao_json_parse_file(&j, path, REPORT_JSON_MAX, 0, d));
    qiao_err err = load_report(kind, out, j, d);
    cJSON_Delete(j);
    return err ? qiao_diag_wrap(d, "report %s", path) : QIAO_OK;
}

const struct qiao_devnet_chain *qiao_devnet_chain(const struct qiao_devnet *net, uint64_t id)
{
    for (unsigned i = 0; i < net->n_chains; i++)
        if (net->chains[i].chain_id == id)
            return &net->chains[i];
    return NULL;
}
