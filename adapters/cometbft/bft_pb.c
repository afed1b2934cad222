/* bft_pb.c: minimal protobuf encoding for CometBFT canonical messages (see bft_pb.h). */
#include "adapters/cometbft/bft_pb.h"

#include <string.h>

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2 };

void qiao_bft_pb_init(struct qiao_bft_pb *w, uint8_t *p, size_t cap)
{
    w->p = p;
    w->cap = cap;
    w->len = 0;
    w->overflow = 0;
}

static void put(struct qiao_bft_pb *w, const void *p, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    if (n)
        memcpy(w->p + w->len, p, n);
    w->len += n;
}

void qiao_bft_pb_raw(struct qiao_bft_pb *w, const void *p, size_t n)
{
    put(w, p, n);
}

void qiao_bft_pb_varint(struct qiao_bft_pb *w, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    put(w, tmp, n);
}

static void tag(struct qiao_bft_pb *w, uint32_t field, unsigned wire)
{
    qiao_bft_pb_varint(w, (uint64_t)field << 3 | wire);
}

void qiao_bft_pb_uint(struct qiao_bft_pb *w, uint32_t field, uint64_t v)
{
    if (!v)
        return;
    tag(w, field, WIRE_VARINT);
    qiao_bft_pb_varint(w, v);
}

void qiao_bft_pb_sfixed64(struct qiao_bft_pb *w, uint32_t field, int64_t v)
{
    if (!v)
        return;
    uint8_t le[8];
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(u >> (8 * i));
    tag(w, field, WIRE_FIXED64);
    put(w, le, sizeof(le));
}

void qiao_bft_pb_msg(struct qiao_bft_pb *w, uint32_t field, const void *p, size_t n)
{
    tag(w, field, WIRE_LEN);
    qiao_bft_pb_varint(w, n);
    put(w, p, n);
}

void qiao_bft_pb_bytes(struct qiao_bft_pb *w, uint32_t field, const void *p, size_t n)
{
    if (n)
        qiao_bft_pb_msg(w, field, p, n);
}

qiao_err qiao_bft_pb_finish(const struct qiao_bft_pb *w, const char *what, struct qiao_diag *d)
{
    if (w->overflow)
        return QIAO_FAIL(d, QIAO_ERANGE, "pb-overflow",
                         "protobuf encoding of %s does not fit its %zu-byte buffer", what, w->cap);
    return QIAO_OK;
}
