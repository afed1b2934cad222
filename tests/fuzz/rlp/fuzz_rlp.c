/* fuzz_rlp.c: libFuzzer target for the strict RLP decoder.  Property: anything accepted is
 * canonical, so re-encoding the decoded tree reproduces the input byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "relay/core/rlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reencode(struct qiao_buf *b, const struct qiao_rlp_item *it)
{
    if (!it->list)
        return qiao_rlp_put_bytes(b, it->p, it->len, NULL);
    struct qiao_rlp_iter iter;
    if (qiao_rlp_iter_init(&iter, it, NULL))
        return -1;
    size_t start = qiao_rlp_list_begin(b);
    for (;;) {
        struct qiao_rlp_item child;
        int have;
        if (qiao_rlp_next(&iter, &child, &have, NULL))
            return -1;
        if (!have)
            break;
        if (reencode(b, &child))
            return -1;
    }
    return qiao_rlp_list_end(b, start, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qiao_rlp_item it;
    struct qiao_diag d = {0};
    if (qiao_rlp_decode_whole(&it, data, size, &d) != QIAO_OK)
        return 0;
    struct qiao_buf b = {0};
    if (reencode(&b, &it) != 0 || b.len != size || memcmp(b.p, data, size) != 0)
        abort();
    uint64_t v;
    uint8_t be[32];
    (void)qiao_rlp_u64(&v, &it, NULL);
    (void)qiao_rlp_uint_be(be, sizeof(be), &it, NULL);
    qiao_buf_clear(&b);
    return 0;
}
