/*
 * test_trie.c: every trie vector in ../shared/vectors/ethereum, plain and secure.  For each case
 * the operations are applied in order (a null or empty value deletes), the root is rebuilt and
 * compared, and then every present key gets an inclusion proof and every deleted or perturbed key
 * an exclusion proof, each checked by the verifier; each proof is then tampered (a flipped byte in
 * every node, a dropped node, an extra node) and must be rejected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_trie.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "tests/qt.h"

#define MAX_KV 128

struct kv {
    uint8_t key[QIAO_EVM_TRIE_MAX_KEY];
    size_t key_len;
    uint8_t val[256];
    size_t val_len;
    int live;
};

struct tcase {
    struct kv kv[MAX_KV];
    size_t n;
    int secure;
    const char *name;
};

/* Vector strings starting with 0x are hex; others are raw bytes. */
static size_t vec_bytes(uint8_t *out, size_t cap, const char *s)
{
    size_t n = 0;
    if (strncmp(s, "0x", 2) == 0) {
        QT_CHECK(qiao_hex_decode(out, cap, &n, s, strlen(s), NULL) == QIAO_OK);
        return n;
    }
    n = strlen(s);
    QT_CHECK(n <= cap);
    memcpy(out, s, n < cap ? n : cap);
    return n;
}

static void apply(struct tcase *t, const char *k, const cJSON *v)
{
    uint8_t key[256];
    size_t kl = vec_bytes(key, sizeof(key), k);
    if (t->secure) {
        qiao_keccak256(key, key, kl);
        kl = 32;
    }
    struct kv *slot = NULL;
    for (size_t i = 0; i < t->n; i++)
        if (t->kv[i].key_len == kl && memcmp(t->kv[i].key, key, kl) == 0)
            slot = &t->kv[i];
    if (!slot) {
        QT_CHECK(t->n < MAX_KV && kl <= QIAO_EVM_TRIE_MAX_KEY);
        slot = &t->kv[t->n++];
        memcpy(slot->key, key, kl);
        slot->key_len = kl;
    }
    slot->val_len = cJSON_IsString(v) ? vec_bytes(slot->val, sizeof(slot->val), v->valuestring) : 0;
    slot->live = slot->val_len > 0;
}

static size_t live_items(const struct tcase *t, struct qiao_evm_trie_item *items)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->kv[i].live)
            items[n++] = (struct qiao_evm_trie_item){t->kv[i].key, t->kv[i].key_len, t->kv[i].val,
                                                     t->kv[i].val_len};
    return n;
}

/* Tampering: every single-byte flip, a dropped last node and an appended node must all fail. */
static void check_tamper(const struct qiao_evm_proof *p, const uint8_t root[32], const uint8_t *key,
                         size_t kl, int was_found, const char *name)
{
    struct qiao_evm_proof t = *p;
    uint8_t copy[4096];
    int found;
    const uint8_t *v;
    size_t vl;
    int all_rejected = 1;
    for (size_t i = 0; i < p->count; i++) {
        if (p->len[i] > sizeof(copy))
            continue;
        memcpy(copy, p->node[i], p->len[i]);
        t.node[i] = copy;
        for (size_t j = 0; j < p->len[i]; j += 7) {
            copy[j] ^= 0x01;
            if (qiao_evm_proof_verify(&found, &v, &vl, root, key, kl, &t, NULL) == QIAO_OK)
                all_rejected = 0;
            copy[j] ^= 0x01;
        }
        t.node[i] = p->node[i];
    }
    QT_CHECKF(all_rejected, "%s: every flipped byte is rejected", name);
    if (p->count > 0) {
        t.count = p->count - 1;
        QT_CHECKF(qiao_evm_proof_verify(&found, &v, &vl, root, key, kl, &t, NULL) != QIAO_OK,
                  "%s: truncated proof rejected", name);
        t.count = p->count + 1 <= QIAO_EVM_PROOF_MAX_NODES ? p->count + 1 : p->count;
        t.node[p->count] = p->node[0], t.len[p->count] = p->len[0];
        QT_CHECKF(qiao_evm_proof_verify(&found, &v, &vl, root, key, kl, &t, NULL) != QIAO_OK,
                  "%s: proof with an extra node rejected", name);
    }
    uint8_t wrong[32];
    memcpy(wrong, root, 32);
    wrong[5] ^= 0x80;
    QT_CHECKF(qiao_evm_proof_verify(&found, &v, &vl, wrong, key, kl, p, NULL) != QIAO_OK ||
                  (p->count == 0 && !was_found),
              "%s: wrong root rejected", name);
}

static void prove_one(const struct tcase *t, const uint8_t *key, size_t kl, const uint8_t *want,
                      size_t want_len, struct qiao_buf *scratch, struct qiao_buf *store)
{
    struct qiao_evm_trie_item items[MAX_KV];
    struct qiao_evm_proof proof;
    struct qiao_diag d = {0};
    uint8_t root[32];
    size_t n = live_items(t, items);
    int found;
    const uint8_t *v;
    size_t vl;
    QT_CHECK(qiao_evm_trie_prove(root, &proof, store, items, n, key, kl, scratch, &d) == QIAO_OK);
    qiao_err err = qiao_evm_proof_verify(&found, &v, &vl, root, key, kl, &proof, &d);
    QT_CHECKF(err == QIAO_OK, "%s: proof verifies: %s (%s)", t->name, d.msg, d.reason);
    QT_CHECKF(found == (want != NULL), "%s: proof shows %s", t->name, want ? "inclusion" : "absence");
    if (want)
        QT_CHECKF(vl == want_len && memcmp(v, want, vl) == 0, "%s: proven value", t->name);
    check_tamper(&proof, root, key, kl, want != NULL, t->name);
}

static const struct kv *lookup(const struct tcase *t, const uint8_t *key, size_t kl)
{
    for (size_t j = 0; j < t->n; j++)
        if (t->kv[j].live && t->kv[j].key_len == kl && memcmp(t->kv[j].key, key, kl) == 0)
            return &t->kv[j];
    return NULL;
}

/* Prove key, expecting whatever the model says it holds. */
static void prove_model(const struct tcase *t, const uint8_t *key, size_t kl,
                        struct qiao_buf *scratch, struct qiao_buf *store)
{
    const struct kv *kv = lookup(t, key, kl);
    prove_one(t, key, kl, kv ? kv->val : NULL, kv ? kv->val_len : 0, scratch, store);
}

static void check_proofs(const struct tcase *t, struct qiao_buf *scratch, struct qiao_buf *store)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct kv *kv = &t->kv[i];
        uint8_t k2[QIAO_EVM_TRIE_MAX_KEY + 1];
        prove_model(t, kv->key, kv->key_len, scratch, store);
        memcpy(k2, kv->key, kv->key_len);
        k2[kv->key_len - 1] ^= 0x5a; /* a neighbour that shares most of the path */
        prove_model(t, k2, kv->key_len, scratch, store);
        k2[kv->key_len - 1] ^= 0x5a;
        if (kv->key_len > 1)
            prove_model(t, kv->key, kv->key_len - 1, scratch, store); /* a prefix */
        if (kv->key_len < QIAO_EVM_TRIE_MAX_KEY) {
            k2[kv->key_len] = 0x07; /* an extension of the key past its leaf */
            prove_model(t, k2, kv->key_len + 1, scratch, store);
        }
    }
}

static void run_case(const char *name, const cJSON *c, int secure, struct qiao_buf *scratch,
                     struct qiao_buf *store)
{
    static struct tcase t;
    memset(&t, 0, sizeof(t));
    t.secure = secure, t.name = name;
    const cJSON *in = qiao_json_get(c, "in"), *e;
    uint8_t want[32], root[32];
    QT_CHECK(qiao_json_hex_exact(want, 32, c, "root", NULL) == QIAO_OK);
    cJSON_ArrayForEach(e, in) {
        if (cJSON_IsArray(e))
            apply(&t, cJSON_GetArrayItem(e, 0)->valuestring, cJSON_GetArrayItem(e, 1));
        else
            apply(&t, e->string, e);
    }
    struct qiao_evm_trie_item items[MAX_KV];
    size_t n = live_items(&t, items);
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_evm_trie_root(root, items, n, scratch, &d) == QIAO_OK, "%s: %s", name, d.msg);
    QT_CHECKF(memcmp(root, want, 32) == 0, "%s%s: root", name, secure ? " (secure)" : "");
    check_proofs(&t, scratch, store);
}

static void run_file(const char *file, int secure, struct qiao_buf *scratch, struct qiao_buf *store)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "ethereum/%s", file);
    const char *path = qt_vector_path(rel);
    if (!path)
        return;
    cJSON *root = NULL;
    QT_CHECK(qiao_json_parse_file(&root, path, 0, 0, NULL) == QIAO_OK);
    const cJSON *c;
    int cases = 0;
    cJSON_ArrayForEach(c, root) {
        char name[160];
        snprintf(name, sizeof(name), "%s:%s", file, c->string);
        run_case(name, c, secure, scratch, store);
        cases++;
    }
    printf("%s: %d cases\n", file, cases);
    cJSON_Delete(root);
}

int main(void)
{
    struct qiao_buf scratch = {0}, store = {0};
    run_file("trietest.json", 0, &scratch, &store);
    run_file("trieanyorder.json", 0, &scratch, &store);
    run_file("trietest_secureTrie.json", 1, &scratch, &store);
    run_file("trieanyorder_secureTrie.json", 1, &scratch, &store);
    run_file("hex_encoded_securetrie_test.json", 1, &scratch, &store);
    qiao_buf_clear(&scratch);
    qiao_buf_clear(&store);
    return qt_finish();
}
