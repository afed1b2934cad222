/*
 * frame.h: the notary mesh's frames, parsed and built without I/O.
 *
 * Notaries talk over WebSocket (subprotocol "qiao-mesh-1") in JSON text frames.  Every frame from
 * a peer is hostile until proven otherwise: it is size-capped before parsing, parsed strictly
 * (qiao_json_parse: no duplicate keys, depth cap), and must carry exactly the members its type
 * defines, with canonical hex of the right length.  Unknown types and unknown members are errors,
 * so a peer running a different protocol is told so instead of being half-understood.
 *
 * Frame types:
 *   hello  {type, v, committee, epoch, from, nonce}   first frame on a connection, both sides
 *   auth   {type, sig}                                 answers the other side's hello
 *   att    {type, id, epoch, sig}                      one attestation signature
 *   want   {type, ids[]}                               "what are you missing": send me these
 *   hb     {type, t}                                   heartbeat, milliseconds since the epoch
 */
#ifndef QIAO_MESH_FRAME_H
#define QIAO_MESH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

#define QIAO_MESH_PROTOCOL "qiao-mesh-1"
#define QIAO_MESH_VERSION 1
#define QIAO_MESH_MAX_FRAME (64 * 1024)
#define QIAO_MESH_MAX_WANT 256

enum qiao_mesh_type {
    QIAO_MESH_HELLO = 1,
    QIAO_MESH_AUTH,
    QIAO_MESH_ATT,
    QIAO_MESH_WANT,
    QIAO_MESH_HB,
};

/** One decoded frame.  Caller storage; holds no pointers into the input. */
struct qiao_mesh_frame {
    enum qiao_mesh_type type;
    union {
        struct {
            uint8_t committee[32];
            uint64_t epoch;
            uint8_t from[20];
            uint8_t nonce[32];
        } hello;
        struct {
            uint8_t sig[65];
        } auth;
        struct {
            uint8_t id[32];
            uint64_t epoch;
            uint8_t sig[65];
        } att;
        struct {
            size_t count;
            uint8_t ids[QIAO_MESH_MAX_WANT][32];
        } want;
        struct {
            uint64_t t_ms;
        } hb;
    } u;
};

/**
 * Parse one frame of len bytes (max_len 0 means QIAO_MESH_MAX_FRAME).
 * Reasons: "frame-too-large", "bad-json", "duplicate-key", "unknown-type", "unknown-field",
 * "missing-field", "wrong-type", "wrong-length", "bad-hex-char", "bad-version", "too-many-ids".
 */
qiao_err qiao_mesh_frame_parse(struct qiao_mesh_frame *out, const char *text, size_t len,
                               size_t max_len, struct qiao_diag *d);

/** Append the frame's JSON text (NUL-terminated, terminator not counted in b->len) to b. */
qiao_err qiao_mesh_frame_build(struct qiao_buf *b, const struct qiao_mesh_frame *f,
                               struct qiao_diag *d);

/** The name of a frame type ("hello", ...), or "unknown". */
const char *qiao_mesh_type_name(enum qiao_mesh_type t);

#endif
