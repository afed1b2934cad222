/* evm_message.c: strict ABI decoding of MessageSent (see evm_message.h). */
#include <string.h>

#include "adapters/evm/evm_message.h"
#include "relay/core/keccak.h"

static const char signature[] = "MessageSent(uint64,uint64,address,address,bytes32,bytes)";

void qiao_evm_message_sent_topic(uint8_t topic[32])
{
    qiao_keccak256(topic, signature, sizeof(signature) - 1);
}

static int zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Store a 32-byte ABI word into parameter i of m (static types only). */
static qiao_err put_word(struct qiao_evm_message_sent *m, unsigned i, const uint8_t w[32],
                         struct qiao_diag *d)
{
    if ((i <= 1 && !zero(w, 24)) || ((i == 2 || i == 3) && !zero(w, 12)))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-abi", "MessageSent parameter %u exceeds its type", i);
    if (i <= 1) {
        uint64_t v = (uint64_t)qiao_load32be(w + 24) << 32 | qiao_load32be(w + 28);
        *(i == 0 ? &m->seq : &m->dst_chain_id) = v;
    } else if (i <= 3) {
        memcpy(i == 2 ? m->sender : m->receiver, w + 12, 20);
    } else {
        memcpy(m->payload_hash, w, 32);
    }
    return QIAO_OK;
}

static qiao_err read_payload(struct qiao_evm_message_sent *m, const uint8_t *data, size_t len,
                             const uint8_t off_word[32], size_t head, struct qiao_diag *d)
{
    uint64_t off = (uint64_t)qiao_load32be(off_word + 24) << 32 | qiao_load32be(off_word + 28);
    if (!zero(off_word, 24) || off != head || len < head + 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-abi", "MessageSent payload offset is not the "
                         "canonical %zu", head);
    const uint8_t *lw = data + head;
    uint64_t n = (uint64_t)qiao_load32be(lw + 24) << 32 | qiao_load32be(lw + 28);
    if (!zero(lw, 24) || n > QIAO_EVM_MESSAGE_MAX_PAYLOAD)
        return QIAO_FAIL(d, QIAO_ERANGE, "payload-too-large", "MessageSent payload length too "
                         "large");
    size_t padded = ((size_t)n + 31) / 32 * 32;
    if (len != head + 32 + padded || !zero(data + head + 32 + n, padded - n))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-abi", "MessageSent data length or padding is not "
                         "canonical");
    m->payload = data + head + 32, m->payload_len = (size_t)n;
    return QIAO_OK;
}

qiao_err qiao_evm_message_sent_decode(struct qiao_evm_message_sent *m, const struct qiao_evm_log *log,
                                      unsigned indexed_mask, struct qiao_diag *d)
{
    uint8_t topic[32], h[32];
    unsigned nindexed = 0;
    memset(m, 0, sizeof(*m));
    indexed_mask &= 0x1f;
    for (unsigned i = 0; i < 5; i++)
        nindexed += (indexed_mask >> i) & 1;
    qiao_evm_message_sent_topic(topic);
    if (nindexed > 3 || log->topic_count != 1 + nindexed || memcmp(log->topics[0], topic, 32) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-message-sent", "log is not MessageSent with %u "
                         "indexed parameters", nindexed);
    size_t head = 32 * (6 - nindexed), t = 1, w = 0;
    if (log->data_len < head)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-abi", "MessageSent data shorter than its head");
    for (unsigned i = 0; i < 5; i++) {
        const uint8_t *src = (indexed_mask >> i) & 1 ? log->topics[t++] : log->data + 32 * w++;
        QIAO_TRY(put_word(m, i, src, d));
    }
    QIAO_TRY(read_payload(m, log->data, log->data_len, log->data + 32 * w, head, d));
    qiao_keccak256(h, m->payload, m->payload_len);
    if (memcmp(h, m->payload_hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "payload-hash-mismatch",
                         "MessageSent payloadHash is not keccak256(payload)");
    return QIAO_OK;
}

static void word_of(uint8_t w[32], const struct qiao_evm_message_sent *m, unsigned i)
{
    memset(w, 0, 32);
    if (i <= 1)
        qiao_store64be(w + 24, i == 0 ? m->seq : m->dst_chain_id);
    else if (i <= 3)
        memcpy(w + 12, i == 2 ? m->sender : m->receiver, 20);
    else
        memcpy(w, m->payload_hash, 32);
}

qiao_err qiao_evm_message_sent_encode(struct qiao_evm_log *log, struct qiao_buf *data,
                                      const struct qiao_evm_message_sent *m, unsigned indexed_mask,
                                      const uint8_t emitter[20], struct qiao_diag *d)
{
    uint8_t w[32];
    unsigned nindexed = 0;
    memset(log, 0, sizeof(*log));
    memcpy(log->address, emitter, 20);
    qiao_evm_message_sent_topic(log->topics[0]);
    log->topic_count = 1;
    data->len = 0;
    for (unsigned i = 0; i < 5; i++) {
        word_of(w, m, i);
        if ((indexed_mask >> i) & 1) {
            if (++nindexed > 3)
                return QIAO_FAIL(d, QIAO_EINVAL, "bad-abi", "more than 3 indexed parameters");
            memcpy(log->topics[log->topic_count++], w, 32);
        } else {
            QIAO_TRY(qiao_buf_append(data, w, 32, d));
        }
    }
    memset(w, 0, 32);
    qiao_store64be(w + 24, data->len + 32); /* offset of payload: right after the head */
    QIAO_TRY(qiao_buf_append(data, w, 32, d));
    qiao_store64be(w + 24, m->payload_len);
    QIAO_TRY(qiao_buf_append(data, w, 32, d));
    QIAO_TRY(qiao_buf_append(data, m->payload, m->payload_len, d));
    memset(w, 0, 32);
    QIAO_TRY(qiao_buf_append(data, w, (32 - m->payload_len % 32) % 32, d));
    log->data = data->p, log->data_len = data->len;
    return QIAO_OK;
}
