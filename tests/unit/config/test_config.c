/*
 * test_config.c: the annotated example config parses with the documented defaults, and each
 * invalid variant of it is refused with the expected reason and a message naming the field path.
 * Variants are made by editing the example's JSON tree at a path, so every case differs from a
 * valid config in exactly one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/config/config.h"
#include "relay/core/json.h"
#include "tests/qt.h"

static char *example_text;
static size_t example_len;
static struct qiao_config *cfg;

/* Find the parent object/array of a dotted path like "chains[1].finality.tag"; *last gets the
 * final key (or index as text). */
static cJSON *walk_to_parent(cJSON *root, const char *path, char *last)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "%s", path);
    cJSON *cur = root;
    char *tok = buf;
    for (;;) {
        char *dot = strpbrk(tok, ".[");
        size_t n = dot ? (size_t)(dot - tok) : strlen(tok);
        char key[64];
        memcpy(key, tok, n);
        key[n] = 0;
        if (!dot) {
            strcpy(last, key);
            return cur;
        }
        if (n)
            cur = cJSON_GetObjectItemCaseSensitive(cur, key);
        if (*dot == '[') {
            int idx = atoi(dot + 1);
            char *close = strchr(dot, ']');
            if (close[1] == 0) {
                snprintf(last, 16, "#%d", idx);
                return cur;
            }
            cur = cJSON_GetArrayItem(cur, idx);
            tok = close + (close[1] == '.' ? 2 : 1);
        } else {
            tok = dot + 1;
        }
        if (!cur)
            return NULL;
    }
}

/* value NULL deletes; otherwise value is JSON text replacing (or adding) the member. */
static char *mutate(const char *path, const char *value)
{
    cJSON *root = NULL;
    if (qiao_json_parse(&root, example_text, example_len, 0, 0, NULL))
        return NULL;
    char last[64];
    cJSON *parent = walk_to_parent(root, path, last);
    cJSON *v = value ? cJSON_Parse(value) : NULL;
    if (parent && last[0] == '#') {
        int idx = atoi(last + 1);
        if (v)
            cJSON_ReplaceItemInArray(parent, idx, v);
        else
            cJSON_DeleteItemFromArray(parent, idx);
    } else if (parent) {
        if (cJSON_GetObjectItemCaseSensitive(parent, last))
            cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
        if (v)
            cJSON_AddItemToObject(parent, last, v);
    }
    char *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return out;
}

struct bad_case {
    const char *path, *value; /* value NULL: delete */
    const char *reason, *msg_has;
};

static const struct bad_case cases[] = {
    {"committee.k", "0", "bad-threshold", "committee.k: k = 0"},
    {"committee.k", "5", "bad-threshold", "committee.k: k = 5 exceeds the 4 members"},
    {"committee.k", "2", "bad-threshold", "below ceil(2n/3) = 3"},
    {"committee.members[2]", "\"0x2000000000000000000000000000000000000002\"", "duplicate",
     "committee.members[2]: duplicate member 0x2000000000000000000000000000000000000002"},
    {"committee.members[3]", "\"0x0000000000000000000000000000000000000000\"", "zero-address",
     "committee.members[3]"},
    {"committee.members[1]", "\"0x12\"", "bad-hex", "committee.members[1]"},
    {"committee.members[1]", "\"2000000000000000000000000000000000000002\"", "bad-hex",
     "committee.members[1]"},
    {"committee.members[1]", "7", "wrong-type", "committee.members[1]"},
    {"committee.members", "[]", "bad-value", "committee.members: no members"},
    {"committee.id", "\"0x1234\"", "bad-hex", "committee.id"},
    {"committee.k", "\"three\"", "out-of-range", "committee.k"},
    {"committee.k", "-1", "out-of-range", "committee.k"},
    {"committee.k", "70000", "out-of-range", "committee.k: 70000 is outside"},
    {"committee.allow_low_threshold", "1", "wrong-type", "committee.allow_low_threshold"},
    {"committee.threshold", "3", "unknown-key", "committee.threshold: unknown key"},
    {"chains[1].finalty", "{}", "unknown-key", "chains[1].finalty: unknown key (did you mean "
                                               "\"finality\"?)"},
    {"nonsense", "1", "unknown-key", "nonsense: unknown key"},
    {"_comment", "5", "wrong-type", "_comment: must be a string"},
    {"chains[0]._note", "\"x\"", "unknown-key", "chains[0]._note"},
    {"lanes[0].dst", "7009", "unknown-chain", "lanes[0].dst: unknown chain 7009"},
    {"lanes[1].src", "7001", "missing-contract", "lanes[1].src: chain 7001 (judicial) has no "
                                                 "contracts.outbox"},
    {"lanes[1].dst", "7002", "missing-contract", "lanes[1].dst"},
    {"lanes[1]", "{\"src\":7003,\"dst\":7001}", "duplicate", "lanes[1]: duplicate lane"},
    {"lanes[1]", "{\"src\":7001,\"dst\":7001}", "missing-contract", "lanes[1].src"},
    {"lanes", "[]", "bad-value", "lanes: at least one lane"},
    {"chains[1].id", "7001", "duplicate", "chains[1].id: duplicate chain id 7001"},
    {"chains[2].name", "\"judicial\"", "duplicate", "chains[2].name"},
    {"chains[0].id", "0", "out-of-range", "chains[0].id"},
    {"chains[0].id", "1.5", "out-of-range", "chains[0].id"},
    {"chains[0].family", "\"solana\"", "bad-value", "chains[0].family: \"solana\" is not"},
    {"chains[0].endpoints.http[0]", "\"ftp://x\"", "bad-url", "chains[0].endpoints.http[0]"},
    {"chains[0].endpoints.ws[0]", "\"http://x\"", "bad-url", "chains[0].endpoints.ws[0]"},
    {"chains[0].endpoints.http", "[]", "bad-value", "chains[0].endpoints.http"},
    {"chains[0].endpoints", NULL, "missing-field", "chains[0].endpoints: required field"},
    {"chains[0].finality", "{\"confirmations\":2,\"tag\":\"finalized\"}", "bad-value",
     "chains[0].finality: give exactly one"},
    {"chains[0].finality", "{\"confirmations\":0}", "out-of-range",
     "chains[0].finality.confirmations"},
    {"chains[0].finality", "{\"tag\":\"safe\"}", "bad-value", "chains[0].finality.tag"},
    {"chains[0].checkpoint.hash", "\"0x00\"", "bad-hex", "chains[0].checkpoint.hash"},
    {"chains[0].contracts.inbox", "\"0x5FbDB2315678afecb367f032d93F642f64180aZZ\"", "bad-hex",
     "chains[0].contracts.inbox"},
    {"chains[0].fees.gas_limit", "100", "out-of-range", "chains[0].fees.gas_limit"},
    {"notary.address", "\"0x9000000000000000000000000000000000000009\"", "self-not-member",
     "notary.address: 0x9000000000000000000000000000000000000009 is not among"},
    {"notary.passphrase_file", "\"/x\"", "bad-value", "give passphrase_env or passphrase_file"},
    {"notary.key_file", "\"\"", "bad-value", "notary.key_file: must not be empty"},
    {"notary.key_file", NULL, "missing-field", "notary.key_file"},
    {"peers[1].address", "\"0x9000000000000000000000000000000000000009\"", "bad-value",
     "peers[1].address: 0x9000000000000000000000000000000000000009 is not among"},
    {"peers[1].address", "\"0x1000000000000000000000000000000000000001\"", "bad-value",
     "own address"},
    {"peers[2].id", "\"notary-2\"", "duplicate", "peers[2].id: duplicate peer id"},
    {"peers[2].address", "\"0x2000000000000000000000000000000000000002\"", "duplicate",
     "peers[2].address: duplicate peer address"},
    {"peers[0].url", "\"http://127.0.0.1:9102\"", "bad-url", "peers[0].url"},
    {"api.listen", "\"0.0.0.0:8701\"", "bad-listen", "set api.allow_remote"},
    {"api.listen", "\"127.0.0.1:99999\"", "bad-listen", "api.listen"},
    {"api.listen", "\"127.0.0.1\"", "bad-listen", "api.listen"},
    {"mesh.listen", "\"127.0.0.1:8701\"", "bad-listen", "mesh.listen: same address"},
    {"mesh.tls", "{\"cert\":\"/c.pem\"}", "missing-field", "mesh.tls.key"},
    {"limits.peer_frame_bytes", "10", "out-of-range", "limits.peer_frame_bytes"},
    {"timeouts.submit_takeover_ms", "1", "out-of-range", "timeouts.submit_takeover_ms"},
    {"version", "2", "out-of-range", "version"},
    {"store", NULL, "missing-field", "store: required field"},
    {"store.path", "3", "wrong-type", "store.path: must be a string"},
};

static void test_example(void)
{
    struct qiao_diag d = {0};
    qiao_err err = qiao_config_parse(cfg, example_text, example_len, &d);
    QT_CHECKF(err == QIAO_OK, "%s: %s", d.reason, d.msg);
    QT_CHECK(cfg->n_chains == 3 && cfg->n_lanes == 2 && cfg->n_peers == 3);
    QT_CHECK(cfg->committee.n == 4 && cfg->committee.k == 3 && cfg->committee.epoch == 1);
    QT_CHECK(cfg->committee.id[0] == 'q' && cfg->committee.id[31] == 0);
    QT_CHECK(cfg->chains[0].finality == QIAO_CFG_FINALITY_CONFIRMATIONS &&
             cfg->chains[0].confirmations == 2);
    QT_CHECK(cfg->chains[2].finality == QIAO_CFG_FINALITY_FINALIZED_TAG);
    QT_CHECK(cfg->chains[0].max_fee_per_gas == 200000000000ull && cfg->chains[0].gas_limit == 1000000);
    QT_CHECK(cfg->chains[0].has_inbox && !cfg->chains[0].has_outbox && cfg->chains[0].n_ws == 1);
    QT_CHECK(strcmp(cfg->api.host, "127.0.0.1") == 0 && cfg->api.port == 8701);
    QT_CHECK(cfg->mesh.port == 9101 && !cfg->tls);
    QT_CHECK(strcmp(cfg->notary.passphrase_env, "QIAO_KEY_PASSPHRASE") == 0);
    QT_CHECK(qiao_config_chain(cfg, 7002) == &cfg->chains[1] && !qiao_config_chain(cfg, 1));
    QT_CHECK(qiao_config_member_index(cfg, cfg->notary.address) == 0);
    QT_CHECK(cfg->submit_takeover_ms == 30000 && cfg->peer_frame_bytes == 1048576);
}

static void test_defaults_and_overrides(void)
{
    struct qiao_diag d = {0};
    char *t;
    t = mutate("api", NULL);
    QT_CHECK(t && qiao_config_parse(cfg, t, strlen(t), &d) == QIAO_OK);
    QT_CHECK(strcmp(cfg->api.host, "127.0.0.1") == 0 && cfg->api.port == 8700);
    QT_CHECK(cfg->peer_msgs_per_sec == 1000 && cfg->rpc_timeout_ms == 10000);
    free(t);
    t = mutate("committee.allow_low_threshold", "true");
    char *t2 = NULL;
    if (t) {
        char *saved = example_text;
        example_text = t;
        example_len = strlen(t);
        t2 = mutate("committee.k", "2");
        example_text = saved;
        example_len = strlen(saved);
    }
    QT_CHECK(t2 && qiao_config_parse(cfg, t2, strlen(t2), &d) == QIAO_OK && cfg->committee.k == 2);
    free(t);
    free(t2);
    t = mutate("mesh.tls", "{\"cert\":\"/c.pem\",\"key\":\"/k.pem\",\"_comment\":\"mutual TLS\"}");
    QT_CHECK(t && qiao_config_parse(cfg, t, strlen(t), &d) == QIAO_OK && cfg->tls &&
             strcmp(cfg->tls_key, "/k.pem") == 0);
    free(t);
    t = mutate("api.listen", "\"[::1]:8800\"");
    QT_CHECK(t && qiao_config_parse(cfg, t, strlen(t), &d) == QIAO_OK &&
             strcmp(cfg->api.host, "::1") == 0 && cfg->api.port == 8800);
    free(t);
}

static void test_bad_cases(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad_case *c = &cases[i];
        char *t = mutate(c->path, c->value);
        struct qiao_diag d = {0};
        qiao_err err = t ? qiao_config_parse(cfg, t, strlen(t), &d) : QIAO_OK;
        QT_CHECKF(err != QIAO_OK && strcmp(d.reason, c->reason) == 0 && strstr(d.msg, c->msg_has),
                  "case %zu (%s): got %s \"%s\"", i, c->path, d.reason, d.msg);
        free(t);
    }
}

static void test_raw_text(void)
{
    struct qiao_diag d = {0};
    const char *dup = "{\"version\":1,\"version\":1}";
    QT_CHECK(qiao_config_parse(cfg, dup, strlen(dup), &d) == QIAO_EINVAL &&
             strcmp(d.reason, "duplicate-key") == 0);
    QT_CHECK(qiao_config_parse(cfg, "[1]", 3, &d) == QIAO_EINVAL && strcmp(d.reason, "wrong-type") == 0);
    QT_CHECK(qiao_config_parse(cfg, "{", 1, &d) == QIAO_EINVAL && strcmp(d.reason, "bad-json") == 0);
    QT_CHECK(qiao_config_load(cfg, "/nonexistent/qiao.json", &d) == QIAO_EIO);
    char path[512];
    snprintf(path, sizeof(path), "%s/config/notary.example.json", QIAO_SOURCE_DIR);
    QT_CHECK(qiao_config_load(cfg, path, &d) == QIAO_OK);
}

int main(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/config/notary.example.json", QIAO_SOURCE_DIR);
    example_text = qt_read_file(path, &example_len);
    cfg = malloc(sizeof(*cfg));
    QT_CHECK(example_text != NULL && cfg != NULL);
    if (!example_text || !cfg)
        return qt_finish();
    test_example();
    test_bad_cases();
    test_defaults_and_overrides();
    test_raw_text();
    free(example_text);
    free(cfg);
    return qt_finish();
}
