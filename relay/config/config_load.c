/*
 * config_load.c: the one part of relay/config that does I/O: read a config file and hand its text
 * to the pure parser.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/config/config.h"

qiao_err qiao_config_load(struct qiao_config *cfg, const char *path, struct qiao_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return QIAO_FAIL(d, QIAO_EIO, "cannot-open", "config %s: %s", path, strerror(errno));
    char *text = malloc(QIAO_CFG_MAX_BYTES + 1);
    size_t len = text ? fread(text, 1, QIAO_CFG_MAX_BYTES + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    qiao_err err;
    if (!text)
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "config %s: cannot buffer it", path);
    else if (bad)
        err = QIAO_FAIL(d, QIAO_EIO, "read-failed", "config %s: read error", path);
    else if (len > QIAO_CFG_MAX_BYTES)
        err = QIAO_FAIL(d, QIAO_ERANGE, "too-large", "config %s: larger than %u bytes", path,
                        QIAO_CFG_MAX_BYTES);
    else if ((err = qiao_config_parse(cfg, text, len, d)) != QIAO_OK)
        qiao_diag_wrap(d, "config %s", path);
    free(text);
    return err;
}
