/*
 * test_evidence_live.c: evidence bundles for all three source families, built from real data and
 * verified offline.
 *
 * Two real anvils: 7003 (traceability, source) and 7001 (judicial, destination), with Outbox,
 * Inbox (4 notary keys, k=3) and EvidenceRegistry deployed from the solc-js artifacts.
 *  - EVM: a cold-chain record sent through Outbox.send on 7003; receipt proof built by the evm
 *    source half; certificate signed by 3 of the 4 notary keys with the C notary code; delivered
 *    by Inbox.deliver on 7001.  Bundle A, epoch 1.
 *  - The Inbox rotates to epoch 2 (signed by epoch 1 at threshold).  Bundle A still verifies.
 *  - Bitcoin: the mainnet SPV proof of ../shared/vectors/bitcoin (the record is the transaction;
 *    the vectors hold no header above the confirming block, so that chain's trust entry requires
 *    0 confirmations), certified at epoch 2 and delivered on 7001.  Bundle B, with the update.
 *  - CometBFT: the light blocks of ../shared/vectors/cometbft single_step TestSuccess (the record
 *    is the validators_hash field of the last block), certified at epoch 2 and delivered.
 * Then: fewer than k signers, a stale committee without its update chain, byte flips in every
 * component of every bundle (props.c), RFC 3161 tokens from `openssl ts` (tsa.c), and the
 * `qiao verify` / `qiao-verify` commands' exit codes on the files written here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "live.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "adapters/cometbft/bft_time.h"
#include "relay/notary/abi.h"
#include "tests/qt.h"
#include "tests/support/proc.h"

#define OUT QIAO_BINARY_DIR "/evidence-test"
#define BTC_CHAIN 20000
#define BFT_CHAIN 30000

struct qiao_crypto *g_cx;
static uint8_t g_cid[32];
static uint8_t g_members1[4][20], g_members2[4][20];
static uint8_t g_keys1[4][32], g_keys2[4][32]; /* in member order */
static uint8_t g_outbox[20], g_inbox[20], g_registry[20];
static const uint8_t g_btc_emitter[20] = {[19] = 0xb7}, g_bft_emitter[20] = {[19] = 0xbf};

/* Committee of key bytes {a,b,c,d} (0x11*i), members sorted, keys in member order. */
static void committee(uint8_t members[4][20], uint8_t keys[4][32], const int which[4])
{
    for (int i = 0; i < 4; i++) {
        uint8_t pub[64];
        memset(keys[i], 0x11 * which[i], 32);
        qiao_secp_pubkey(g_cx, pub, members[i], keys[i], NULL);
    }
    for (int i = 0; i < 4; i++) /* insertion sort by address */
        for (int j = i; j > 0 && memcmp(members[j], members[j - 1], 20) < 0; j--) {
            uint8_t m[20], k[32];
            memcpy(m, members[j], 20), memcpy(members[j], members[j - 1], 20),
                memcpy(members[j - 1], m, 20);
            memcpy(k, keys[j], 32), memcpy(keys[j], keys[j - 1], 32), memcpy(keys[j - 1], k, 32);
        }
}

static struct qiao_committee committee_at(uint64_t epoch, uint8_t members[4][20])
{
    struct qiao_committee c = {.epoch = epoch, .members = (const uint8_t(*)[20])members, .n = 4,
                               .k = 3};
    memcpy(c.id, g_cid, 32);
    return c;
}

/* Sign digest with the given keys and build a certificate of the lowest `want` signers. */
static size_t certify(uint8_t *cert, const struct qiao_committee *c, uint8_t keys[4][32],
                      const uint8_t digest[32], size_t want)
{
    uint8_t sigs[4][65];
    size_t len = 0;
    for (int i = 0; i < 4; i++)
        qiao_attest_sign(g_cx, sigs[i], keys[i], digest, NULL);
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_cert_build(g_cx, c, digest, (const uint8_t(*)[65])sigs, 4, want, cert, 4 * 65,
                              &len, &d) == QIAO_OK, "cert: %s", d.msg);
    return len;
}

static void set_cert(struct qiao_ev_bundle *b, uint64_t epoch, const uint8_t *cert, size_t len)
{
    memcpy(b->cert.committee_id, g_cid, 32);
    b->cert.epoch = epoch;
    b->cert.nsigs = len / 65;
    b->cert.sigs = malloc(len ? len : 1);
    memcpy(b->cert.sigs, cert, len);
}

static void deploy(struct live_chain *src, struct live_chain *dst)
{
    uint8_t args[7 * 32] = {0};
    memcpy(args, g_cid, 32);
    qiao_abi_put_u64(args + 32, 1);
    qiao_abi_put_u64(args + 64, 0xa0);
    qiao_abi_put_u64(args + 96, 3);
    qiao_hex_decode_exact(args + 128 + 12, 20, "f39fd6e51aad88f6f4ce6ab8827279cfffb92266", NULL);
    uint8_t full[7 * 32 + 4 * 32];
    memcpy(full, args, 5 * 32);
    qiao_abi_put_u64(full + 5 * 32, 4);
    for (int i = 0; i < 4; i++)
        qiao_abi_put_address(full + 6 * 32 + i * 32, g_members1[i]);
    QT_CHECK(live_deploy(src, g_outbox, "Outbox", NULL, 0) == 0);
    QT_CHECK(live_deploy(dst, g_inbox, "Inbox", full, 10 * 32) == 0);
    uint8_t w[32];
    qiao_abi_put_address(w, g_inbox);
    QT_CHECK(live_deploy(dst, g_registry, "EvidenceRegistry", w, 32) == 0);
}

static void set_source(struct live_chain *dst, uint64_t chain, const uint8_t emitter[20])
{
    uint8_t call[4 + 64];
    struct live_tx tx;
    qiao_abi_selector(call, "setSource(uint64,address)");
    qiao_abi_put_u64(call + 4, chain);
    qiao_abi_put_address(call + 36, emitter);
    QT_CHECK(live_tx(dst, &tx, g_inbox, call, sizeof(call)) == 0);
}

/* Deliver m with cert on dst and fill b->delivery (3 confirmations). */
static void deliver(struct live_chain *dst, struct qiao_ev_bundle *b, const uint8_t *cert,
                    size_t len)
{
    struct qiao_buf call = {0};
    struct live_tx tx;
    uint8_t topic0[32];
    const char *ev = "MessageDelivered(bytes32,uint64,uint64,address)";
    qiao_keccak256(topic0, ev, strlen(ev));
    QT_CHECK(qiao_abi_encode_deliver(&call, &b->message, cert, len, NULL) == QIAO_OK);
    QT_CHECKF(live_tx(dst, &tx, g_inbox, call.p, call.len) == 0, "Inbox.deliver");
    qiao_buf_clear(&call);
    int li = live_log_index(&tx, g_inbox, topic0);
    QT_CHECK(li >= 0);
    live_mine(dst, 3);
    QT_CHECK(live_segment(dst, &b->delivery, &tx, (uint64_t)(li < 0 ? 0 : li)) == 0);
}

static void set_record(struct qiao_ev_bundle *b, const uint8_t *p, size_t n, const char *subject)
{
    qiao_ev_bytes_set(&b->record.payload, p, n, NULL);
    qiao_sha256(g_cx, b->record.sha256, p, n);
    snprintf(b->record.subject, sizeof(b->record.subject), "%s", subject);
    b->record.observed_time = (uint64_t)time(NULL);
    b->message.payload = b->record.payload.p;
    b->message.payload_len = n;
    qiao_keccak256(b->message.payload_hash, p, n);
}

static void finish_message(struct qiao_ev_bundle *b)
{
    qiao_msg_id(b->message_id, &b->message);
}

/* Bundle A: the cold-chain record from 7003 to the registry on 7001, certified at epoch 1. */
static void build_evm(struct live_chain *src, struct live_chain *dst, struct qiao_ev_bundle *b)
{
    static const char payload[] =
        "{\"batch\":\"CC-2024-0117\",\"origin\":\"Santos, BR\",\"quarantine\":\"pass\"}";
    struct qiao_buf call = {0};
    struct live_tx tx;
    struct qiao_message *m = &b->message;
    QT_CHECK(qiao_abi_encode_send(&call, dst->chain_id, g_registry, (const uint8_t *)payload,
                                  strlen(payload), NULL) == QIAO_OK);
    QT_CHECKF(live_tx(src, &tx, g_outbox, call.p, call.len) == 0, "Outbox.send");
    qiao_buf_clear(&call);
    live_mine(src, 3);
    b->source.family = QIAO_EV_EVM;
    QT_CHECK(live_segment(src, &b->source.seg, &tx, 0) == 0);
    m->version = 1, m->src_chain_id = src->chain_id, m->seq = 1, m->dst_chain_id = dst->chain_id;
    memcpy(m->src_emitter, g_outbox, 20);
    qiao_hex_decode_exact(m->sender, 20, "f39fd6e51aad88f6f4ce6ab8827279cfffb92266", NULL);
    memcpy(m->receiver, g_registry, 20);
    set_record(b, (const uint8_t *)payload, strlen(payload),
               "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    struct qiao_evm_header h;
    if (b->source.seg.nheaders > tx.block)
        qiao_evm_header_decode(&h, b->source.seg.headers[tx.block].p,
                               b->source.seg.headers[tx.block].len, NULL);
    b->record.source_time = h.timestamp;
    finish_message(b);
    uint8_t digest[32], cert[4 * 65];
    struct qiao_committee c = committee_at(1, g_members1);
    qiao_attest_digest(digest, g_cid, 1, b->message_id);
    size_t len = certify(cert, &c, g_keys1, digest, 3);
    set_cert(b, 1, cert, len);
    deliver(dst, b, cert, len);
}

/* Rotate the Inbox to epoch 2 (keys 0x22, 0x33, 0x44, 0x55); return the update. */
static void rotate(struct live_chain *dst, struct qiao_ev_update *u)
{
    struct qiao_committee c1 = committee_at(1, g_members1), c2 = committee_at(2, g_members2);
    uint8_t digest[32], cert[4 * 65];
    struct qiao_buf call = {0};
    struct live_tx tx;
    QT_CHECK(qiao_committee_digest(digest, &c2, NULL) == QIAO_OK);
    size_t len = certify(cert, &c1, g_keys1, digest, 3);
    QT_CHECK(qiao_abi_encode_rotate(&call, (const uint8_t(*)[20])g_members2, 4, 3, cert, len,
                                    NULL) == QIAO_OK);
    QT_CHECKF(live_tx(dst, &tx, g_inbox, call.p, call.len) == 0, "Inbox.rotate");
    qiao_buf_clear(&call);
    u->epoch = 2, u->k = 3, u->n = 4, u->nsigs = len / 65;
    u->members = malloc(sizeof(g_members2));
    memcpy(u->members, g_members2, sizeof(g_members2));
    u->sigs = malloc(len);
    memcpy(u->sigs, cert, len);
}

static void add_update(struct qiao_ev_bundle *b, const struct qiao_ev_update *u)
{
    for (size_t i = 0; i < b->nupdates; i++)
        free(b->updates[i].members), free(b->updates[i].sigs);
    free(b->updates);
    b->updates = calloc(1, sizeof(*b->updates));
    b->nupdates = 1;
    b->updates[0] = *u;
    b->updates[0].members = malloc(u->n * 20);
    memcpy(b->updates[0].members, u->members, u->n * 20);
    b->updates[0].sigs = malloc(u->nsigs * 65);
    memcpy(b->updates[0].sigs, u->sigs, u->nsigs * 65);
}

/* Certify b at epoch 2 and deliver it. */
static void certify_epoch2(struct live_chain *dst, struct qiao_ev_bundle *b,
                           const struct qiao_ev_update *u)
{
    uint8_t digest[32], cert[4 * 65];
    struct qiao_committee c = committee_at(2, g_members2);
    finish_message(b);
    qiao_attest_digest(digest, g_cid, 2, b->message_id);
    size_t len = certify(cert, &c, g_keys2, digest, 3);
    set_cert(b, 2, cert, len);
    add_update(b, u);
    deliver(dst, b, cert, len);
}

static void other_message(struct qiao_ev_bundle *b, uint64_t chain, const uint8_t emitter[20],
                          uint64_t seq)
{
    struct qiao_message *m = &b->message;
    m->version = 1, m->src_chain_id = chain, m->seq = seq, m->dst_chain_id = 7001;
    memcpy(m->src_emitter, emitter, 20);
    memcpy(m->receiver, g_registry, 20);
}


/* Bundle B: the mainnet SPV proof of the shared vectors; the record is the transaction. */
static int build_btc(struct live_chain *dst, struct qiao_ev_bundle *b,
                     const struct qiao_ev_update *u)
{
    const char *path = qt_vector_path("bitcoin/spv_proofs.json");
    size_t n;
    char *text = path ? qt_read_file(path, &n) : NULL;
    cJSON *root = text ? cJSON_Parse(text) : NULL, *v = NULL;
    const cJSON *valid = qiao_json_get(root, "valid");
    free(text);
    if (cJSON_GetArraySize(valid) > 0 && cJSON_IsString(cJSON_GetArrayItem(valid, 0)))
        v = cJSON_Parse(cJSON_GetArrayItem(valid, 0)->valuestring);
    const cJSON *hdr = qiao_json_get(v, "confirming_header");
    const char *part[4] = {"version", "vin", "vout", "locktime"}, *s = NULL;
    uint8_t tx[4096], raw[80];
    size_t len = 0, got;
    int ok = v && hdr && !qiao_json_hex_exact(raw, 80, hdr, "raw", NULL);
    for (int i = 0; ok && i < 4; i++, len += got)
        ok = !qiao_json_str(&s, v, part[i], NULL) &&
             !qiao_hex_decode(tx + len, sizeof(tx) - len, &got, s + 2, strlen(s + 2), NULL);
    uint64_t index = 0;
    const cJSON *ix = qiao_json_get(v, "index");
    ok = ok && cJSON_IsNumber(ix) && !qiao_json_str(&s, v, "intermediate_nodes", NULL);
    if (ok) {
        index = (uint64_t)ix->valuedouble;
        b->source.family = QIAO_EV_BITCOIN;
        b->source.seg.chain_id = BTC_CHAIN, b->source.seg.block = 0, b->source.seg.index = index;
        qiao_ev_segment_push(&b->source.seg, raw, 80, NULL);
        uint8_t *path_bytes = NULL;
        size_t path_len = 0;
        qiao_hex_decode_alloc(&path_bytes, &path_len, s, 4096, NULL);
        qiao_ev_bytes_set(&b->source.seg.proof, path_bytes, path_len, NULL);
        free(path_bytes);
        other_message(b, BTC_CHAIN, g_btc_emitter, 1);
        set_record(b, tx, len, "");
        b->record.source_time = qiao_load32le(raw + 68);
        certify_epoch2(dst, b, u);
    }
    cJSON_Delete(v);
    cJSON_Delete(root);
    return ok;
}

/* Bundle C: CometBFT light blocks (TestSuccess); the record is the last validators_hash. */
static int build_bft(struct live_chain *dst, struct qiao_ev_bundle *b,
                     const struct qiao_ev_update *u)
{
    const char *path = qt_vector_path("cometbft/single_step/MC4_4_faulty_TestSuccess.json");
    size_t n;
    char *text = path ? qt_read_file(path, &n) : NULL;
    cJSON *root = text ? cJSON_Parse(text) : NULL, *in;
    const cJSON *init = qiao_json_get(root, "initial");
    free(text);
    if (!init)
        return cJSON_Delete(root), 0;
    b->source.family = QIAO_EV_COMETBFT;
    b->source.seg.chain_id = BFT_CHAIN;
    b->source.binding = QIAO_EV_BIND_VALUE;
    strcpy(b->source.field, "validators_hash");
    b->source.light_blocks = calloc(8, sizeof(char *));
    cJSON *trusted = cJSON_CreateObject();
    cJSON_AddItemToObject(trusted, "signed_header",
                          cJSON_Duplicate(qiao_json_get(init, "signed_header"), 1));
    cJSON_AddItemToObject(trusted, "next_validator_set",
                          cJSON_Duplicate(qiao_json_get(init, "next_validator_set"), 1));
    b->source.light_blocks[b->source.nlight++] = cJSON_PrintUnformatted(trusted);
    cJSON_Delete(trusted);
    const cJSON *last = NULL;
    cJSON_ArrayForEach(in, qiao_json_get(root, "input"))
    {
        const char *verdict = NULL;
        if (qiao_json_str(&verdict, in, "verdict", NULL) || strcmp(verdict, "SUCCESS") ||
            b->source.nlight == 8)
            continue;
        last = qiao_json_get(in, "block");
        b->source.light_blocks[b->source.nlight++] = cJSON_PrintUnformatted(last);
    }
    const cJSON *hdr = qiao_json_get(qiao_json_get(last, "signed_header"), "header");
    const char *vh = NULL, *tm = NULL;
    uint8_t rec[32];
    struct qiao_bft_time t = {0};
    int ok = hdr && !qiao_json_str(&vh, hdr, "validators_hash", NULL) &&
             !qiao_hex_decode_exact(rec, 32, vh, NULL) && !qiao_json_str(&tm, hdr, "time", NULL) &&
             !qiao_bft_time_parse(&t, tm, "time", NULL);
    if (ok) {
        other_message(b, BFT_CHAIN, g_bft_emitter, 1);
        set_record(b, rec, 32, "");
        b->record.source_time = (uint64_t)t.sec;
        certify_epoch2(dst, b, u);
    }
    cJSON_Delete(root);
    return ok;
}

static cJSON *hexj(const uint8_t *p, size_t n, int rev)
{
    char s[2 * 64 + 3] = "0x";
    if (rev)
        qiao_hex_encode_rev(s + 2, p, n);
    else
        qiao_hex_encode(s + 2, p, n);
    return cJSON_CreateString(s);
}

static cJSON *chain_json(uint64_t id, const char *family, const char *name, uint64_t height,
                         cJSON *hash, unsigned confirmations)
{
    char num[24];
    cJSON *c = cJSON_CreateObject(), *cp = cJSON_CreateObject();
    snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
    cJSON_AddStringToObject(c, "chainId", num);
    cJSON_AddStringToObject(c, "family", family);
    cJSON_AddStringToObject(c, "name", name);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)height);
    cJSON_AddStringToObject(cp, "height", num);
    cJSON_AddItemToObject(cp, "hash", hash);
    cJSON_AddItemToObject(c, "checkpoint", cp);
    snprintf(num, sizeof(num), "%u", confirmations);
    cJSON_AddStringToObject(c, "confirmations", num);
    return c;
}

/* trust.json for every chain the bundles touch.  Caller frees. */
static char *trust_text(struct live_chain *src, struct live_chain *dst,
                        const struct qiao_ev_bundle *bb, const struct qiao_ev_bundle *bc)
{
    cJSON *t = cJSON_CreateObject(), *cm = cJSON_CreateObject(), *ms = cJSON_CreateArray(),
          *chains = cJSON_CreateArray(), *c;
    cJSON_AddStringToObject(t, "format", QIAO_EV_TRUST_FORMAT);
    cJSON_AddItemToObject(cm, "id", hexj(g_cid, 32, 0));
    cJSON_AddStringToObject(cm, "epoch", "1");
    cJSON_AddStringToObject(cm, "k", "3");
    for (int i = 0; i < 4; i++)
        cJSON_AddItemToArray(ms, hexj(g_members1[i], 20, 0));
    cJSON_AddItemToObject(cm, "members", ms);
    cJSON_AddItemToObject(t, "committee", cm);
    c = chain_json(7003, "evm", "traceability", 0, hexj(src->checkpoint, 32, 0), 2);
    cJSON_AddItemToObject(c, "emitter", hexj(g_outbox, 20, 0));
    cJSON_AddItemToArray(chains, c);
    c = chain_json(7001, "evm", "judicial", 0, hexj(dst->checkpoint, 32, 0), 2);
    cJSON_AddItemToObject(c, "inbox", hexj(g_inbox, 20, 0));
    cJSON_AddItemToArray(chains, c);
    if (bb) {
        uint8_t h[32];
        qiao_sha256d(g_cx, h, bb->source.seg.headers[0].p, 80);
        c = chain_json(BTC_CHAIN, "bitcoin", "bitcoin mainnet", 592920, hexj(h, 32, 1), 0);
        cJSON_AddItemToObject(c, "emitter", hexj(g_btc_emitter, 20, 0));
        cJSON_AddStringToObject(c, "network", "main");
        cJSON_AddItemToArray(chains, c);
    }
    if (bc) {
        cJSON *lb = cJSON_Parse(bc->source.light_blocks[0]);
        const cJSON *bid = qiao_json_get(qiao_json_get(qiao_json_get(qiao_json_get(lb,
                                         "signed_header"), "commit"), "block_id"), "hash");
        uint8_t h[32] = {0};
        if (cJSON_IsString(bid))
            qiao_hex_decode_exact(h, 32, bid->valuestring, NULL);
        c = chain_json(BFT_CHAIN, "cometbft", "test-chain", 1, hexj(h, 32, 0), 0);
        cJSON_AddItemToObject(c, "emitter", hexj(g_bft_emitter, 20, 0));
        cJSON_AddStringToObject(c, "trustingPeriod", "1400000000000");
        cJSON_AddItemToArray(chains, c);
        cJSON_Delete(lb);
    }
    cJSON_AddItemToObject(t, "chains", chains);
    char *text = cJSON_Print(t);
    cJSON_Delete(t);
    return text;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    QT_CHECK(f && fwrite(p, 1, n, f) == n);
    if (f)
        fclose(f);
}

static void write_bundle(const char *path, const struct qiao_ev_bundle *b)
{
    struct qiao_buf out = {0};
    QT_CHECK(qiao_ev_build(&out, b, 1, NULL) == QIAO_OK);
    write_file(path, out.p, out.len);
    qiao_buf_clear(&out);
}

static int run_cli(const char *bin, const char *bundle, const char *extra)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s verify %s --trust %s/trust.json %s > %s.out%s 2>&1", bin,
             bundle, OUT, extra, bundle, extra[0] == '-' && extra[2] == 'j' ? "-json" : "");
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void expect_fail(const char *what, const struct qiao_ev_bundle *b,
                        const struct qiao_ev_trust *t, const char *component, const char *reason)
{
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    int v = verify_bundle(b, t, r);
    QT_CHECKF(v == QIAO_EV_REJECTED && r->fail_component &&
                  !strcmp(r->fail_component, component) && !strcmp(r->fail.reason, reason),
              "%s: verdict %d, failed %s/%s (%s), want %s/%s", what, v,
              r->fail_component ? r->fail_component : "-", r->fail_check ? r->fail_check : "-",
              r->fail.reason, component, reason);
    free(r);
}

static void check_negative(const struct qiao_ev_bundle *a, const struct qiao_ev_bundle *bb,
                           const struct qiao_ev_trust *t)
{
    struct qiao_ev_bundle x;
    /* fewer than k: drop the last signature of A's certificate */
    QT_CHECK(bundle_copy(&x, a) == 0);
    x.cert.nsigs = 2;
    expect_fail("2 of k=3 signers", &x, t, "certificate", "below-threshold");
    write_bundle(OUT "/evm-two-signers.json", &x);
    qiao_ev_bundle_clear(&x);
    if (!bb)
        return;
    /* a stale committee: epoch 2's certificate without the update chain from epoch 1 */
    QT_CHECK(bundle_copy(&x, bb) == 0);
    size_t n = x.nupdates;
    x.nupdates = 0;
    expect_fail("epoch 2 without update chain", &x, t, "committee", "committee-chain-missing");
    x.nupdates = n; /* so that clear frees them */
    qiao_ev_bundle_clear(&x);
    /* the old committee signs for epoch 2: its members are not epoch 2's */
    QT_CHECK(bundle_copy(&x, bb) == 0);
    uint8_t digest[32], cert[4 * 65];
    struct qiao_committee c1 = committee_at(1, g_members1);
    qiao_attest_digest(digest, g_cid, 2, x.message_id);
    size_t len = certify(cert, &c1, g_keys1, digest, 3);
    memcpy(x.cert.sigs, cert, len);
    expect_fail("stale committee signing epoch 2", &x, t, "certificate", "not-member");
    qiao_ev_bundle_clear(&x);
}

static void check_verified(const char *name, const struct qiao_ev_bundle *b,
                           const struct qiao_ev_trust *t)
{
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    int v = verify_bundle(b, t, r);
    QT_CHECKF(v == QIAO_EV_VERIFIED, "%s bundle verifies: failed %s/%s: %s (%s)", name,
              r->fail_component ? r->fail_component : "-", r->fail_check ? r->fail_check : "-",
              r->fail.msg, r->fail.reason);
    QT_CHECK(v != QIAO_EV_VERIFIED || (r->nsigners == 3 && r->k == 3));
    free(r);
}

static void check_cli(void)
{
    const char *qiao = QIAO_BINARY_DIR "/qiao", *alone = QIAO_BINARY_DIR "/qiao-verify";
    QT_CHECK(run_cli(qiao, OUT "/evm.json", "") == 0);
    QT_CHECK(run_cli(alone, OUT "/evm.json", "--json") == 0);
    QT_CHECK(run_cli(qiao, OUT "/evm.json", "--html " OUT "/evm.html") == 0);
    size_t n = 0;
    char *page = qt_read_file(OUT "/evm.html", &n);
    QT_CHECK(page && strstr(page, "VERIFIED") && strstr(page, "judicial"));
    free(page);
    char *json = qt_read_file(OUT "/evm.json.out-json", &n);
    cJSON *rep = json ? cJSON_Parse(json) : NULL;
    const cJSON *verdict = qiao_json_get(rep, "verdict");
    QT_CHECK(cJSON_IsString(verdict) && !strcmp(verdict->valuestring, "VERIFIED"));
    cJSON_Delete(rep);
    free(json);
    QT_CHECK(run_cli(qiao, OUT "/evm-two-signers.json", "") == 1);
    write_file(OUT "/garbage.json", "{\"format\":", 10);
    QT_CHECK(run_cli(qiao, OUT "/garbage.json", "") == 2);
}

static void check_all(struct live_chain *src, struct live_chain *dst, struct qiao_ev_bundle *a,
                      struct qiao_ev_bundle *bb, struct qiao_ev_bundle *bc,
                      const struct qiao_ev_update *u)
{
    char *tt = trust_text(src, dst, bb, bc);
    struct qiao_ev_trust t;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_ev_trust_parse(&t, tt, strlen(tt), &d) == QIAO_OK, "trust: %s", d.msg);
    write_file(OUT "/trust.json", tt, strlen(tt));
    check_verified("evm (made before the rotation)", a, &t);
    struct qiao_ev_bundle x;
    QT_CHECK(bundle_copy(&x, a) == 0);
    add_update(&x, u); /* exported after the rotation: the chain runs past the signing epoch */
    check_verified("evm with the update chain", &x, &t);
    qiao_ev_bundle_clear(&x);
    write_bundle(OUT "/evm.json", a);
    if (bb) {
        check_verified("bitcoin", bb, &t);
        write_bundle(OUT "/bitcoin.json", bb);
    }
    if (bc) {
        check_verified("cometbft", bc, &t);
        write_bundle(OUT "/cometbft.json", bc);
    }
    check_negative(a, bb, &t);
    check_cli();
    props_run("evm", a, &t);
    if (bb)
        props_run("bitcoin", bb, &t);
    if (bc)
        props_run("cometbft", bc, &t);
    tsa_run(a, tt, OUT);
    qiao_ev_trust_clear(&t);
    free(tt);
}

int main(void)
{
    struct live_chain src, dst;
    struct qiao_ev_bundle a = {0}, bb = {0}, bc = {0};
    struct qiao_ev_update u = {0};
    static const int k1[4] = {1, 2, 3, 4}, k2[4] = {2, 3, 4, 5};
    if (!qiao_proc_kit_bin("anvil") || !live_have_artifacts()) {
        qt_skip("evidence integration", "anvil or the compiled contract artifacts are missing "
                "(run ctest with the contracts_build fixture)");
        return qt_finish();
    }
    mkdir(OUT, 0755);
    g_cx = qiao_crypto_create();
    qiao_keccak256(g_cid, "qiao/test-committee", 19);
    committee(g_members1, g_keys1, k1);
    committee(g_members2, g_keys2, k2);
    int up = live_start(&src, 7003) == 0 && live_start(&dst, 7001) == 0;
    QT_CHECKF(up, "two anvils started");
    if (up) {
        deploy(&src, &dst);
        set_source(&dst, 7003, g_outbox);
        set_source(&dst, BTC_CHAIN, g_btc_emitter);
        set_source(&dst, BFT_CHAIN, g_bft_emitter);
        build_evm(&src, &dst, &a);
        rotate(&dst, &u);
        int have_btc = build_btc(&dst, &bb, &u), have_bft = build_bft(&dst, &bc, &u);
        check_all(&src, &dst, &a, have_btc ? &bb : NULL, have_bft ? &bc : NULL, &u);
    }
    qiao_ev_bundle_clear(&a);
    qiao_ev_bundle_clear(&bb);
    qiao_ev_bundle_clear(&bc);
    free(u.members);
    free(u.sigs);
    live_stop(&src);
    live_stop(&dst);
    live_shutdown();
    qiao_crypto_destroy(g_cx);
    return qt_finish();
}
