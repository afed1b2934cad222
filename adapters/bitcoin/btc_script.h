/*
 * btc_script.h: the few pieces of Bitcoin Script the HTLC needs: opcodes, canonical (minimal)
 * data pushes and CScriptNum encoding, a push-aware reader, and the P2WSH output form.
 *
 * "Canonical" here is Core's MINIMALDATA rule: a push uses the shortest opcode that can carry
 * it, and a number is the shortest little-endian sign-magnitude form (OP_0, OP_1..OP_16 for
 * 0..16).  A parser that re-encodes and compares catches every other encoding.
 *
 * Pure: no I/O, no heap.  Writers append to caller storage and fail "script-too-long" when it
 * does not fit.
 */
#ifndef QIAO_BTC_SCRIPT_H
#define QIAO_BTC_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/core/diag.h"

enum qiao_btc_opcode {
    QIAO_OP_0 = 0x00,
    QIAO_OP_PUSHDATA1 = 0x4c,
    QIAO_OP_PUSHDATA2 = 0x4d,
    QIAO_OP_1NEGATE = 0x4f,
    QIAO_OP_1 = 0x51,
    QIAO_OP_16 = 0x60,
    QIAO_OP_IF = 0x63,
    QIAO_OP_ELSE = 0x67,
    QIAO_OP_ENDIF = 0x68,
    QIAO_OP_DROP = 0x75,
    QIAO_OP_SIZE = 0x82,
    QIAO_OP_EQUALVERIFY = 0x88,
    QIAO_OP_SHA256 = 0xa8,
    QIAO_OP_CHECKSIG = 0xac,
    QIAO_OP_CHECKLOCKTIMEVERIFY = 0xb1,
};

/** A script being written into caller storage. */
struct qiao_btc_script_w {
    uint8_t *p;
    size_t cap;
    size_t len;
};

void qiao_btc_script_w_init(struct qiao_btc_script_w *w, uint8_t *p, size_t cap);

/** Append one opcode.  Returns: QIAO_OK or QIAO_ERANGE "script-too-long". */
qiao_err qiao_btc_script_op(struct qiao_btc_script_w *w, uint8_t op, struct qiao_diag *d);

/**
 * Append a minimal push of n bytes (up to 520): OP_0 for none, OP_1..OP_16 / OP_1NEGATE for the
 * single bytes 1..16 / 0x81, a direct push up to 75 bytes, else OP_PUSHDATA1/2.
 * Returns: QIAO_OK, QIAO_ERANGE "script-too-long" / "push-too-large".
 */
qiao_err qiao_btc_script_push(struct qiao_btc_script_w *w, const uint8_t *data, size_t n,
                              struct qiao_diag *d);

/**
 * Append v as a minimal CScriptNum push (OP_0, OP_1..OP_16, or up to 5 bytes little-endian with
 * a sign byte where the top bit is set), as CHECKLOCKTIMEVERIFY reads it.  In: 0 <= v < 2^32.
 */
qiao_err qiao_btc_script_num(struct qiao_btc_script_w *w, uint64_t v, struct qiao_diag *d);

/** One parsed script element: an opcode, with its pushed data when it is a push. */
struct qiao_btc_script_op {
    uint8_t op;
    const uint8_t *data; /* borrows the script; NULL unless a data push (including OP_0) */
    size_t len;
};

/**
 * Read the element at *pos and advance past it.
 * Returns: QIAO_OK, QIAO_EINVAL "truncated-push" (a push running past the end).
 * Out: *out.  In: script, len, *pos < len.
 */
qiao_err qiao_btc_script_next(struct qiao_btc_script_op *out, const uint8_t *script, size_t len,
                              size_t *pos, struct qiao_diag *d);

/** The P2WSH witness program: SHA-256 of the witness script. */
void qiao_btc_p2wsh_program(struct qiao_crypto *cx, uint8_t program[32], const uint8_t *script,
                            size_t len);

/** The P2WSH scriptPubKey OP_0 <32-byte program> (34 bytes). */
void qiao_btc_p2wsh_spk(uint8_t spk[34], const uint8_t program[32]);

/** 1 when spk is exactly a P2WSH scriptPubKey; then program (may be NULL) receives its program. */
int qiao_btc_is_p2wsh(const uint8_t *spk, size_t len, uint8_t program[32]);

#endif
