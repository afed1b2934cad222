/*
 * fuzz_btc_parse.c: libFuzzer driver for the Bitcoin adapter's parsers and verifiers.  The first
 * byte picks the input kind:
 *   0: header chain (80-byte chunks: anchor then children) through the rolling verifier, on
 *      regtest and main rules, and through the header store;
 *   1: a serialised Merkle block (gettxoutproof);  2: a raw transaction;
 *   3: a Merkle path (32-byte leaf, 8-byte index, siblings).
 * Beyond "no crash, no sanitizer report" it checks invariants of accepted input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_chain.h"
#include "adapters/bitcoin/btc_merkle.h"
#include "adapters/bitcoin/btc_store.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct qiao_crypto *cx;

static void chain_linear(const struct qiao_btc_params *p, const uint8_t *d, size_t n)
{
    struct qiao_btc_link a, b;
    if (n < 80 || qiao_btc_link_anchor(cx, &a, p, d, 80, d[0] % 3 ? 4032 : 0, NULL, NULL))
        return;
    for (size_t i = 80; i + 80 <= n; i += 80) {
        if (qiao_btc_link_next(cx, &b, p, &a, d + i, 80, 1700000000, NULL))
            return;
        if (b.height != a.height + 1 || qiao_btc_u256_cmp(&b.chainwork, &a.chainwork) <= 0)
            abort();
        a = b;
    }
}

static void chain_store(const uint8_t *d, size_t n)
{
    struct qiao_btc_memstore mem;
    struct qiao_btc_store view;
    struct qiao_btc_chain chain;
    struct qiao_btc_add_result res;
    qiao_btc_memstore_init(&mem, &view, 64);
    if (n >= 80 && qiao_btc_chain_init(cx, &chain, qiao_btc_params_get(QIAO_BTC_REGTEST), view, d,
                                       80, 100, NULL, NULL) == QIAO_OK)
        for (size_t i = 80; i + 80 <= n; i += 80)
            qiao_btc_chain_add(cx, &chain, &res, d + i, 80, QIAO_BTC_NO_CLOCK, NULL);
    qiao_btc_memstore_clear(&mem);
}

static void merkleblock(const uint8_t *d, size_t n)
{
    static uint8_t mem[QIAO_BTC_MAX_BLOCK_TXS * sizeof(struct qiao_btc_pmt_match) + 64];
    struct qiao_arena a;
    struct qiao_btc_merkleblock mb;
    qiao_arena_init(&a, mem, sizeof(mem));
    if (qiao_btc_merkleblock_verify(cx, &mb, d, n, &a, NULL) != QIAO_OK)
        return;
    if (mb.nmatches == 0 || mb.nmatches > mb.transactions)
        abort();
    for (size_t i = 0; i < mb.nmatches; i++)
        if (mb.matches[i].index >= mb.transactions || (i && mb.matches[i].index <= mb.matches[i - 1].index))
            abort();
}

static void transaction(const uint8_t *d, size_t n)
{
    struct qiao_btc_tx_info info;
    if (qiao_btc_tx_parse(cx, &info, d, n, NULL) == QIAO_OK &&
        (info.stripped_len > n || (!info.segwit && info.stripped_len != n)))
        abort();
}

static void path(const uint8_t *d, size_t n)
{
    uint8_t root[32];
    if (n < 40)
        return;
    if (qiao_btc_merkle_path_root(cx, root, d, qiao_load64le(d + 32), d + 40, n - 40, NULL) ==
        QIAO_OK)
        qiao_btc_merkle_verify(cx, root, d, qiao_load64le(d + 32), d + 40, n - 40, NULL) &&
            (abort(), 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cx && !(cx = qiao_crypto_create()))
        abort();
    if (size < 1)
        return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    switch (data[0] & 3) {
    case 0:
        chain_linear(qiao_btc_params_get(QIAO_BTC_REGTEST), d, n);
        chain_linear(qiao_btc_params_get(QIAO_BTC_MAIN), d, n);
        chain_store(d, n);
        break;
    case 1:
        merkleblock(d, n);
        break;
    case 2:
        transaction(d, n);
        break;
    default:
        path(d, n);
        break;
    }
    return 0;
}
