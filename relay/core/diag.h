/*
 * diag.h: the error value every fallible Qiao function returns, and the diagnostic that says what
 * failed and where.
 *
 * A function that can fail returns qiao_err (QIAO_OK is 0) and takes a `struct qiao_diag *` as its
 * last argument.  On failure it records, at the point of failure, a stable machine-readable reason
 * (for conformance output and evidence reports), a human sentence, and the source location.  The
 * diagnostic pointer may be NULL when the caller only wants the code.  Hostile input is always an
 * error value, never an assert: asserts are for broken invariants of our own code.
 */
#ifndef QIAO_CORE_DIAG_H
#define QIAO_CORE_DIAG_H

#include <stddef.h>

typedef int qiao_err;

/** Error classes.  The reason string in the diagnostic carries the precise check. */
enum qiao_code {
    QIAO_OK = 0,
    QIAO_EINVAL = 1,       /* malformed argument or input encoding */
    QIAO_ERANGE = 2,       /* a size, count or depth above its cap */
    QIAO_ENOMEM = 3,       /* allocation failed or arena exhausted */
    QIAO_EVERIFY = 4,      /* well-formed input that fails a cryptographic or consensus check */
    QIAO_EIO = 5,          /* file, socket or database failure */
    QIAO_ESTATE = 6,       /* operation not valid in the current state */
    QIAO_ENOTFOUND = 7,    /* a referenced object does not exist */
    QIAO_EUNSUPPORTED = 8, /* valid but not supported by this build or family */
    QIAO_ETIMEOUT = 9,     /* a deadline passed */
};

#define QIAO_DIAG_REASON_MAX 48
#define QIAO_DIAG_MSG_MAX 320

/** What failed and where.  Caller storage; no heap.  Zero-initialise or use qiao_diag_clear. */
struct qiao_diag {
    qiao_err code;
    const char *file; /* static string: the source file that detected the failure */
    int line;
    char reason[QIAO_DIAG_REASON_MAX]; /* stable kebab-case check name, e.g. "pow-above-target" */
    char msg[QIAO_DIAG_MSG_MAX];       /* human sentence naming the input and position */
};

/** Reset a diagnostic to "no error". d may be NULL. */
void qiao_diag_clear(struct qiao_diag *d);

/**
 * Record a failure.  Returns: code, so callers can `return QIAO_FAIL(...)`.
 * Args: d (may be NULL), code (non-zero), file/line (use the macro), reason (static, kebab-case),
 *       fmt (printf format for the human message).
 */
qiao_err qiao_diag_set(struct qiao_diag *d, qiao_err code, const char *file, int line,
                       const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/**
 * Prefix the existing message with context ("while reading header 12: ...") and return its code.
 * Use when a lower layer failed and the caller knows where in a larger input it was.
 */
qiao_err qiao_diag_wrap(struct qiao_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Name of an error class, e.g. "verify". */
const char *qiao_code_name(qiao_err code);

/* Evaluates to `code` itself (not the call's result) so the compiler sees a non-zero constant on
 * failure paths and can prove out-parameters are set on success. */
#define QIAO_FAIL(d, code, reason, ...)                                                           \
    (qiao_diag_set((d), (code), __FILE__, __LINE__, (reason), __VA_ARGS__), (code))

/** Evaluate a qiao_err expression and return it from the enclosing function if it failed. */
#define QIAO_TRY(expr)                                                                             \
    do {                                                                                           \
        qiao_err qiao_try_err_ = (expr);                                                           \
        if (qiao_try_err_ != QIAO_OK)                                                              \
            return qiao_try_err_;                                                                  \
    } while (0)

#endif
