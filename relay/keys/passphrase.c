/*
 * passphrase.c: where a key passphrase may come from: an environment variable or an owner-only
 * file.  Never argv, which other local users can read in /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay/core/bytes.h"
#include "relay/keys/keys.h"

static qiao_err from_env(char *out, size_t cap, size_t *len, const char *name,
                         struct qiao_diag *d)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-passphrase", "environment variable %s is not set "
                         "or empty", name);
    size_t n = strlen(v);
    if (n >= cap)
        return QIAO_FAIL(d, QIAO_ERANGE, "passphrase-too-long", "passphrase in %s is longer than "
                         "%zu bytes", name, cap - 1);
    memcpy(out, v, n + 1);
    *len = n;
    return QIAO_OK;
}

static qiao_err from_file(char *out, size_t cap, size_t *len, const char *file,
                          struct qiao_diag *d)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return QIAO_FAIL(d, QIAO_EIO, "open-failed", "passphrase file %s: %s", file, strerror(errno));
    struct stat sb;
    qiao_err err = QIAO_OK;
    ssize_t n = 0;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        err = QIAO_FAIL(d, QIAO_EINVAL, "not-a-file", "passphrase file %s is not a regular file", file);
    else if (sb.st_mode & 077)
        err = QIAO_FAIL(d, QIAO_EINVAL, "passphrase-file-mode", "passphrase file %s has mode %04o: "
                        "group or others may access it; run chmod 600 %s", file,
                        (unsigned)(sb.st_mode & 07777), file);
    else if ((n = read(fd, out, cap)) < 0)
        err = QIAO_FAIL(d, QIAO_EIO, "read-failed", "passphrase file %s: %s", file, strerror(errno));
    else if ((size_t)n >= cap)
        err = QIAO_FAIL(d, QIAO_ERANGE, "passphrase-too-long", "passphrase file %s is longer than "
                        "%zu bytes", file, cap - 1);
    close(fd);
    if (err) {
        qiao_wipe(out, cap);
        return err;
    }
    size_t m = (size_t)n;
    if (m && out[m - 1] == '\n')
        m--;
    if (m && out[m - 1] == '\r')
        m--;
    out[m] = 0;
    *len = m;
    if (m == 0)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-passphrase", "passphrase file %s is empty", file);
    return QIAO_OK;
}

qiao_err qiao_keys_passphrase(char *out, size_t cap, size_t *len, const char *env_name,
                              const char *file, struct qiao_diag *d)
{
    *len = 0;
    if (cap < 2)
        return QIAO_FAIL(d, QIAO_ERANGE, "passphrase-too-long", "no room for a passphrase");
    out[0] = 0;
    if (file)
        return from_file(out, cap, len, file, d);
    return from_env(out, cap, len, env_name ? env_name : QIAO_KEYS_DEFAULT_ENV, d);
}
