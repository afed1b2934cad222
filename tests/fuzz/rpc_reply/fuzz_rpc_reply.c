/*
 * fuzz_rpc_reply.c: libFuzzer target for the JSON-RPC reply validator (relay/rpc/rpc_msg.h).
 *
 * Every input is checked as a reply to request id 1 in both dialects, and as a notification when
 * it parses as one.  The validator must never crash, leak or read out of bounds, and its verdict
 * must be self-consistent: an accepted reply has a result, a node error has an error object.
 * Corpus: real anvil replies and notifications captured over HTTP and WebSocket, plus two
 * bcoin-shaped (legacy dialect) replies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/rpc/rpc_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const char *text, size_t size, enum qiao_rpc_dialect dialect)
{
    struct qiao_rpc_limits lim = {.max_bytes = 1 << 20, .max_depth = 16, .dialect = dialect};
    struct qiao_rpc_msg m;
    struct qiao_diag d;
    qiao_diag_clear(&d);
    qiao_err err = qiao_rpc_reply_check(&m, text, size, 1, "fuzz", &lim, &d);
    if (err == QIAO_OK && !m.result)
        abort();
    if (err == QIAO_EIO && (!m.error || !m.error_message))
        abort();
    if (err && err != QIAO_EIO && m.root)
        abort();
    if (err && !d.reason[0])
        abort();
    qiao_rpc_msg_clear(&m);
    if (qiao_rpc_msg_parse(&m, text, size, &lim, &d) == QIAO_OK &&
        m.kind == QIAO_RPC_MSG_NOTIFICATION) {
        const char *sid;
        const cJSON *res;
        if (qiao_rpc_msg_eth_notification(&m, &sid, &res, &d) == QIAO_OK &&
            (!sid || !res || strlen(sid) > QIAO_RPC_SUBID_MAX))
            abort();
    }
    qiao_rpc_msg_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_one((const char *)data, size, QIAO_RPC_DIALECT_2_0);
    check_one((const char *)data, size, QIAO_RPC_DIALECT_LEGACY);
    return 0;
}
