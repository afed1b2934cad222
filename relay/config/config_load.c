/*
 * config_load.c: the one part of relay/config that does I/O: read a config file and hand its text
 * to the pure parser.
 */
#include "relay/config/config.h"
#include "relay/core/file.h"

qiao_err qiao_config_load(struct qiao_config *cfg, const char *path, struct qiao_diag *d)
{
    struct qiao_buf text = {0};
    qiao_err err = qiao_file_read(&text, path, QIAO_CFG_MAX_BYTES, d);
    if (err)
        qiao_diag_wrap(d, "config");
    else if ((err = qiao_config_parse(cfg, (const char *)text.p, text.len, d)) != QIAO_OK)
        qiao_diag_wrap(d, "config %s", path);
    qiao_buf_clear(&text);
    return err;
}
