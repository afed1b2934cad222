/* adapter.c: the wrappers through which the core calls adapters (see adapter.h). */
#include "relay/core/adapter.h"

#include <string.h>

/* The only mutable global in the core: a test-only hook, never set in production. */
static qiao_adapter_fault_fn fault_hook;

void qiao_adapter_set_fault_hook(qiao_adapter_fault_fn fn)
{
    fault_hook = fn;
}

static qiao_err enter(const struct qiao_adapter *a, const char *op, int present,
                      struct qiao_diag *d)
{
    if (!a || a->abi < 1 || a->abi > QIAO_ADAPTER_ABI)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-adapter", "%s: adapter table missing or ABI unknown", op);
    if (!present)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unsupported", "%s: not supported by the %s adapter",
                         op, a->family);
    if (fault_hook) {
        qiao_err err = fault_hook(a, op);
        if (err)
            return QIAO_FAIL(d, err, "injected-fault", "%s: injected fault in %s", op, a->family);
    }
    return QIAO_OK;
}

qiao_err qiao_adapter_header_decode(const struct qiao_adapter *a, struct qiao_crypto *cx,
                                    struct qiao_header_info *out, const uint8_t *raw, size_t len,
                                    struct qiao_diag *d)
{
    QIAO_TRY(enter(a, "header_decode", a && a->header_decode, d));
    if (!raw && len)
        return QIAO_FAIL(d, QIAO_EINVAL, "null-input", "header_decode: no header bytes");
    memset(out, 0, sizeof(*out));
    return a->header_decode(cx, out, raw, len, d);
}

qiao_err qiao_adapter_header_verify(const struct qiao_adapter *a, struct qiao_crypto *cx,
                                    struct qiao_header_info *out, const void *chain,
                                    const uint8_t *raw, size_t len, struct qiao_arena *arena,
                                    struct qiao_diag *d)
{
    QIAO_TRY(enter(a, "header_verify", a && a->header_verify, d));
    if (!raw && len)
        return QIAO_FAIL(d, QIAO_EINVAL, "null-input", "header_verify: no header bytes");
    memset(out, 0, sizeof(*out));
    return a->header_verify(cx, out, chain, raw, len, arena, d);
}

int qiao_adapter_default_tip_cmp(const struct qiao_header_info *a,
                                 const struct qiao_header_info *b)
{
    return memcmp(a->work, b->work, sizeof(a->work));
}

int qiao_adapter_tip_cmp(const struct qiao_adapter *a, const struct qiao_header_info *x,
                         const struct qiao_header_info *y)
{
    return (a && a->tip_cmp ? a->tip_cmp : qiao_adapter_default_tip_cmp)(x, y);
}

int qiao_adapter_is_final(const struct qiao_adapter *a, const void *policy,
                          const struct qiao_header_info *h, const struct qiao_header_info *tip)
{
    return a && a->is_final ? a->is_final(policy, h, tip) : 0;
}

qiao_err qiao_adapter_proof_verify(const struct qiao_adapter *a, struct qiao_crypto *cx,
                                   struct qiao_proof_result *out,
                                   const struct qiao_header_info *header, const uint8_t *proof,
                                   size_t proof_len, struct qiao_arena *arena, struct qiao_diag *d)
{
    QIAO_TRY(enter(a, "proof_verify", a && a->proof_verify, d));
    if (!header || (!proof && proof_len))
        return QIAO_FAIL(d, QIAO_EINVAL, "null-input", "proof_verify: header or proof missing");
    memset(out, 0, sizeof(*out));
    return a->proof_verify(cx, out, header, proof, proof_len, arena, d);
}
