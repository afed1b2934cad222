/*
 * test_store_chain.c: chains and headers (idempotent puts, conflicts, status changes with audit
 * rows, lookups that skip stale headers), peers, nonces that survive a reopen, and HTLC swaps with
 * compare-and-set on the engine's state.
 */
#include <string.h>

#include "relay/store/audit.h"
#include "relay/store/chains.h"
#include "relay/store/htlc_swaps.h"
#include "relay/store/nonces.h"
#include "relay/store/peers.h"
#include "tests/qt.h"
#include "tests/unit/store/fixture.h"

static void make_header(struct qiao_store_header *h, uint64_t height, uint8_t tag,
                        const uint8_t *raw, size_t raw_len)
{
    memset(h, 0, sizeof(*h));
    h->chain = 7001;
    h->height = height;
    memset(h->hash, tag, 32);
    h->hash[0] = (uint8_t)height;
    memset(h->parent, tag, 32);
    h->parent[0] = (uint8_t)(height - 1);
    h->chainwork[31] = (uint8_t)height;
    h->raw = raw;
    h->raw_len = raw_len;
}

static void test_chains(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    struct qiao_store_chain c = {.id = 7001, .has_checkpoint = 1, .checkpoint_height = 0};
    snprintf(c.name, sizeof(c.name), "judicial");
    snprintf(c.family, sizeof(c.family), "evm");
    memset(c.checkpoint_hash, 0x11, 32);
    uint8_t raw[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[16];
    struct qiao_store_header h, got;
    make_header(&h, 1, 0xa0, raw, 8);
    QT_CHECK(qiao_store_header_put(s, &h, &d) != QIAO_OK); /* chain unknown: foreign key */
    QT_CHECK(qiao_store_chain_put(s, &c, &d) == QIAO_OK);
    QT_CHECK(qiao_store_chain_heights(s, 7001, 10, 4, &d) == QIAO_OK);
    QT_CHECK(qiao_store_chain_heights(s, 9, 10, 4, &d) == QIAO_ENOTFOUND);
    struct qiao_store_chain cg;
    QT_CHECK(qiao_store_chain_get(s, 7001, &cg, &d) == 0 && strcmp(cg.name, "judicial") == 0 &&
             cg.tip_height == 10 && cg.final_height == 4 && cg.checkpoint_hash[5] == 0x11);
    for (uint64_t i = 1; i <= 3; i++) {
        make_header(&h, i, 0xa0, raw, 8);
        QT_CHECK(qiao_store_header_put(s, &h, &d) == QIAO_OK);
    }
    QT_CHECK(qiao_store_header_put(s, &h, &d) == QIAO_OK); /* idempotent */
    uint8_t raw2[8] = {9};
    h.raw = raw2;
    QT_CHECK(qiao_store_header_put(s, &h, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "header-conflict") == 0);
    h.raw_len = 0;
    QT_CHECK(qiao_store_header_put(s, &h, &d) == QIAO_ERANGE);
    /* A competing header at height 3 wins; the old one goes stale. */
    struct qiao_store_header fork;
    make_header(&fork, 3, 0xb0, raw, 8);
    QT_CHECK(qiao_store_header_put(s, &fork, &d) == QIAO_OK);
    make_header(&h, 3, 0xa0, raw, 8);
    QT_CHECK(qiao_store_header_status(s, 7001, h.hash, QIAO_HDR_STALE, &d) == QIAO_OK);
    QT_CHECK(qiao_store_header_at(s, 7001, 3, &got, &d) == 0 && got.hash[1] == 0xb0);
    QT_CHECK(qiao_store_header_tip(s, 7001, &got, &d) == 0 && got.height == 3 && got.hash[1] == 0xb0);
    make_header(&h, 1, 0xa0, raw, 8);
    QT_CHECK(qiao_store_header_status(s, 7001, h.hash, QIAO_HDR_FINAL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_header_get(s, 7001, h.hash, &got, &d) == 0 && got.status == QIAO_HDR_FINAL);
    size_t len;
    QT_CHECK(qiao_store_header_raw(s, 7001, h.hash, out, sizeof(out), &len, &d) == 0 && len == 8 &&
             out[7] == 8);
    QT_CHECK(qiao_store_header_raw(s, 7001, h.hash, out, 4, &len, &d) == QIAO_ERANGE);
    uint8_t none[32] = {0};
    QT_CHECK(qiao_store_header_status(s, 7001, none, QIAO_HDR_FINAL, &d) == QIAO_ENOTFOUND);
    QT_CHECK(qiao_store_header_tip(s, 7002, &got, &d) == QIAO_ENOTFOUND);
}

struct peer_seen {
    int n, up_count;
};

static int peer_fn(void *ctx, const struct qiao_store_peer *p)
{
    struct peer_seen *ps = ctx;
    ps->n++;
    ps->up_count += p->up;
    return 0;
}

static void test_peers(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    uint8_t a[20] = {1};
    QT_CHECK(qiao_store_peer_put(s, "notary-2", a, "ws://127.0.0.1:9102", &d) == QIAO_OK);
    QT_CHECK(qiao_store_peer_put(s, "notary-3", a, "ws://127.0.0.1:9103", &d) == QIAO_OK);
    QT_CHECK(qiao_store_peer_put(s, "", a, "ws://x", &d) == QIAO_EINVAL);
    QT_CHECK(qiao_store_peer_set_up(s, "notary-2", 1, &d) == QIAO_OK);
    QT_CHECK(qiao_store_peer_set_up(s, "notary-9", 1, &d) == QIAO_ENOTFOUND);
    struct peer_seen ps = {0};
    QT_CHECK(qiao_store_peer_list(s, peer_fn, &ps, &d) == 0 && ps.n == 2 && ps.up_count == 1);
}

static void test_nonces(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    uint8_t a[20] = {2};
    uint64_t n;
    QT_CHECK(qiao_store_nonce_reserve(s, 7001, a, 5, &n, &d) == 0 && n == 5);
    QT_CHECK(qiao_store_nonce_reserve(s, 7001, a, 5, &n, &d) == 0 && n == 6); /* node lags */
    QT_CHECK(qiao_store_nonce_reserve(s, 7001, a, 10, &n, &d) == 0 && n == 10); /* node ahead */
    QT_CHECK(qiao_store_nonce_reserve(s, 7002, a, 0, &n, &d) == 0 && n == 0);  /* per chain */
    QT_CHECK(qiao_store_nonce_set(s, 7001, a, 3, &d) == QIAO_OK);
    QT_CHECK(qiao_store_nonce_peek(s, 7001, a, &n, &d) == 0 && n == 3);
    QT_CHECK(qiao_store_nonce_set(s, 7001, a, 11, &d) == QIAO_OK);
}

static int swap_count(void *ctx, const struct qiao_store_swap *sw)
{
    (void)sw;
    ++*(int *)ctx;
    return 0;
}

static void test_swaps(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    static struct qiao_store_swap sw, got;
    memset(sw.id, 0x51, 32);
    memset(sw.hashlock, 0x52, 32);
    snprintf(sw.state, sizeof(sw.state), "proposed");
    sw.chain_a = 7002;
    sw.chain_b = 1;
    sw.timelock_a = 1000;
    sw.timelock_b = 500;
    sw.blob_len = 3;
    memcpy(sw.blob, "abc", 3);
    QT_CHECK(qiao_store_swap_put(s, &sw, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_swap_put(s, &sw, NULL, &d) == QIAO_ESTATE);
    snprintf(sw.state, sizeof(sw.state), "locked-a");
    QT_CHECK(qiao_store_swap_put(s, &sw, "locked-b", &d) == QIAO_ESTATE);
    QT_CHECK(strcmp(d.reason, "state-mismatch") == 0);
    QT_CHECK(qiao_store_swap_put(s, &sw, "proposed", &d) == QIAO_OK);
    snprintf(sw.state, sizeof(sw.state), "bad\"name");
    QT_CHECK(qiao_store_swap_put(s, &sw, "locked-a", &d) == QIAO_EINVAL);
    QT_CHECK(qiao_store_swap_get(s, sw.id, &got, &d) == 0 && strcmp(got.state, "locked-a") == 0 &&
             got.blob_len == 3 && got.timelock_b == 500);
    int n = 0;
    QT_CHECK(qiao_store_swap_find(s, "locked-a", NULL, swap_count, &n, &d) == 0 && n == 1);
    n = 0;
    QT_CHECK(qiao_store_swap_find(s, NULL, sw.hashlock, swap_count, &n, &d) == 0 && n == 1);
    uint8_t other[32] = {0};
    QT_CHECK(qiao_store_swap_get(s, other, &got, &d) == QIAO_ENOTFOUND);
}

int main(void)
{
    char path[256];
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    QT_CHECK(fixture_path(path, sizeof(path), "chain.db") == 0);
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    if (!s)
        return qt_finish();
    test_chains(s);
    test_peers(s);
    test_nonces(s);
    test_swaps(s);
    qiao_store_close(s);
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    uint8_t a[20] = {2};
    uint64_t n = 0;
    QT_CHECK(s && qiao_store_nonce_reserve(s, 7001, a, 0, &n, &d) == 0 && n == 11);
    uint64_t rows;
    QT_CHECK(s && qiao_store_audit_verify(s, &rows, NULL, &d) == 0 && rows >= 5);
    qiao_store_close(s);
    fixture_cleanup(path);
    return qt_finish();
}
