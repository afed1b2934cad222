/*
 * fuzz_notary.c: libFuzzer target for the notary's hostile-input parsers.  The first byte picks:
 *   even: the rest is MessageSent log data (with the fixture's topics).  Property: anything
 *         accepted re-encodes to exactly the input (one canonical encoding), the payload hash
 *         matches, and the payload is within the cap.
 *   odd:  the rest is a certificate for the fixture message under the fixture committee (keys
 *         0x11..11 .. 0x44..44, epoch 1, k = 3).  Property: anything accepted has k..n strictly
 *         ascending member signers, and qiao_cert_build over its signatures reproduces it.
 * The crypto context and committee are built once (test code; the library itself keeps no
 * globals).
 */
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct qiao_crypto *cx;
static uint8_t members[4][20];
static struct qiao_committee committee;
static uint8_t msg_id[32];
static uint8_t topics[4][32];

static void init(void)
{
    uint8_t sk[32], pub[64], tmp[20];
    cx = qiao_crypto_create();
    if (!cx)
        abort();
    for (int i = 0; i < 4; i++) {
        memset(sk, 0x11 * (i + 1), 32);
        qiao_secp_pubkey(cx, pub, members[i], sk, NULL);
    }
    for (int i = 1; i < 4; i++)
        for (int j = i; j > 0 && memcmp(members[j - 1], members[j], 20) > 0; j--)
            memcpy(tmp, members[j], 20), memcpy(members[j], members[j - 1], 20),
                memcpy(members[j - 1], tmp, 20);
    qiao_hex_decode_exact(committee.id, 32,
                          "8e50624cb6b2e9253363c335222aa4c4d74e8c606e3197369b603ab44e033442", NULL);
    committee.epoch = 1;
    committee.members = (const uint8_t(*)[20])members;
    committee.n = 4;
    committee.k = 3;
    qiao_hex_decode_exact(msg_id, 32,
                          "f75d48ec4faf62ee9f7900697b3507767cfe0e1ac5fc922f630dc4deea964a5c", NULL);
    qiao_abi_message_sent_topic(topics[0]);
    qiao_abi_put_u64(topics[1], 1);
    qiao_abi_put_u64(topics[2], 7001);
    qiao_hex_decode(topics[3] + 12, 20, &(size_t){0}, "f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                    40, NULL);
}

static void fuzz_log(const uint8_t *p, size_t n)
{
    struct qiao_message m;
    struct qiao_diag d = {0};
    if (qiao_abi_decode_message_sent(&m, (const uint8_t(*)[32])topics, 4, p, n, &d) != QIAO_OK)
        return;
    uint8_t h[32], w[32];
    qiao_keccak256(h, m.payload, m.payload_len);
    if (m.payload_len > QIAO_MSG_PAYLOAD_MAX || memcmp(h, m.payload_hash, 32) != 0)
        abort();
    struct qiao_buf b = {0};
    qiao_abi_put_address(w, m.receiver), qiao_buf_append(&b, w, 32, NULL);
    qiao_buf_append(&b, m.payload_hash, 32, NULL);
    qiao_abi_put_u64(w, 0x60), qiao_buf_append(&b, w, 32, NULL);
    qiao_abi_put_u64(w, m.payload_len), qiao_buf_append(&b, w, 32, NULL);
    qiao_buf_append(&b, m.payload, m.payload_len, NULL);
    memset(w, 0, 32), qiao_buf_append(&b, w, (32 - m.payload_len % 32) % 32, NULL);
    if (b.len != n || memcmp(b.p, p, n) != 0)
        abort();
    qiao_buf_clear(&b);
}

static void fuzz_cert(const uint8_t *p, size_t n)
{
    uint8_t signers[4][20], rebuilt[4 * 65], digest[32];
    size_t count = 0, len = 0;
    struct qiao_diag d = {0};
    if (qiao_cert_verify(cx, &committee, msg_id, p, n, signers, &count, &d) != QIAO_OK)
        return;
    if (count < committee.k || count > committee.n || count * 65 != n)
        abort();
    for (size_t i = 0; i < count; i++)
        if (!qiao_committee_is_member(&committee, signers[i]) ||
            (i > 0 && memcmp(signers[i - 1], signers[i], 20) >= 0))
            abort();
    qiao_attest_digest(digest, committee.id, committee.epoch, msg_id);
    if (qiao_cert_build(cx, &committee, digest, (const uint8_t(*)[65])p, count, 0, rebuilt,
                        sizeof(rebuilt), &len, &d) != QIAO_OK ||
        len != n || memcmp(rebuilt, p, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cx)
        init();
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        fuzz_log(data + 1, size - 1);
    else
        fuzz_cert(data + 1, size - 1);
    return 0;
}
