/*
 * fuzz_btc_htlc.c: libFuzzer driver for the Bitcoin HTLC leg's parsers.  The first byte picks
 * the input kind:
 *   0: a witness script through qiao_btc_htlc_parse;  1: a raw transaction through the codec
 *      and qiao_btc_htlc_find;  2: a bech32 address (NUL-terminated copy) on each network.
 * Invariants of accepted input: a parsed script re-encodes to exactly its bytes; a decoded
 * transaction is accepted by btc_tx.c too, re-encodes to exactly its bytes and its stripped form hashes to the txid that
 * btc_tx.c computes; a decoded address re-encodes (lower case) to the input folded to lower case.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_htlc.h"
#include "adapters/bitcoin/btc_tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct qiao_crypto *cx;
static uint8_t arena_mem[1 << 20];

static void script(const uint8_t *d, size_t n)
{
    struct qiao_btc_htlc h;
    uint8_t again[QIAO_BTC_HTLC_SCRIPT_MAX];
    size_t len;
    if (qiao_btc_htlc_parse(cx, &h, d, n, NULL) != QIAO_OK)
        return;
    if (qiao_btc_htlc_script(again, &len, &h, NULL) != QIAO_OK || len != n || memcmp(again, d, n))
        abort();
}

static void transaction(const uint8_t *d, size_t n)
{
    struct qiao_arena a;
    struct qiao_btc_txn tx;
    struct qiao_btc_tx_info info;
    struct qiao_btc_htlc_match m = {0};
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    if (qiao_btc_txn_decode(&tx, d, n, &a, NULL) != QIAO_OK)
        return;
    if (qiao_btc_tx_parse(cx, &info, d, n, NULL) != QIAO_OK)
        abort(); /* the codec is the stricter parser: what it accepts, btc_tx.c accepts */
    struct qiao_buf b = {0}, s = {0};
    uint8_t txid[32];
    if (qiao_btc_txn_encode(&b, &tx, 1, NULL) || b.len != n || memcmp(b.p, d, n))
        abort();
    if (qiao_btc_txn_encode(&s, &tx, 0, NULL))
        abort();
    qiao_sha256d(cx, txid, s.p, s.len);
    if (memcmp(txid, info.txid, 32))
        abort();
    qiao_buf_clear(&b), qiao_buf_clear(&s);
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    (void)qiao_btc_htlc_find(cx, &m, d, n, &a, NULL);
}

static void address(const uint8_t *d, size_t n)
{
    char in[128], low[128], out[QIAO_BTC_ADDR_MAX];
    uint8_t prog[32];
    size_t plen;
    if (n >= sizeof(in))
        return;
    memcpy(in, d, n);
    in[n] = '\0';
    for (int net = 0; net < 3; net++) {
        if (qiao_btc_address_decode(prog, &plen, (enum qiao_btc_network)net, in, NULL))
            continue;
        for (size_t i = 0; i <= n; i++)
            low[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
        if (qiao_btc_address_encode(out, (enum qiao_btc_network)net, prog, plen, NULL) ||
            strcmp(out, low))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cx)
        cx = qiao_crypto_create();
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0:
        script(data + 1, size - 1);
        break;
    case 1:
        transaction(data + 1, size - 1);
        break;
    default:
        address(data + 1, size - 1);
    }
    return 0;
}
