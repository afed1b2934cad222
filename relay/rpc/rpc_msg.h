/*
 * rpc_msg.h: JSON-RPC message codec, pure.  Encodes requests and validates everything a node sends
 * back (replies and subscription notifications) before any other code looks at it.
 *
 * No I/O, no globals; the only allocation is the cJSON tree of the message being checked (and the
 * request text in a caller's qiao_buf).  This is what the libFuzzer target rpc_reply drives, and
 * what the lws transport (rpc.c, rpc_http.c, rpc_ws.c) calls for every reply body and frame.
 *
 * Ownership: a parsed struct qiao_rpc_msg owns its tree (root); every other pointer in it borrows
 * that tree and dies with qiao_rpc_msg_clear.
 */
#ifndef QIAO_RPC_MSG_H
#define QIAO_RPC_MSG_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

/** Replies above this size are refused unless an endpoint raises its own cap. */
#define QIAO_RPC_DEFAULT_MAX_REPLY ((size_t)16 << 20)
/** Nesting deeper than this is refused (an EVM block with full transactions is about 6 deep). */
#define QIAO_RPC_DEFAULT_MAX_DEPTH 32u
/** Method names are short identifiers; anything longer is a caller bug or an injection. */
#define QIAO_RPC_METHOD_MAX 64
/** Subscription ids are short hex strings; longer ones are refused. */
#define QIAO_RPC_SUBID_MAX 128
/** Request ids stay exact in a JSON number (and in a double). */
#define QIAO_RPC_ID_LIMIT ((uint64_t)1 << 53)

/**
 * Which reply shape an endpoint speaks.  QIAO_RPC_DIALECT_2_0 (anvil, geth): "jsonrpc":"2.0" and
 * exactly one of result and error.  QIAO_RPC_DIALECT_LEGACY (bitcoind, bcoin): "jsonrpc" may be
 * absent, both result and error appear and the one that does not apply is null.
 */
enum qiao_rpc_dialect { QIAO_RPC_DIALECT_2_0 = 0, QIAO_RPC_DIALECT_LEGACY = 1 };

/** Caps and dialect for validating one endpoint's messages. */
struct qiao_rpc_limits {
    size_t max_bytes;   /* 0: QIAO_RPC_DEFAULT_MAX_REPLY */
    unsigned max_depth; /* 0: QIAO_RPC_DEFAULT_MAX_DEPTH */
    enum qiao_rpc_dialect dialect;
};

enum qiao_rpc_msg_kind { QIAO_RPC_MSG_RESPONSE = 1, QIAO_RPC_MSG_NOTIFICATION = 2 };

/** One validated message.  Zero-initialise; release with qiao_rpc_msg_clear. */
struct qiao_rpc_msg {
    cJSON *root; /* owned */
    enum qiao_rpc_msg_kind kind;
    /* RESPONSE */
    int id_null;                /* the node said "id": null (it could not read our request) */
    uint64_t id;                /* valid when !id_null */
    const cJSON *result;        /* success: the result (may be a JSON null); NULL on error */
    const cJSON *error;         /* failure: the node's error object, code and message checked */
    int64_t error_code;         /* error.code */
    const char *error_message;  /* error.message */
    /* NOTIFICATION */
    const char *method;
    const cJSON *params;        /* object or array, or NULL when absent */
};

/**
 * Check a method name: 1..QIAO_RPC_METHOD_MAX characters of [A-Za-z0-9_.:/-].
 * Returns: QIAO_OK or QIAO_EINVAL "bad-method".
 */
qiao_err qiao_rpc_method_check(const char *method, struct qiao_diag *d);

/**
 * Append `headroom` zero bytes (room for the transport's framing, e.g. LWS_PRE) and then the
 * request text {"jsonrpc":"2.0","id":ID,"method":"M","params":P} to out.
 * Returns: QIAO_OK; "bad-method"; "bad-params" (params not an array or object); "bad-id"
 *          (id >= 2^53); ERANGE/ENOMEM from the buffer.
 * In: params may be NULL (sent as []); it is only read.
 */
qiao_err qiao_rpc_request_encode(struct qiao_buf *out, size_t headroom, uint64_t id,
                                 const char *method, const cJSON *params, struct qiao_diag *d);

/**
 * Parse and validate text[0..len) as one JSON-RPC message.  Node-reported errors are NOT a
 * failure here: a well-formed error reply parses fine with m->error set.
 * Reasons: from qiao_json_parse ("too-large", "too-deep", "bad-json", "duplicate-key",
 *   "trailing-bytes", "too-wide"), "not-object", "bad-version", "missing-id", "bad-id",
 *   "result-and-error", "no-result-or-error", "bad-error-object", "bad-notification",
 *   "unexpected-request".
 * Out: *m (owns a tree on success; zeroed on failure).
 */
qiao_err qiao_rpc_msg_parse(struct qiao_rpc_msg *m, const char *text, size_t len,
                            const struct qiao_rpc_limits *lim, struct qiao_diag *d);

/**
 * Require m to be the successful reply to request want_id.
 * Returns: QIAO_OK; QIAO_EINVAL "unexpected-notification", "missing-id" (id null on a success),
 *          "id-mismatch"; QIAO_EIO "rpc-error" (the node's error: code and message in the diag).
 * In: method names the call in messages only.
 */
qiao_err qiao_rpc_msg_expect(const struct qiao_rpc_msg *m, uint64_t want_id, const char *method,
                             struct qiao_diag *d);

/**
 * Read an eth_subscription notification: {"method":"eth_subscription",
 * "params":{"subscription":ID,"result":R}}.
 * Returns: QIAO_OK or QIAO_EINVAL "bad-notification".
 * Out: *sub_id and *result borrow m's tree.
 */
qiao_err qiao_rpc_msg_eth_notification(const struct qiao_rpc_msg *m, const char **sub_id,
                                       const cJSON **result, struct qiao_diag *d);

/** Free m's tree and zero it.  m may be NULL. */
void qiao_rpc_msg_clear(struct qiao_rpc_msg *m);

/**
 * One-shot check of a whole HTTP reply body: parse, then expect want_id.  On QIAO_OK *m holds the
 * reply (m->result); on "rpc-error" *m also holds it (m->error), so the caller can read the
 * node's error object; on any other failure *m is cleared.
 */
qiao_err qiao_rpc_reply_check(struct qiao_rpc_msg *m, const char *text, size_t len,
                              uint64_t want_id, const char *method,
                              const struct qiao_rpc_limits *lim, struct qiao_diag *d);

#endif
