/*
 * file.h: reading a whole file under a size cap, the core's one piece of I/O.  JSON files
 * (json.h) and notary configs read through it; pure verification code never does.
 */
#ifndef QIAO_CORE_FILE_H
#define QIAO_CORE_FILE_H

#include <stddef.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

/**
 * Append the contents of path to out (which grows as needed; nothing is reserved up front), and
 * keep a NUL after them that len does not count.
 * Returns: QIAO_OK; "cannot-open", "read-failed" (QIAO_EIO); "too-large" (QIAO_ERANGE) when the
 * file holds more than max bytes; "out-of-memory".  Messages name the path.
 */
qiao_err qiao_file_read(struct qiao_buf *out, const char *path, size_t max, struct qiao_diag *d);

#endif
