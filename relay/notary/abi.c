/* abi.c: ABI words, Inbox/Outbox calldata and the strict MessageSent decoder (see abi.h). */
#include "relay/notary/abi.h"

#include <string.h>

#include "relay/core/keccak.h"
#include "relay/notary/attest.h"

static const uint8_t zero32[32];

void qiao_abi_put_u64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 24);
    qiao_store64be(w + 24, v);
}

void qiao_abi_put_address(uint8_t w[32], const uint8_t addr[20])
{
    memset(w, 0, 12);
    memcpy(w + 12, addr, 20);
}

qiao_err qiao_abi_get_u64(uint64_t *v, const uint8_t w[32], struct qiao_diag *d)
{
    if (memcmp(w, zero32, 24) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-dirty-word", "word does not hold a uint64");
    *v = (uint64_t)qiao_load32be(w + 24) << 32 | qiao_load32be(w + 28);
    return QIAO_OK;
}

qiao_err qiao_abi_get_address(uint8_t addr[20], const uint8_t w[32], struct qiao_diag *d)
{
    if (memcmp(w, zero32, 12) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-dirty-word", "word does not hold an address");
    memcpy(addr, w + 12, 20);
    return QIAO_OK;
}

void qiao_abi_selector(uint8_t sel[4], const char *signature)
{
    uint8_t h[32];
    qiao_keccak256(h, signature, strlen(signature));
    memcpy(sel, h, 4);
}

void qiao_abi_message_sent_topic(uint8_t topic[32])
{
    static const char sig[] = "MessageSent(uint64,uint64,address,address,bytes32,bytes)";
    qiao_keccak256(topic, sig, sizeof(sig) - 1);
}

static size_t pad32(size_t n)
{
    return (n + 31) / 32 * 32;
}

static qiao_err put_word_u64(struct qiao_buf *b, uint64_t v, struct qiao_diag *d)
{
    uint8_t w[32];
    qiao_abi_put_u64(w, v);
    return qiao_buf_append(b, w, 32, d);
}

static qiao_err put_word_addr(struct qiao_buf *b, const uint8_t a[20], struct qiao_diag *d)
{
    uint8_t w[32];
    qiao_abi_put_address(w, a);
    return qiao_buf_append(b, w, 32, d);
}

/* The tail of a dynamic `bytes`: length word, then the bytes zero-padded to 32. */
static qiao_err put_bytes_tail(struct qiao_buf *b, const uint8_t *p, size_t n,
                               struct qiao_diag *d)
{
    QIAO_TRY(put_word_u64(b, n, d));
    QIAO_TRY(qiao_buf_append(b, p, n, d));
    return qiao_buf_append(b, zero32, pad32(n) - n, d);
}

static qiao_err put_selector(struct qiao_buf *b, const char *signature, struct qiao_diag *d)
{
    uint8_t sel[4];
    qiao_abi_selector(sel, signature);
    return qiao_buf_append(b, sel, 4, d);
}

qiao_err qiao_abi_encode_deliver(struct qiao_buf *out, const struct qiao_message *m,
                                 const uint8_t *sigs, size_t sigs_len, struct qiao_diag *d)
{
    if (m->payload_len > QIAO_MSG_PAYLOAD_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "payload-too-large", "payload of %zu bytes exceeds %d",
                         m->payload_len, QIAO_MSG_PAYLOAD_MAX);
    if (m->payload_len > 0 && m->payload == NULL)
        return QIAO_FAIL(d, QIAO_EINVAL, "payload-missing", "deliver needs the payload bytes");
    if (sigs_len > QIAO_COMMITTEE_MAX * QIAO_SIG_LEN || (sigs_len > 0 && sigs == NULL))
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-signatures", "certificate of %zu bytes",
                         sigs_len);
    /* Head: offset of the Message tuple (0x40), offset of sigs.  The tuple is dynamic (it holds
     * bytes): 9 head words, the last the payload offset relative to the tuple (9 * 32). */
    size_t tuple_len = 9 * 32 + 32 + pad32(m->payload_len);
    QIAO_TRY(put_selector(out, "deliver((uint8,uint64,address,uint64,uint64,address,address,"
                               "bytes32,bytes),bytes)", d));
    QIAO_TRY(put_word_u64(out, 0x40, d));
    QIAO_TRY(put_word_u64(out, 0x40 + tuple_len, d));
    QIAO_TRY(put_word_u64(out, m->version, d));
    QIAO_TRY(put_word_u64(out, m->src_chain_id, d));
    QIAO_TRY(put_word_addr(out, m->src_emitter, d));
    QIAO_TRY(put_word_u64(out, m->seq, d));
    QIAO_TRY(put_word_u64(out, m->dst_chain_id, d));
    QIAO_TRY(put_word_addr(out, m->sender, d));
    QIAO_TRY(put_word_addr(out, m->receiver, d));
    QIAO_TRY(qiao_buf_append(out, m->payload_hash, 32, d));
    QIAO_TRY(put_word_u64(out, 9 * 32, d));
    QIAO_TRY(put_bytes_tail(out, m->payload, m->payload_len, d));
    return put_bytes_tail(out, sigs, sigs_len, d);
}

qiao_err qiao_abi_encode_rotate(struct qiao_buf *out, const uint8_t (*members)[20], size_t n,
                                uint16_t k, const uint8_t *sigs, size_t sigs_len,
                                struct qiao_diag *d)
{
    if (n > QIAO_COMMITTEE_MAX || sigs_len > QIAO_COMMITTEE_MAX * QIAO_SIG_LEN)
        return QIAO_FAIL(d, QIAO_ERANGE, "committee-too-large", "%zu members, %zu signature bytes",
                         n, sigs_len);
    QIAO_TRY(put_selector(out, "rotate(address[],uint16,bytes)", d));
    QIAO_TRY(put_word_u64(out, 3 * 32, d));
    QIAO_TRY(put_word_u64(out, k, d));
    QIAO_TRY(put_word_u64(out, 3 * 32 + 32 + n * 32, d));
    QIAO_TRY(put_word_u64(out, n, d));
    for (size_t i = 0; i < n; i++)
        QIAO_TRY(put_word_addr(out, members[i], d));
    return put_bytes_tail(out, sigs, sigs_len, d);
}

qiao_err qiao_abi_encode_send(struct qiao_buf *out, uint64_t dst_chain_id,
                              const uint8_t receiver[20], const uint8_t *payload,
                              size_t payload_len, struct qiao_diag *d)
{
    if (payload_len > QIAO_MSG_PAYLOAD_MAX || (payload_len > 0 && payload == NULL))
        return QIAO_FAIL(d, QIAO_ERANGE, "payload-too-large", "payload of %zu bytes exceeds %d",
                         payload_len, QIAO_MSG_PAYLOAD_MAX);
    QIAO_TRY(put_selector(out, "send(uint64,address,bytes)", d));
    QIAO_TRY(put_word_u64(out, dst_chain_id, d));
    QIAO_TRY(put_word_addr(out, receiver, d));
    QIAO_TRY(put_word_u64(out, 3 * 32, d));
    return put_bytes_tail(out, payload, payload_len, d);
}

static qiao_err decode_topics(struct qiao_message *m, const uint8_t (*topics)[32],
                              size_t ntopics, struct qiao_diag *d)
{
    uint8_t want[32];
    if (ntopics != 4)
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-wrong-topic-count",
                         "MessageSent has 4 topics, log has %zu", ntopics);
    qiao_abi_message_sent_topic(want);
    if (memcmp(topics[0], want, 32) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-wrong-event", "topic0 is not MessageSent");
    QIAO_TRY(qiao_abi_get_u64(&m->seq, topics[1], d));
    QIAO_TRY(qiao_abi_get_u64(&m->dst_chain_id, topics[2], d));
    return qiao_abi_get_address(m->sender, topics[3], d);
}

qiao_err qiao_abi_decode_message_sent(struct qiao_message *m, const uint8_t (*topics)[32],
                                      size_t ntopics, const uint8_t *data, size_t data_len,
                                      struct qiao_diag *d)
{
    uint64_t off, len;
    QIAO_TRY(decode_topics(m, topics, ntopics, d));
    if (data_len < 4 * 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-truncated", "log data of %zu bytes, need >= 128",
                         data_len);
    QIAO_TRY(qiao_abi_get_address(m->receiver, data, d));
    memcpy(m->payload_hash, data + 32, 32);
    QIAO_TRY(qiao_abi_get_u64(&off, data + 64, d));
    if (off != 3 * 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-bad-offset", "payload offset %llu is not 0x60",
                         (unsigned long long)off);
    QIAO_TRY(qiao_abi_get_u64(&len, data + 96, d));
    if (len > QIAO_MSG_PAYLOAD_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "payload-too-large", "payload of %llu bytes exceeds %d",
                         (unsigned long long)len, QIAO_MSG_PAYLOAD_MAX);
    if (data_len != 128 + pad32((size_t)len))
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-bad-length",
                         "log data of %zu bytes for a %llu-byte payload", data_len,
                         (unsigned long long)len);
    if (memcmp(data + 128 + len, zero32, data_len - 128 - (size_t)len) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "abi-dirty-padding", "payload padding is not zero");
    m->version = QIAO_MSG_VERSION;
    m->payload = data + 128;
    m->payload_len = (size_t)len;
    return qiao_msg_check(m, d);
}
