/* diag.c: recording failures where they happen (see diag.h). */
#include "relay/core/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void qiao_diag_clear(struct qiao_diag *d)
{
    if (d)
        memset(d, 0, sizeof(*d));
}

static void copy_reason(struct qiao_diag *d, const char *reason)
{
    snprintf(d->reason, sizeof(d->reason), "%s", reason ? reason : "error");
}

qiao_err qiao_diag_set(struct qiao_diag *d, qiao_err code, const char *file, int line,
                       const char *reason, const char *fmt, ...)
{
    if (!d)
        return code;
    d->code = code;
    d->file = file;
    d->line = line;
    copy_reason(d, reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    return code;
}

qiao_err qiao_diag_wrap(struct qiao_diag *d, const char *fmt, ...)
{
    if (!d)
        return QIAO_EINVAL;
    char prefix[QIAO_DIAG_MSG_MAX];
    char old[QIAO_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, d->msg, sizeof(old));
    snprintf(d->msg, sizeof(d->msg), "%.150s: %.160s", prefix, old);
    return d->code ? d->code : QIAO_EINVAL;
}

const char *qiao_code_name(qiao_err code)
{
    static const char *const names[] = {
        [QIAO_OK] = "ok",          [QIAO_EINVAL] = "invalid",   [QIAO_ERANGE] = "range",
        [QIAO_ENOMEM] = "nomem",   [QIAO_EVERIFY] = "verify",   [QIAO_EIO] = "io",
        [QIAO_ESTATE] = "state",   [QIAO_ENOTFOUND] = "notfound",
        [QIAO_EUNSUPPORTED] = "unsupported", [QIAO_ETIMEOUT] = "timeout",
    };
    if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]) || !names[code])
        return "unknown";
    return names[code];
}
