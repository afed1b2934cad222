/* qt.c: the test harness (see qt.h). */
#include "tests/qt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int qt_passed, qt_failed, qt_skipped;

void qt_check(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
    if (ok) {
        qt_passed++;
        return;
    }
    qt_failed++;
    fprintf(stderr, "FAIL %s:%d: %s", file, line, expr);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputs(": ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}

void qt_check_mem(const void *a, const void *b, size_t n, const char *file, int line,
                  const char *expr)
{
    const uint8_t *x = a, *y = b;
    size_t i = 0;
    while (i < n && x[i] == y[i])
        i++;
    if (i == n) {
        qt_passed++;
        return;
    }
    qt_failed++;
    fprintf(stderr, "FAIL %s:%d: %s differ at byte %zu\n  got:  ", file, line, expr, i);
    for (size_t k = 0; k < n; k++)
        fprintf(stderr, "%02x", x[k]);
    fprintf(stderr, "\n  want: ");
    for (size_t k = 0; k < n; k++)
        fprintf(stderr, "%02x", y[k]);
    fputc('\n', stderr);
}

void qt_skip(const char *what, const char *why)
{
    qt_skipped++;
    printf("SKIP %s: %s\n", what, why);
}

const char *qt_vector_path(const char *relative)
{
    static char path[4096];
    const char *dir = getenv("QIAO_VECTORS");
#ifdef QIAO_VECTORS_DIR
    if (!dir)
        dir = QIAO_VECTORS_DIR;
#endif
    struct stat st;
    if (!dir || stat(dir, &st) != 0) {
        qt_skip(relative, "shared vectors directory ../shared/vectors is absent (a user's clone has "
                          "none); these real-vector cases are skipped, all others still run");
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, relative);
    if (stat(path, &st) != 0) {
        qt_skip(relative, "vector file missing from the shared vectors directory");
        return NULL;
    }
    return path;
}

char *qt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

int qt_finish(void)
{
    if (qt_skipped)
        printf("%d passed, %d failed, %d skipped\n", qt_passed, qt_failed, qt_skipped);
    else
        printf("%d passed, %d failed\n", qt_passed, qt_failed);
    return qt_failed ? 1 : 0;
}
