/* file.c: whole-file reads under a cap (see file.h). */
#include "relay/core/file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

qiao_err qiao_file_read(struct qiao_buf *out, const char *path, size_t max, struct qiao_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return QIAO_FAIL(d, QIAO_EIO, "cannot-open", "%s: %s", path, strerror(errno));
    size_t start = out->len, n;
    char chunk[16384];
    qiao_err err = QIAO_OK;
    while (!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (out->len - start + n > max)
            err = QIAO_FAIL(d, QIAO_ERANGE, "too-large", "%s: larger than the %zu-byte cap", path,
                            max);
        else
            err = qiao_buf_append(out, chunk, n, d);
    }
    if (!err && ferror(f))
        err = QIAO_FAIL(d, QIAO_EIO, "read-failed", "%s: read error", path);
    fclose(f);
    if (!err && (err = qiao_buf_reserve(out, 1, d)) == QIAO_OK)
        out->p[out->len] = '\0';
    return err;
}
