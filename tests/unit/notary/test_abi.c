/*
 * test_abi.c: calldata for Inbox.deliver / Inbox.rotate / Outbox.send and the strict MessageSent
 * decoder.  Expected bytes were produced independently by ethers.js's Interface encoder on the
 * fixture inputs.
 */
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"
#include "tests/qt.h"
#include "tests/unit/notary/fixture.h"

static const char send_hex[] =
    "67914f6e0000000000000000000000000000000000000000000000000000000000001b590000000000000000"
    "000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e00000000000000000000000000000000000000000"
    "0000000000000000000000600000000000000000000000000000000000000000000000000000000000000042"
    "7b226261746368223a2243432d323032342d30313137222c226f726967696e223a2253616e746f732c204252"
    "222c2271756172616e74696e65223a2270617373227d00000000000000000000000000000000000000000000"
    "0000000000000000";
static const char event_data_hex[] =
    "0000000000000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e04c2cfbe8b402ebf9d29d30d3f0"
    "de0743603aadcf3490ebda49e53c97b1506554000000000000000000000000000000000000000000000000000000"
    "00000000600000000000000000000000000000000000000000000000000000000000000042" /* len 66 */
    "7b226261746368223a2243432d323032342d30313137222c226f726967696e223a2253616e746f732c20425222"
    "2c2271756172616e74696e65223a2270617373227d000000000000000000000000000000000000000000000000"
    "000000000000";
static const char *const topic_hex[4] = {
    "b0b7776251fffb101273aefa3fbaf08f3e3592f58852521ea513987bd3555ee3",
    "0000000000000000000000000000000000000000000000000000000000000001",
    "0000000000000000000000000000000000000000000000000000000000001b59",
    "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
};

static struct qiao_crypto *cx;

static void build_cert(uint8_t cert[3 * 65], struct qiao_committee *c, uint8_t members[4][20])
{
    struct qiao_message m;
    uint8_t id[32], digest[32], sk[32], in[4][65];
    size_t len;
    fix_committee(c, members, cx);
    fix_message(&m);
    qiao_msg_id(id, &m);
    qiao_attest_digest(digest, c->id, c->epoch, id);
    for (int i = 0; i < 4; i++) {
        fix_seckey(sk, i + 1);
        qiao_attest_sign(cx, in[i], sk, digest, NULL);
    }
    QT_CHECK(qiao_cert_build(cx, c, digest, (const uint8_t(*)[65])in, 4, 3, cert, 195, &len,
                             NULL) == QIAO_OK);
}

static void test_calldata(void)
{
    struct qiao_message m;
    struct qiao_committee c;
    uint8_t members[4][20], cert[195], h[32], want[32];
    struct qiao_buf b = {0};
    fix_message(&m);
    build_cert(cert, &c, members);
    QT_CHECK(qiao_abi_encode_deliver(&b, &m, cert, sizeof(cert), NULL) == QIAO_OK);
    QT_CHECK(b.len == 740);
    qiao_keccak256(h, b.p, b.len);
    fix_hex(want, 32, "9177a81e5e6edb52c3cd855fa8af2746698852c7da7e8d591848539d400599d1");
    QT_CHECK_MEM(h, want, 32);
    b.len = 0;
    QT_CHECK(qiao_abi_encode_rotate(&b, c.members, 4, 3, cert, sizeof(cert), NULL) == QIAO_OK);
    QT_CHECK(b.len == 516);
    qiao_keccak256(h, b.p, b.len);
    fix_hex(want, 32, "eead62aa2beb4fbbec5b4b91c257010e9e602ee26d901ad12791d7a530f0dc11");
    QT_CHECK_MEM(h, want, 32);
    b.len = 0;
    QT_CHECK(qiao_abi_encode_send(&b, 7001, m.receiver, m.payload, m.payload_len, NULL) == QIAO_OK);
    uint8_t send[sizeof(send_hex) / 2];
    fix_hex(send, sizeof(send), send_hex);
    QT_CHECK(b.len == sizeof(send));
    QT_CHECK(b.len == sizeof(send) && memcmp(b.p, send, b.len) == 0);
    struct qiao_diag d = {0};
    m.payload_len = QIAO_MSG_PAYLOAD_MAX + 1;
    QT_CHECK(qiao_abi_encode_deliver(&b, &m, cert, sizeof(cert), &d) == QIAO_ERANGE);
    QT_CHECK(qiao_abi_encode_send(&b, 1, m.receiver, m.payload, m.payload_len, &d) == QIAO_ERANGE);
    qiao_buf_clear(&b);
}

static const char *decode(uint8_t topics[4][32], size_t nt, const uint8_t *data, size_t len,
                          struct qiao_message *m, struct qiao_diag *d)
{
    qiao_diag_clear(d);
    qiao_err e = qiao_abi_decode_message_sent(m, (const uint8_t(*)[32])topics, nt, data, len, d);
    return e == QIAO_OK ? "ok" : d->reason;
}

static void test_decode(void)
{
    uint8_t topics[4][32], data[sizeof(event_data_hex) / 2], orig[sizeof(data)], id[32], want[32];
    struct qiao_message m, fx;
    struct qiao_diag d = {0};
    for (int i = 0; i < 4; i++)
        fix_hex(topics[i], 32, topic_hex[i]);
    fix_hex(data, sizeof(data), event_data_hex);
    memcpy(orig, data, sizeof(data));
    uint8_t t0[32];
    qiao_abi_message_sent_topic(t0);
    QT_CHECK_MEM(t0, topics[0], 32);

    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "ok") == 0);
    fix_message(&fx);
    m.src_chain_id = 7003;
    memcpy(m.src_emitter, fx.src_emitter, 20);
    qiao_msg_id(id, &m);
    fix_hex(want, 32, FIX_MSG_ID);
    QT_CHECK_MEM(id, want, 32);
    QT_CHECK(m.payload_len == fx.payload_len && memcmp(m.payload, fx.payload, fx.payload_len) == 0);

    QT_CHECK(strcmp(decode(topics, 3, data, sizeof(data), &m, &d), "abi-wrong-topic-count") == 0);
    topics[0][0] ^= 1;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "abi-wrong-event") == 0);
    topics[0][0] ^= 1, topics[1][0] = 1;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "abi-dirty-word") == 0);
    topics[1][0] = 0, topics[3][11] = 1;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "abi-dirty-word") == 0);
    topics[3][11] = 0;
    QT_CHECK(strcmp(decode(topics, 4, data, 100, &m, &d), "abi-truncated") == 0);
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data) - 32, &m, &d), "abi-bad-length") == 0);
    data[0] = 1;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "abi-dirty-word") == 0);
    memcpy(data, orig, sizeof(data)), data[95] = 0x40;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "abi-bad-offset") == 0);
    memcpy(data, orig, sizeof(data)), data[125] = 0x01; /* length 0x10042 */
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "payload-too-large") == 0);
    /* length 67 still fits the padded size: the extra byte is a zero that changes the hash */
    memcpy(data, orig, sizeof(data)), data[127] = 0x43;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "bad-payload-hash") == 0);
    memcpy(data, orig, sizeof(data)), data[128 + 66] = 1;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "abi-dirty-padding") == 0);
    memcpy(data, orig, sizeof(data)), data[sizeof(data) - 1] = 1;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "abi-dirty-padding") == 0);
    memcpy(data, orig, sizeof(data)), data[130] ^= 1;
    QT_CHECK(strcmp(decode(topics, 4, data, sizeof(data), &m, &d), "bad-payload-hash") == 0);
}

static void test_words(void)
{
    uint8_t w[32], a[20];
    uint64_t v;
    qiao_abi_put_u64(w, 0x0102030405060708ULL);
    QT_CHECK(qiao_abi_get_u64(&v, w, NULL) == QIAO_OK && v == 0x0102030405060708ULL);
    w[23] = 1;
    QT_CHECK(qiao_abi_get_u64(&v, w, NULL) == QIAO_EINVAL);
    memset(a, 0xee, 20);
    qiao_abi_put_address(w, a);
    QT_CHECK(qiao_abi_get_address(a, w, NULL) == QIAO_OK && a[0] == 0xee && w[11] == 0);
    w[0] = 1;
    QT_CHECK(qiao_abi_get_address(a, w, NULL) == QIAO_EINVAL);
    uint8_t sel[4];
    qiao_abi_selector(sel, "send(uint64,address,bytes)");
    QT_CHECK(sel[0] == 0x67 && sel[1] == 0x91 && sel[2] == 0x4f && sel[3] == 0x6e);
}

int main(void)
{
    cx = qiao_crypto_create();
    QT_CHECK(cx != NULL);
    if (cx) {
        test_calldata();
        test_decode();
        test_words();
    }
    qiao_crypto_destroy(cx);
    return qt_finish();
}
